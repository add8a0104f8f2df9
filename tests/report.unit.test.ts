import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentReport, niceTicks, type ReportInput, reportHtml, reportText } from "../evals/report.ts";
import { backtest, performance, rollingAccuracy } from "../src/metrics/backtest.ts";
import { syntheticResult } from "./helpers/results.ts";

describe("backtest", () => {
  it("computes return, Sharpe, drawdown and hit rate by hand", () => {
    const p = performance([0.1, -0.05, 0.02]);
    expect(p.cumulativeReturn).toBeCloseTo(1.1 * 0.95 * 1.02 - 1, 12);
    expect(p.maxDrawdown).toBeCloseTo(0.05, 12);
    const mean = (0.1 - 0.05 + 0.02) / 3;
    const sd = Math.sqrt(((0.1 - mean) ** 2 + (-0.05 - mean) ** 2 + (0.02 - mean) ** 2) / 2);
    expect(p.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
    expect(p.hitRate).toBeCloseTo(2 / 3, 12);
    expect(performance([0, 0]).sharpe).toBe(0);
  });

  it("goes long on up and short on down, per ticker and as an equal-weight portfolio", () => {
    const bt = backtest([
      { ticker: "A", date: "d1", movement: "up", next_return: 0.02 },
      { ticker: "A", date: "d2", movement: "down", next_return: -0.01 },
      { ticker: "B", date: "d1", movement: "down", next_return: 0.04 },
      { ticker: "B", date: "d2", movement: "up", next_return: null }, // no next close: not traded
    ]);
    expect(bt.byTicker.A!.strategy.cumulativeReturn).toBeCloseTo(1.02 * 1.01 - 1, 12);
    expect(bt.byTicker.A!.buyHold.cumulativeReturn).toBeCloseTo(1.02 * 0.99 - 1, 12);
    expect(bt.byTicker.B!.strategy.days).toBe(1);
    // portfolio d1: (0.02 - 0.04) / 2 = -0.01; d2: A only, +0.01
    expect(bt.portfolio.curve.strategy).toEqual([expect.closeTo(0.99, 12), expect.closeTo(0.99 * 1.01, 12)]);
  });

  it("rolls accuracy over scored days only", () => {
    const rows = [true, false, null, true, true].map((c, i) => ({ date: `2015-10-0${i + 1}`, correct: c }));
    expect(rollingAccuracy(rows, 2)).toEqual([
      { date: "2015-10-02", acc: 0.5 },
      { date: "2015-10-04", acc: 0.5 },
      { date: "2015-10-05", acc: 1 },
    ]);
  });
});

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
// CI installs Chromium and sets STOCKMEM_REQUIRE_CHROMIUM=1: there the check must run, never skip.
if (!CHROMIUM && process.env.STOCKMEM_REQUIRE_CHROMIUM)
  throw new Error("STOCKMEM_REQUIRE_CHROMIUM is set but /usr/bin/chromium is missing");
if (!CHROMIUM)
  console.warn(
    "[stockmem tests] no Chromium at /usr/bin/chromium: the HTML render check is skipped (apt-get install chromium to run it).",
  );

describe("HTML report", () => {
  it("is self-contained, escapes text, and has every section", () => {
    const html = reportHtml(syntheticResult());
    expect(html).not.toMatch(/<script|https?:\/\//);
    for (const h of [
      "Direction accuracy",
      "Backtest",
      "Equity curves",
      "Rolling accuracy",
      "Confusion matrix",
      "Per ticker",
    ])
      expect(html).toContain(h);
    expect((html.match(/<polyline/g) ?? []).length).toBe(2 * 3 + 1); // portfolio + 2 tickers (signal, buy&hold) + rolling accuracy
    expect(reportText(syntheticResult())).toMatch(/portfolio\s+30/);
  });

  it("charts have round y ticks with grid lines, dated x ticks, labelled baselines; equity panels start at 1.0 on one shared scale", () => {
    expect(niceTicks(0.93, 1.17)).toEqual([0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const html = reportHtml(syntheticResult());
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    const equity = svgs.filter((s) => s.includes("long/short signal"));
    expect(equity).toHaveLength(3);
    const yTicks = (svg: string) => [...svg.matchAll(/class="ytick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    for (const svg of svgs) {
      expect(yTicks(svg).length).toBeGreaterThanOrEqual(3);
      expect((svg.match(/class="grid"/g) ?? []).length).toBe(yTicks(svg).length);
      expect([...svg.matchAll(/class="xtick"[^>]*>([^<]+)</g)].length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(equity.map((svg) => yTicks(svg).join(" "))).size).toBe(1); // one scale for every panel
    for (const svg of equity) {
      expect(svg).toContain("1.0 = start");
      expect(svg).toMatch(/class="xtick"[^>]*>start</);
      const firsts = [...svg.matchAll(/points="([\d.]+),([\d.]+) /g)].map((m) => m[2]);
      const base = /class="baseline"[^>]*y1="([\d.]+)"/.exec(svg)![1];
      expect(firsts).toEqual([base, base]); // both curves start on the 1.0 line
    }
    expect(html).toContain("0.5 = coin flip");
  });

  it.skipIf(!CHROMIUM)("renders in headless Chromium", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, reportHtml(syntheticResult()));
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${join(dir, "profile")}`,
    ];
    const dom = execFileSync(CHROMIUM!, [...flags, "--dump-dom", `file://${file}`], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect((dom.match(/<svg/g) ?? []).length).toBe(4);
    expect(dom).toContain("stockmem report");
    const png = join(dir, "report.png");
    execFileSync(CHROMIUM!, [...flags, `--screenshot=${png}`, "--window-size=1200,1800", `file://${file}`], {
      timeout: 60_000,
      stdio: "ignore",
    });
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  });
});

/** An input whose every call is "up" over `days` days: the signal equals buy and hold; few scored days. */
function allUp(days: number): ReportInput {
  const base = experimentReport(syntheticResult());
  const calls = base.calls.slice(0, days).map((c) => ({ ...c, predicted: "up" as const, correct: c.label === "up" }));
  return { ...base, title: "run all-up", about: "test", calls };
}

describe("HTML report, as a reader meets it (issue 21, item 7)", () => {
  it("keeps a signal equal to buy and hold visible, defines hit rate beside ACC, and says when too few days make a rolling accuracy", () => {
    const html = reportHtml(allUp(12));
    expect(html).toContain("The signal equals buy and hold (every call up) for: portfolio, AAPL, MSFT.");
    for (const svg of html.match(/<svg[\s\S]*?<\/svg>/g)!.filter((x) => x.includes("long/short signal"))) {
      const lines = [...svg.matchAll(/<polyline[^>]*stroke-width="([\d.]+)"[^>]*points="([^"]+)"><title>([^<]+)</g)];
      // buy and hold first, wide and light; the signal on it, thin: equal values, both drawn visibly
      expect(lines.map((m) => [m[3], m[1]])).toEqual([
        ["buy and hold", "5"],
        ["long/short signal", "1.8"],
      ]);
      expect(lines[0]![2]).toBe(lines[1]![2]);
    }
    expect(html).toMatch(/hit rate: the share of traded days .* ACC: the share of scored calls/);
    expect(html).toContain(
      "Too few points: a rolling accuracy over 20 scored days needs at least 21 of them; this report has 12.",
    );
    expect(reportText(allUp(12))).toMatch(/hit rate: /);
  });

  it("lists every call with its reason, escaped, newest first", () => {
    const html = reportHtml(syntheticResult());
    const rows = [...html.matchAll(/<tr><td class="n">(\d{4}-\d\d-\d\d)<br>(\w+)<\/td>/g)].map((m) => m[1]);
    expect(rows).toHaveLength(30);
    expect(rows).toEqual([...rows].sort().reverse());
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
    expect(html).not.toContain("<script>alert");
  });

  it.skipIf(!CHROMIUM)("fits a 600 px window, with no label over a curve (headless Chromium)", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-report-"));
    // the report itself holds no script: a copy gets one that measures the layout and writes it into the page
    const measure = `<script>
      const out = { scrollWidth: document.documentElement.scrollWidth, width: innerWidth, overlaps: [] };
      for (const svg of document.querySelectorAll("svg.chart")) {
        const pts = [...svg.querySelectorAll("polyline")].flatMap((p) => [...p.points]);
        for (const t of svg.querySelectorAll("text")) {
          const b = t.getBBox();
          const hit = pts.find((p) => p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height);
          if (hit) out.overlaps.push(t.textContent);
        }
      }
      document.body.setAttribute("data-layout", JSON.stringify(out));
    </script>`;
    for (const [name, input] of [
      ["experiment", experimentReport(syntheticResult())],
      ["all-up", allUp(30)],
    ] as const) {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, reportHtml(input).replace("</body>", `${measure}</body>`));
      const flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${join(dir, "profile")}`,
      ];
      const dom = execFileSync(CHROMIUM!, [...flags, "--window-size=600,1200", "--dump-dom", `file://${file}`], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      const layout = JSON.parse(
        /data-layout="([^"]*)"/
          .exec(dom)![1]!
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, "&"),
      ) as { scrollWidth: number; width: number; overlaps: string[] };
      expect({ name, fits: layout.scrollWidth <= layout.width }).toEqual({ name, fits: true });
      expect({ name, overlaps: layout.overlaps }).toEqual({ name, overlaps: [] });
      execFileSync(
        CHROMIUM!,
        [...flags, `--screenshot=${join(dir, `${name}-600.png`)}`, "--window-size=600,2400", `file://${file}`],
        {
          stdio: "ignore",
        },
      );
      expect(statSync(join(dir, `${name}-600.png`)).size).toBeGreaterThan(20_000);
    }
  });
});

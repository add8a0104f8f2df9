/**
 * Runs that grow and the daily loop (issue 20, items 4-6): a run extended day by day with `daily --at`,
 * or in one catch-up jump, makes the same predictions (movement, reason, references) as one run over
 * the whole window, offline and on the LLM path with scripted models; a second call on the same day
 * changes nothing; a day without a close says so; a window shrunk, or a daily on a run never started,
 * is refused by name; a run killed while it grows resumes to the same predictions.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateDaily, executeDaily } from "../app/daily.ts";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { SOURCES } from "../src/data/sources/index.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { validAnswer } from "../testkit/answers.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";

const env = useIsolatedStockmem();
const TICKERS = ["MSFT", "ORCL"];
const TRAIN = { from: "2015-09-14", to: "2015-09-30" };
const DAYS = ["2015-10-05", "2015-10-06", "2015-10-07", "2015-10-08", "2015-10-09", "2015-10-12"];
const END = DAYS.at(-1)!;
const file = (run: string) => join(env.state(), "runs", run, "predictions.jsonl");
/** What a call is: the fields the daily loop and the backtest must agree on. */
const calls = (run: string) =>
  readFileSync(file(run), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) => JSON.parse(l) as { ticker: string; date: string; movement: string; reason: string; references: string[] },
    )
    .map(({ ticker, date, movement, reason, references }) => ({ ticker, date, movement, reason, references }));

const start = (run: string, to: string, extra: Partial<Parameters<typeof executeRun>[0]> = {}, model = "offline") =>
  executeRun({
    ctx: runContext({ run, model, cache: false }),
    dataDir: SAMPLE_DATA_DIR,
    tickers: TICKERS,
    train: TRAIN,
    test: { from: "2015-10-01", to },
    quiet: true,
    ...extra,
  });

describe("a run grown by the daily loop equals one run over the whole window", () => {
  it("offline: day by day and in one jump; idempotent; a day without a close; shrinking refused", async () => {
    await start("whole", END);
    await start("steps", "2015-10-02");
    const keyEvents = [];
    for (const at of DAYS) {
      const d = await executeDaily({ run: "steps", at, quiet: true });
      keyEvents.push(...d.report.calls.flatMap((c) => c.key_events));
      expect(d.report.date).toBe(at);
      expect(d.report.calls.map((c) => c.ticker)).toEqual(TICKERS);
    }
    await start("jump", "2015-10-02");
    const jumped = await executeDaily({ run: "jump", at: END, quiet: true });
    expect(jumped.notes.join("\n")).toContain(`run "jump" grows from 2015-10-02 to ${END}`);
    const whole = calls("whole");
    expect(whole.length).toBe(TICKERS.length * (DAYS.length + 2));
    expect(calls("steps")).toEqual(whole);
    expect(calls("jump")).toEqual(whole);

    // the calls are the last day's, for the next trading day, with what they rest on
    expect(jumped.report.for).toBe("2015-10-13");
    for (const c of jumped.report.calls) {
      const p = whole.find((x) => x.ticker === c.ticker && x.date === END)!;
      expect([c.movement, c.reason, c.references]).toEqual([p.movement, p.reason, p.references]);
    }
    expect(jumped.report.calls.some((c) => c.key_events.length > 0)).toBe(true);
    // a key event of a story shows its earlier stages, each before its day
    const staged = keyEvents.filter((e) => e.chain_depth > 0);
    expect(staged.length).toBeGreaterThan(0);
    for (const e of staged) {
      expect(e.chain.length).toBeGreaterThan(0);
      expect(e.chain.every((s) => s.date < e.id.split(":")[2]!)).toBe(true);
    }
    // every cited reflection is shown with what happened then, and it was readable at the call
    for (const c of jumped.report.calls) {
      expect(c.reflections.map((f) => f.id)).toEqual(c.references.filter((x) => x.startsWith("rf:")));
      for (const f of c.reflections) expect(f.id.split(":")[2]! < END).toBe(true);
    }
    // the record so far: every day whose next close is known now (all but the last) as a signal
    expect(jumped.report.equity.days).toBe(DAYS.length + 1);
    expect(jumped.report.equity.curve.dates.at(-1)).toBe(DAYS.at(-2));
    // the record so far scores every day whose label is known now, the last day's not yet
    expect(jumped.report.scores.find((s) => s.ticker === "ALL")!.predicted).toBe(whole.length);

    // the same day again: nothing runs, the same calls, the same files
    const before = readFileSync(file("jump"), "utf8");
    const json = readFileSync(jumped.json, "utf8");
    const again = await executeDaily({ run: "jump", at: END, quiet: true });
    expect(again.run?.alreadyDone).toBe(true);
    expect(readFileSync(file("jump"), "utf8")).toBe(before);
    expect(readFileSync(again.json, "utf8")).toBe(json);
    expect(readFileSync(jumped.html, "utf8")).toContain("calls for 2015-10-13");

    // Saturday: no close, so the Friday's calls stand, said so
    const weekend = await executeDaily({ run: "steps", at: "2015-10-10", quiet: true });
    expect(weekend.notes.join("\n")).toContain("2015-10-10 is not a trading day in the data");
    expect(weekend.report.date).toBe("2015-10-09");
    expect(weekend.report.for).toBe("2015-10-12");
    // a replay of a day the run is past: the report that day wrote, the run untouched
    expect(weekend.notes.join("\n")).toContain('run "steps" has run through 2015-10-12');
    expect(weekend.report.calls.some((c) => c.key_events.length > 0)).toBe(true);

    // a window can grow, never shrink; another training window is another run
    await expect(start("jump", "2015-10-08")).rejects.toThrow(/can grow, not shrink/);
    await expect(
      executeRun({
        ctx: runContext({ run: "jump", cache: false }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: TICKERS,
        train: { from: "2015-09-15", to: "2015-09-30" },
        test: { from: "2015-10-01", to: END },
        quiet: true,
      }),
    ).rejects.toThrow(/started with other settings/);
    await expect(executeDaily({ run: "never", quiet: true })).rejects.toThrow(/stockmem run --run never/);
  });

  it("an open test window (`run --test FROM:`) runs through the data's last close", async () => {
    const r = await executeRun({
      ctx: runContext({ run: "open", cache: false }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["ORCL"],
      train: { from: "2015-11-16", to: "2015-11-30" },
      test: { from: "2015-12-01", to: "" },
      quiet: true,
    });
    const dates = calls("open").map((c) => c.date);
    expect(dates.at(-1)).toBe("2016-01-04"); // the sample's last close
    expect(r.scores.find((s) => s.ticker === "ALL")!.predicted).toBe(dates.length);
    const { parseWindow } = await import("../cli/run-flags.ts");
    expect(parseWindow("2015-12-01:", "test", { openEnd: true })).toEqual({ from: "2015-12-01", to: "" });
    expect(() => parseWindow("2015-12-01:", "train")).toThrow(/FROM:TO/);
  });

  it("on the LLM path with scripted models, day by day and in one jump", async () => {
    const chatModel = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
      new ScriptedChatModel((m) => validAnswer(agent, m));
    const llm = (run: string, to: string) => start(run, to, { chatModel }, "openai:scripted");
    await llm("llm-whole", "2015-10-07");
    await llm("llm-steps", "2015-10-02");
    for (const at of ["2015-10-05", "2015-10-06", "2015-10-07"])
      await executeDaily({ run: "llm-steps", at, quiet: true, chatModel });
    await llm("llm-jump", "2015-10-02");
    // daily --dry-run: what the jump would cost, nothing sent, the run untouched
    const before = readFileSync(file("llm-jump"), "utf8");
    const preview = await estimateDaily({ run: "llm-jump", at: "2015-10-07" });
    expect(preview.days).toEqual(["2015-10-05", "2015-10-06", "2015-10-07"]);
    expect(preview.estimate.tickerDays).toBe(3 * TICKERS.length);
    expect(preview.estimate.total.calls).toBeGreaterThan(0);
    expect(preview.estimate.byAgent.get("predictor")?.calls).toBe(3 * TICKERS.length);
    expect(readFileSync(file("llm-jump"), "utf8")).toBe(before);
    const d = await executeDaily({ run: "llm-jump", at: "2015-10-07", quiet: true, chatModel });
    expect((await estimateDaily({ run: "llm-jump", at: "2015-10-07" })).estimate.total.calls).toBe(0);
    expect(d.run?.usage.calls).toBeGreaterThan(0);
    expect(calls("llm-steps")).toEqual(calls("llm-whole"));
    expect(calls("llm-jump")).toEqual(calls("llm-whole"));
  });

  it("a run killed while it grows resumes, in the next call, to the same predictions", async () => {
    const daily = (extra: Record<string, string> = {}) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [join(PACKAGE_ROOT, "bin/stockmem.mjs"), "daily", "--run", "killed", "--at", END, "--json"],
          {
            env: { ...process.env, CHROMA_URL: env.server().url, STOCKMEM_DATA_DIR: env.state(), ...extra },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (b) => (stdout += b));
        child.stderr!.on("data", (b) => (stderr += b));
        child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
    await start("killed-ref", END);
    // killed right after the grown run's plan (its first checkpoint), then in the middle of its days:
    // the very next call must grow through the last close and make its calls
    for (const point of ["put:2", "put:3", "put:20"]) {
      await executeRun({
        ctx: runContext({ run: "killed", cache: false }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: TICKERS,
        train: TRAIN,
        test: { from: "2015-10-01", to: "2015-10-02" },
        quiet: true,
        fresh: true,
      });
      const x = await daily({ STOCKMEM_FAULT_KILL_AFTER: point });
      expect(x.signal === "SIGKILL" || x.code === 137, `${point}: ${x.stderr}`).toBe(true);
      const next = await daily();
      expect(next.code, next.stderr).toBe(0);
      const report = JSON.parse(next.stdout) as { date: string; calls: unknown[] };
      expect([report.date, report.calls.length], point).toEqual([END, TICKERS.length]);
      expect(calls("killed"), point).toEqual(calls("killed-ref"));
    }
  });

  it("the README's demo on the bundled sample: run two days, daily --at 2015-10-07, then --at 2015-10-16", async () => {
    const train = ["--train", "2015-07-01:2015-09-30"];
    expect((await cli("run", "--run", "demo", ...train, "--test", "2015-10-01:2015-10-02")).code).toBe(0);
    expect((await cli("daily", "--run", "demo", "--at", "2015-10-07")).code).toBe(0);
    const d = await cli("daily", "--run", "demo", "--at", "2015-10-16");
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain('run "demo": calls for 2015-10-19, made at the close of 2015-10-16');
    expect(d.out).toMatch(/\nAAPL {2}(UP|DOWN) {2}/);
    expect((await cli("run", "--run", "whole16", ...train, "--test", "2015-10-01:2015-10-16")).code).toBe(0);
    expect(calls("demo")).toEqual(calls("whole16"));
    expect(calls("demo").length).toBe(4 * 12);
  });

  it("daily --pull: today's bar and news from the sources, then the calls (a local fake server, no network)", async () => {
    // a data dir as it stood at the close of 2015-10-09: MSFT's sample prices and news up to then
    const dir = join(env.state(), "live-data");
    mkdirSync(dir, { recursive: true });
    const prices = readFileSync(join(SAMPLE_DATA_DIR, "prices.csv"), "utf8").split("\n");
    writeFileSync(
      join(dir, "prices.csv"),
      `${[prices[0], ...prices.filter((l) => l.startsWith("MSFT,") && l.split(",")[1]! <= "2015-10-09")].join("\n")}\n`,
    );
    const close = Date.parse("2015-10-09T20:00:00Z");
    const news = readFileSync(join(SAMPLE_DATA_DIR, "news.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"ticker": "MSFT"') && Date.parse(JSON.parse(l).published_at) <= close);
    writeFileSync(join(dir, "news.jsonl"), `${news.join("\n")}\n`);
    await executeRun({
      ctx: runContext({ run: "live", cache: false }),
      dataDir: dir,
      tickers: ["MSFT"],
      train: TRAIN,
      test: { from: "2015-10-01", to: "" },
      quiet: true,
    });
    // the providers, as of the evening of 2015-10-12
    const chart = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/sources/yahoo-chart-aapl.json"), "utf8"));
    const r = chart.chart.result[0];
    r.meta.symbol = "MSFT";
    r.timestamp = [1444656600]; // 2015-10-12 09:30 New York
    r.indicators.quote[0] = { open: [47.2], high: [47.55], low: [46.93], close: [47.0], volume: [28300000] };
    r.indicators.adjclose[0].adjclose = [44.86];
    let rssItem = `<item><title>Microsoft raises its dividend and beats estimates</title><link>https://news.example.com/msft-div</link><guid>m1</guid><pubDate>Mon, 12 Oct 2015 14:00:00 GMT</pubDate><description>Microsoft raised its quarterly dividend and beat earnings estimates.</description></item>`;
    const server = createServer((req, res) => {
      if (req.url?.startsWith("/v8/finance/chart/MSFT"))
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(chart));
      else if (req.url?.startsWith("/rss/MSFT"))
        res
          .writeHead(200, { "content-type": "application/rss+xml" })
          .end(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${rssItem}</channel></rss>`);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const d = await executeDaily({
        run: "live",
        at: "2015-10-12",
        pull: [SOURCES.yahoo, SOURCES.rss],
        env: { ...process.env, STOCKMEM_YAHOO_BASE_URL: base, STOCKMEM_RSS_FEEDS: `${base}/rss/{ticker}` },
        quiet: true,
      });
      expect(d.notes.join("\n")).toMatch(
        /pull yahoo MSFT: 1 added[\s\S]*pull rss MSFT: 1 added[\s\S]*run "live" grows from 2015-10-09 to 2015-10-12/,
      );
      expect([d.report.date, d.report.for, d.report.calls.map((c) => c.ticker)]).toEqual([
        "2015-10-12",
        "2015-10-13",
        ["MSFT"],
      ]);
      const pulled = readFileSync(join(dir, "news.jsonl"), "utf8").trim().split("\n").at(-1)!;
      expect(JSON.parse(pulled)).toMatchObject({ ticker: "MSFT", first_seen_at: expect.any(String) });
      expect(readFileSync(join(dir, "prices.csv"), "utf8")).toContain(
        "MSFT,2015-10-12,47.2,47.55,46.93,47,44.86,28300000",
      );
      expect(calls("live").at(-1)).toMatchObject({ ticker: "MSFT", date: "2015-10-12" });

      // the next evening a feed carries a story dated 2015-10-07, a day the run committed long ago:
      // it counts from 2015-10-13, the committed days stay as they were, and it is said
      const before = readFileSync(file("live"), "utf8");
      rssItem = `<item><title>Microsoft quietly cut a product line last week</title><link>https://news.example.com/msft-late</link><guid>m2</guid><pubDate>Wed, 07 Oct 2015 15:00:00 GMT</pubDate><description>Backdated report.</description></item>`;
      r.timestamp = [1444656600, 1444743000]; // 2015-10-12 and 2015-10-13
      r.indicators.quote[0] = {
        open: [47.2, 46.9],
        high: [47.55, 47.3],
        low: [46.93, 46.7],
        close: [47.0, 46.89],
        volume: [28300000, 30100000],
      };
      r.indicators.adjclose[0].adjclose = [44.86, 44.76];
      const next = await executeDaily({
        run: "live",
        at: "2015-10-13",
        pull: [SOURCES.yahoo, SOURCES.rss],
        env: { ...process.env, STOCKMEM_YAHOO_BASE_URL: base, STOCKMEM_RSS_FEEDS: `${base}/rss/{ticker}` },
        quiet: true,
      });
      expect(next.report.date).toBe("2015-10-13");
      expect(next.notes.join("\n")).toMatch(
        /1 item\(s\) first seen after their day was committed .*MSFT rss-\w+ of 2015-10-07 -> 2015-10-13/,
      );
      expect(readFileSync(file("live"), "utf8").startsWith(before)).toBe(true);
      expect(calls("live").at(-1)).toMatchObject({ ticker: "MSFT", date: "2015-10-13" });
    } finally {
      server.close();
    }
  });
});

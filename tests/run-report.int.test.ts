/** `stockmem report --run NAME` (issue 21, item 7): any run's report, its calls with their reasons. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { runDir, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";

useIsolatedStockmem();
let file = "";
beforeAll(async () => {
  file = (
    await executeRun({
      ctx: runContext({ run: "rep" }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["MSFT", "INTC"],
      train: { from: "2015-09-01", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-30" },
      quiet: true,
    })
  ).predictionsFile;
});

describe("report --run", () => {
  it("reports any run: scores with baselines, the backtest, and every call with its reason", async () => {
    const r = await cli("report", "--run", "rep");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^run rep\n/);
    expect(r.out).toMatch(/^portfolio\s+22\s/m); // 22 trading days in October 2015
    const html = readFileSync(join(runDir("rep"), "report.html"), "utf8");
    const preds = readPredictions(file);
    expect(html).toContain("<b>run rep</b> on ");
    for (const p of preds) expect(html).toContain(`<td class="n">${p.date}<br>${p.ticker}</td>`);
    const esc = (t: string) =>
      t
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
    for (const p of preds.slice(0, 5)) expect(html).toContain(esc(p.reason));
    // scored as the experiments are: flat days out, the always-up baseline beside
    const scored = preds.filter((p) => p.label === "up" || p.label === "down");
    expect(html).toMatch(new RegExp(`<td>stockmem</td><td>${scored.length}</td>`));
    expect(html).toContain("<td>always up</td>");
  });

  it("names what is missing: a run without predictions, or neither --run nor --experiment", async () => {
    const none = await cli("report", "--run", "nope");
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/run "nope" has no predictions here .*`stockmem run --run nope` makes them/);
    expect(existsSync(join(runDir("nope"), "report.html"))).toBe(false);
    const path = await cli("report", "--run", "../../etc");
    expect(path.code).toBe(2);
    expect(path.err).toMatch(/run names are letters and digits/);
    const neither = await cli("report");
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/report needs --experiment NAME \(an eval experiment\) or --run NAME/);
  });
});

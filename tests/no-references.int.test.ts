/**
 * A run whose predictions cite no reference says why, once per cause (issue 21, item 5): before, a small run answered
 * "No comparable case ... defaulting to up" on every day and said nothing about it.
 */
import { describe, expect, it } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

useIsolatedStockmem();

describe("predictions without a reference", () => {
  it("are counted and explained once per cause after the run", async () => {
    // one ticker, four weeks of training: few reflections, few of them alike
    const res = await executeRun({
      ctx: runContext({ run: "few" }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["ORCL"],
      train: { from: "2015-09-01", to: "2015-09-28" },
      test: { from: "2015-09-29", to: "2015-10-09" },
      quiet: true,
    });
    const preds = readPredictions(res.predictionsFile);
    const none = preds.filter((p) => !p.references.some((id) => id.startsWith("rf:")));
    expect(none.length).toBeGreaterThan(0); // the situation this test is about
    const lines = res.notes.filter((n) => n.includes("cite no reference"));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines)
      expect(l.startsWith(`${none.length} of ${preds.length} prediction(s) cite no reference: `)).toBe(true);
    // each cause once, and together they account for every prediction examined
    const kinds = lines.map((l) => l.split(": ")[1]!.split(" (")[0]);
    expect(new Set(kinds).size).toBe(kinds.length);
    const counted = lines.map(
      (l) => /\((every one|(\d+) of the (\d+)) examined, e\.g\. ORCL \d{4}-\d\d-\d\d\)$/.exec(l)!,
    );
    const total = counted.reduce((s, m) => s + (m[1] === "every one" ? none.length : Number(m[2])), 0);
    expect(total).toBe(Math.min(24, none.length));
    // a run whose every prediction cites a reference says nothing of the kind: the same run with no bar to pass
    const all = await executeRun({
      ctx: runContext({ run: "few-nobar", judgeMinSim: 0 }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["ORCL"],
      train: { from: "2015-09-01", to: "2015-09-28" },
      test: { from: "2015-09-29", to: "2015-10-09" },
      quiet: true,
    });
    expect(readPredictions(all.predictionsFile).every((p) => p.references.some((id) => id.startsWith("rf:")))).toBe(
      true,
    );
    expect(all.notes.filter((n) => n.includes("cite no reference"))).toEqual([]);
  });
});

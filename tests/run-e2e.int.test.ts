/**
 * The offline analyst over a small real window with a real Chroma server: every scored day gets a
 * prediction, the reported ACC/MCC equal a recomputation from the JSONL, and a re-run is idempotent
 * (killed runs and their resume: engine.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { listRuns } from "../src/memory/store.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

const TICKERS = ["MSFT", "ORCL"];
const TRAIN = { from: "2015-09-01", to: "2015-09-30" };
const TEST = { from: "2015-10-01", to: "2015-10-20" };
const opts = (run: string) => ({
  ctx: runContext({ run }),
  dataDir: SAMPLE_DATA_DIR,
  tickers: TICKERS,
  train: TRAIN,
  test: TEST,
  quiet: true,
});

const env = useIsolatedStockmem();

const counts = async (run: string) =>
  Object.fromEntries(
    (await listRuns(env.server().url)).find((r) => r.run === run)!.collections.map((c) => [c.kind, c.count]),
  );

describe("stockmem run, offline analyst, real Chroma", () => {
  it("predicts every test day, and its scores equal a recomputation from the JSONL", async () => {
    const res = await executeRun(opts("e2e"));
    const preds = readPredictions(res.predictionsFile);
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: TICKERS });
    for (const t of TICKERS) {
      const days = data.series.get(t)!.days.filter((d) => d.date >= TEST.from && d.date <= TEST.to);
      expect(preds.filter((p) => p.ticker === t).map((p) => p.date)).toEqual(days.map((d) => d.date));
      for (const p of preds.filter((x) => x.ticker === t))
        expect(p.label).toBe(days.find((d) => d.date === p.date)!.label);
    }
    // independent recomputation: plain counting, no project code
    for (const row of res.scores) {
      const mine = preds.filter(
        (p) => (row.ticker === "ALL" || p.ticker === row.ticker) && p.label !== "flat" && p.label !== null,
      );
      const tp = mine.filter((p) => p.movement === "up" && p.label === "up").length;
      const tn = mine.filter((p) => p.movement === "down" && p.label === "down").length;
      const fp = mine.filter((p) => p.movement === "up" && p.label === "down").length;
      const fn = mine.filter((p) => p.movement === "down" && p.label === "up").length;
      const den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
      expect(row.scored).toBe(mine.length);
      expect(row.acc).toBeCloseTo((tp + tn) / mine.length, 12);
      expect(row.mcc).toBeCloseTo(den === 0 ? 0 : (tp * tn - fp * fn) / den, 12);
      expect(row.alwaysUpAcc).toBeCloseTo(mine.filter((p) => p.label === "up").length / mine.length, 12);
    }
    expect(res.scores.at(-1)!.scored).toBeGreaterThan(5);
    // every cited reference existed (was available) at the prediction's asOf
    for (const p of preds) {
      for (const ref of p.references) {
        const [, t, d] = ref.split(":");
        const s = data.series.get(t!)!;
        const availableAt = s.days[s.calendar.indexOf(d!)! + 1]!.close_at;
        expect(availableAt <= p.as_of, `${p.ticker} ${p.date} cites ${ref}`).toBe(true);
      }
    }
  });

  it("is idempotent: a re-run changes neither the predictions nor the memory", async () => {
    const file = join(env.state(), "runs", "e2e", "predictions.jsonl");
    const before = readFileSync(file, "utf8");
    const memBefore = await counts("e2e");
    await executeRun(opts("e2e"));
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(await counts("e2e")).toEqual(memBefore);
  });
});

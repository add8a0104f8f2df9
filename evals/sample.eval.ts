/**
 * The eval suite (`npm run eval`): the offline analyst on the bundled sample, train 2015-Q3, test
 * 2015-Q4, all four tickers, scored like any experiment. It reports the scores as feedback and
 * asserts the machinery (metrics recomputed independently, baselines, citations), never a
 * minimum accuracy: the numbers are what they are.
 */
import { setMaxListeners } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ls from "langsmith/vitest";
import { afterAll, beforeAll, expect } from "vitest";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { type ChromaEndpoint, startChroma } from "../src/memory/chroma-server.ts";
import { readMarket } from "../src/runtime/market.ts";
import { buildDataset, saveDataset } from "./dataset.ts";
import { type ExperimentResult, runExperiment } from "./runner.ts";

let server: ChromaEndpoint;
let result: ExperimentResult;

/** Scores as a person reads them (the result file keeps full precision). */
const r3 = (x: number) => Math.round(x * 1000) / 1000;

beforeAll(async () => {
  // LangGraph gives every task of a superstep one AbortSignal and each adds a listener (langgraphjs#1014):
  // harmless, but Node warns past 10; the CLI raises the same default for the same reason.
  setMaxListeners(200);
  const state = mkdtempSync(join(tmpdir(), "stockmem-eval-"));
  server = await startChroma({ path: join(state, "chroma") });
  process.env.CHROMA_URL = server.url;
  process.env.STOCKMEM_DATA_DIR = state;
  process.env.STOCKMEM_EVALS_DIR ??= join(state, "evals");
  const data = await readMarket({ dataDir: SAMPLE_DATA_DIR });
  saveDataset(
    await buildDataset({
      name: "sample-q4",
      data,
      tickers: [...data.tickers],
      train: { from: "2015-07-01", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-12-31" },
      labelThreshold: 0.01,
    }),
  );
  ({ result } = await runExperiment({ dataset: "sample-q4", quiet: true, seed: 42 }));
});

afterAll(async () => {
  delete process.env.CHROMA_URL;
  await server?.stop();
});

ls.describe("stockmem offline analyst, bundled sample, test 2015-Q4", () => {
  ls.test(
    "ACC and MCC equal an independent recomputation",
    { inputs: { dataset: "sample-q4" }, referenceOutputs: {} },
    async () => {
      const rows = result.examples.filter((e) => e.predicted !== null);
      const tp = rows.filter((e) => e.predicted === "up" && e.label === "up").length;
      const tn = rows.filter((e) => e.predicted === "down" && e.label === "down").length;
      const fp = rows.filter((e) => e.predicted === "up" && e.label === "down").length;
      const fn = rows.filter((e) => e.predicted === "down" && e.label === "up").length;
      const den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
      expect(result.report.overall.acc).toBeCloseTo((tp + tn) / rows.length, 12);
      expect(result.report.overall.mcc).toBeCloseTo(den ? (tp * tn - fp * fn) / den : 0, 12);
      expect(result.report.overall.accCI.low).toBeLessThanOrEqual(result.report.overall.acc);
      ls.logFeedback({ key: "acc", score: r3(result.report.overall.acc) });
      ls.logFeedback({ key: "mcc", score: r3(result.report.overall.mcc) });
      ls.logOutputs({
        experiment: result.experiment,
        n: rows.length,
        acc: r3(result.report.overall.acc),
        mcc: r3(result.report.overall.mcc),
      });
    },
  );

  ls.test("the baselines are right", { inputs: { dataset: "sample-q4" }, referenceOutputs: {} }, async () => {
    const ups = result.examples.filter((e) => e.label === "up").length;
    expect(result.report.baselines.alwaysUp.acc).toBeCloseTo(ups / result.examples.length, 12);
    expect(result.report.baselines.alwaysUp.mcc).toBe(0);
    ls.logFeedback({ key: "always_up_acc", score: r3(result.report.baselines.alwaysUp.acc) });
    ls.logFeedback({ key: "previous_day_acc", score: r3(result.report.baselines.previousDay.acc) });
  });

  ls.test(
    "every day is predicted and no citation postdates its prediction",
    { inputs: { dataset: "sample-q4" }, referenceOutputs: {} },
    async () => {
      expect(result.report.coverage).toBe(1);
      expect(result.citation_violations).toEqual([]);
      ls.logFeedback({ key: "coverage", score: result.report.coverage });
    },
  );
});

import { describe, expect, it } from "vitest";
import {
  baselineRows,
  bootstrap,
  citationViolations,
  type Outcome,
  report,
  SCORE_HEADER,
  score,
  scoreRow,
} from "../evals/metrics.ts";
import { accuracy, mcc } from "../src/metrics/classification.ts";

const pairs = (spec: [string, string, number][]) =>
  spec.flatMap(([p, a, n]) =>
    Array.from({ length: n }, () => ({ predicted: p as "up" | "down", actual: a as "up" | "down" })),
  );

describe("ACC and MCC", () => {
  it("match hand-computed confusion matrices", () => {
    // tp 6, tn 3, fp 2, fn 1: ACC 9/12; MCC (18 - 2) / sqrt(8 * 7 * 5 * 4) = 16 / sqrt(1120)
    const s = score(
      pairs([
        ["up", "up", 6],
        ["down", "down", 3],
        ["up", "down", 2],
        ["down", "up", 1],
      ]),
    );
    expect(s.confusion).toEqual({ tp: 6, tn: 3, fp: 2, fn: 1 });
    expect(s.acc).toBeCloseTo(0.75, 15);
    expect(s.mcc).toBeCloseTo(16 / Math.sqrt(1120), 15);
    expect(mcc({ tp: 5, tn: 5, fp: 0, fn: 0 })).toBe(1);
    expect(mcc({ tp: 0, tn: 0, fp: 5, fn: 5 })).toBe(-1);
  });

  it("define MCC of a degenerate matrix as 0", () => {
    expect(mcc({ tp: 7, tn: 0, fp: 3, fn: 0 })).toBe(0); // always up
    expect(mcc({ tp: 0, tn: 4, fp: 0, fn: 6 })).toBe(0); // always down
    expect(mcc({ tp: 0, tn: 0, fp: 0, fn: 0 })).toBe(0);
    expect(accuracy({ tp: 0, tn: 0, fp: 0, fn: 0 })).toBe(0);
  });
});

describe("bootstrap", () => {
  const p = pairs([
    ["up", "up", 20],
    ["down", "down", 10],
    ["up", "down", 8],
    ["down", "up", 5],
  ]);
  it("is deterministic with a seed and brackets the point estimate", () => {
    const a = bootstrap(p, { seed: 7, samples: 500 });
    expect(bootstrap(p, { seed: 7, samples: 500 })).toEqual(a);
    expect(bootstrap(p, { seed: 8, samples: 500 })).not.toEqual(a);
    const s = score(p);
    expect(a.acc.low).toBeLessThan(s.acc);
    expect(a.acc.high).toBeGreaterThan(s.acc);
    expect(a.mcc.low).toBeLessThan(s.mcc);
    expect(a.mcc.high).toBeGreaterThan(s.mcc);
  });
});

describe("report", () => {
  const o = (
    ticker: string,
    date: string,
    label: "up" | "down",
    predicted: "up" | "down" | null,
    prevReturn: number | null,
  ): Outcome => ({
    ticker,
    date,
    label,
    predicted,
    prevReturn,
  });
  const outcomes = [
    o("AAPL", "2015-10-01", "up", "up", 0.01),
    o("AAPL", "2015-10-02", "down", "up", -0.02),
    o("MSFT", "2015-10-01", "down", "down", 0.005),
    o("MSFT", "2015-11-02", "up", null, null),
  ];
  const r = report(outcomes, { up: 3, down: 5 }, { seed: 1, samples: 100 });

  it("scores predicted examples and reports coverage", () => {
    expect(r).toMatchObject({ n: 4, predicted: 3, coverage: 0.75 });
    expect(r.overall.acc).toBeCloseTo(2 / 3, 15);
    expect(r.byTicker.AAPL!.acc).toBe(0.5);
    expect(r.byTicker.MSFT!.n).toBe(1);
    expect(Object.keys(r.byMonth)).toEqual(["2015-10"]);
  });

  it("computes the baselines on every example", () => {
    expect(r.baselines.alwaysUp.acc).toBe(0.5);
    expect(r.baselines.alwaysUp.mcc).toBe(0);
    // previous day: up, down, up, up(unknown) vs up, down, down, up -> 3 of 4
    expect(r.baselines.previousDay.acc).toBe(0.75);
    expect(r.baselines.trainMajority).toMatchObject({ class: "down", acc: 0.5 });
  });

  it("reports each score pooled and as the mean of the stocks' own scores", () => {
    // predicted: AAPL 1 of 2 right, MSFT 1 of 1: pooled 2/3, mean of stocks (0.5 + 1) / 2
    expect(r.overall.perStock!.acc).toBeCloseTo(0.75, 15);
    expect(r.overall.acc).toBeCloseTo(2 / 3, 15);
    // previous day per stock: AAPL 2 of 2, MSFT 1 of 2
    expect(r.baselines.previousDay.perStock!.acc).toBeCloseTo(0.75, 15);
    expect(baselineRows(r).map((row) => row.length)).toEqual(baselineRows(r).map(() => SCORE_HEADER.length));
    expect(scoreRow("x", r)).toEqual([
      "x",
      3,
      "0.667",
      expect.stringMatching(/^\[/),
      expect.any(String),
      expect.stringMatching(/^\[/),
      "0.750",
      expect.any(String),
    ]);
  });
});

describe("citation check", () => {
  it("flags references that were not available at the prediction's asOf, or unknown", () => {
    const avail = (ref: string) =>
      ({ "rf:A:1": "2015-10-01T20:00:00Z", "rf:A:2": "2015-10-02T20:00:00Z" })[ref] ?? null;
    const v = citationViolations(
      [{ ticker: "A", date: "2015-10-01", as_of: "2015-10-01T20:00:00Z", references: ["rf:A:1", "rf:A:2", "rf:X:9"] }],
      avail,
    );
    expect(v.map((x) => x.reference)).toEqual(["rf:A:2", "rf:X:9"]);
  });
});

describe("experiment evaluators", () => {
  it("score each example and the whole experiment (ACC, MCC, coverage)", async () => {
    const { correctEvaluator, summaryEvaluator } = await import("../evals/evaluators.ts");
    expect(correctEvaluator({ outputs: { movement: "up" }, referenceOutputs: { movement: "up" } }).score).toBe(1);
    expect(correctEvaluator({ outputs: { movement: "down" }, referenceOutputs: { movement: "up" } }).score).toBe(0);
    expect(correctEvaluator({ outputs: { movement: null }, referenceOutputs: { movement: "up" } }).score).toBeNull();
    const out = summaryEvaluator(
      { up: 1, down: 1 },
      1,
    )({
      outputs: [{ movement: "up" }, { movement: "down" }, { movement: null }, { movement: "up" }],
      referenceOutputs: [{ movement: "up" }, { movement: "down" }, { movement: "up" }, { movement: "down" }],
    });
    const by = Object.fromEntries(out.results.map((r) => [r.key, r.score]));
    expect(by.acc).toBeCloseTo(2 / 3, 12);
    expect(by.coverage).toBe(0.75);
    expect(by.mcc).toBeCloseTo(0.5, 12); // tp 1, tn 1, fp 1, fn 0: (1 - 0) / sqrt(2 * 1 * 1 * 2)
  });
});

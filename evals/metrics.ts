/**
 * Evaluation metrics over a dataset's examples and an experiment's predictions. Pure, seeded.
 * ACC is over the examples that have a prediction; coverage says how many do. MCC of a degenerate
 * confusion matrix (a margin is empty) is 0. Baselines are computed on the same examples.
 */
import type { Movement } from "../src/domain/schemas.ts";
import { accuracy, type Confusion, confusion, mcc } from "../src/metrics/classification.ts";

/** A direction: the domain's Movement. */
export type Dir = Movement;

export interface Outcome {
  ticker: string;
  date: string;
  label: Dir;
  predicted: Dir | null;
  /** the move t-1 -> t, for the previous-day baseline */
  prevReturn: number | null;
}

export interface Interval {
  low: number;
  high: number;
}

export interface Score {
  n: number;
  acc: number;
  mcc: number;
  confusion: Confusion;
  /**
   * ACC and MCC computed per stock, then averaged over the stocks (as the paper reports them); pooled figures are acc
   * and mcc
   */
  perStock?: { acc: number; mcc: number };
}

export interface Report {
  n: number;
  predicted: number;
  coverage: number;
  overall: Score & { accCI: Interval; mccCI: Interval };
  byTicker: Record<string, Score>;
  byMonth: Record<string, Score>;
  /** logistic: the trained classical baseline (evals/logistic.ts), absent in results written before it */
  baselines: { alwaysUp: Score; previousDay: Score; trainMajority: Score & { class: Dir }; logistic?: Score };
}

export function score(pairs: readonly { predicted: Dir; actual: Dir }[]): Score {
  const c = confusion(pairs);
  return { n: pairs.length, acc: accuracy(c), mcc: mcc(c), confusion: c };
}

/** mulberry32: a small seeded PRNG, so a bootstrap is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quantile = (sorted: number[], q: number) => {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
};

/** 95 % percentile intervals of two statistics over `samples` resamplings (with replacement) of the rows, seeded. */
function percentileBootstrap<R>(
  rows: readonly R[],
  stat: (sample: R[]) => { acc: number; mcc: number },
  opts: { samples?: number; seed?: number },
): { acc: Interval; mcc: Interval } {
  const rnd = prng(opts.seed ?? 42);
  const accs: number[] = [];
  const mccs: number[] = [];
  if (rows.length > 0) {
    for (let k = 0; k < (opts.samples ?? 1000); k++) {
      const s = stat(Array.from({ length: rows.length }, () => rows[Math.floor(rnd() * rows.length)]!));
      accs.push(s.acc);
      mccs.push(s.mcc);
    }
  }
  accs.sort((x, y) => x - y);
  mccs.sort((x, y) => x - y);
  return {
    acc: { low: quantile(accs, 0.025), high: quantile(accs, 0.975) },
    mcc: { low: quantile(mccs, 0.025), high: quantile(mccs, 0.975) },
  };
}

/** Percentile bootstrap (resampling examples with replacement) of ACC and MCC: 95 % intervals. */
export function bootstrap(
  pairs: readonly { predicted: Dir; actual: Dir }[],
  opts: { samples?: number; seed?: number } = {},
): { acc: Interval; mcc: Interval } {
  return percentileBootstrap(
    pairs,
    (sample) => {
      const c = confusion(sample);
      return { acc: accuracy(c), mcc: mcc(c) };
    },
    opts,
  );
}

/**
 * Paired percentile bootstrap of B - A: the same resampled examples score both, so the interval is on
 * the difference itself (much narrower than two separate intervals when A and B mostly agree).
 */
export function pairedBootstrap(
  rows: readonly { a: Dir; b: Dir; actual: Dir }[],
  opts: { samples?: number; seed?: number } = {},
): { acc: Interval; mcc: Interval } {
  return percentileBootstrap(
    rows,
    (sample) => {
      const ca = confusion(sample.map((r) => ({ predicted: r.a, actual: r.actual })));
      const cb = confusion(sample.map((r) => ({ predicted: r.b, actual: r.actual })));
      return { acc: accuracy(cb) - accuracy(ca), mcc: mcc(cb) - mcc(ca) };
    },
    opts,
  );
}

function groupScores(outcomes: readonly Outcome[], key: (o: Outcome) => string): Record<string, Score> {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(key(o), [...(groups.get(key(o)) ?? []), o]);
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, score(pairsOf(groups.get(k)!))]));
}

const pairsOf = (outcomes: readonly Outcome[]) =>
  outcomes
    .filter((o): o is Outcome & { predicted: Dir } => o.predicted !== null)
    .map((o) => ({ predicted: o.predicted, actual: o.label }));

/** A direction per outcome scored pooled and per stock (the mean of each stock's ACC and MCC). */
export function scoreOutcomes(outcomes: readonly Outcome[], predicted: (o: Outcome) => Dir): Score {
  const pooled = score(outcomes.map((o) => ({ predicted: predicted(o), actual: o.label })));
  const tickers = [...new Set(outcomes.map((o) => o.ticker))];
  const per = tickers.map((t) =>
    score(outcomes.filter((o) => o.ticker === t).map((o) => ({ predicted: predicted(o), actual: o.label }))),
  );
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return { ...pooled, perStock: { acc: mean(per.map((s) => s.acc)), mcc: mean(per.map((s) => s.mcc)) } };
}

export function report(
  outcomes: readonly Outcome[],
  trainLabels: { up: number; down: number },
  opts: { samples?: number; seed?: number } = {},
): Report {
  const pairs = pairsOf(outcomes);
  const ci = bootstrap(pairs, opts);
  const majority: Dir = trainLabels.down > trainLabels.up ? "down" : "up";
  const withPredictions = outcomes.filter((o) => o.predicted !== null);
  return {
    n: outcomes.length,
    predicted: pairs.length,
    coverage: outcomes.length ? pairs.length / outcomes.length : 0,
    overall: { ...scoreOutcomes(withPredictions, (o) => o.predicted!), accCI: ci.acc, mccCI: ci.mcc },
    byTicker: groupScores(withPredictions, (o) => o.ticker),
    byMonth: groupScores(withPredictions, (o) => o.date.slice(0, 7)),
    baselines: {
      alwaysUp: scoreOutcomes(outcomes, () => "up"),
      // yesterday's move continues (a flat or unknown previous day counts as up)
      previousDay: scoreOutcomes(outcomes, (o) => (o.prevReturn !== null && o.prevReturn < 0 ? "down" : "up")),
      trainMajority: { ...scoreOutcomes(outcomes, () => majority), class: majority },
    },
  };
}

export interface CitationViolation {
  ticker: string;
  date: string;
  reference: string;
  availableAt: string | null;
  asOf: string;
}

/**
 * Every cited reference must have existed at the prediction's asOf. `availableAt` resolves a
 * reference id to the instant it became readable (null: unknown id, also a violation).
 */
export function citationViolations(
  predictions: readonly { ticker: string; date: string; as_of: string; references: readonly string[] }[],
  availableAt: (ref: string) => string | null,
): CitationViolation[] {
  const out: CitationViolation[] = [];
  for (const p of predictions) {
    for (const ref of p.references) {
      const at = availableAt(ref);
      if (at === null || Date.parse(at) > Date.parse(p.as_of))
        out.push({ ticker: p.ticker, date: p.date, reference: ref, availableAt: at, asOf: p.as_of });
    }
  }
  return out;
}

/** The columns of every score table: pooled ACC and MCC with their intervals, and the per-stock averages. */
export const SCORE_HEADER = [
  "",
  "n",
  "ACC",
  "ACC 95% CI",
  "MCC",
  "MCC 95% CI",
  "ACC (mean of stocks)",
  "MCC (mean of stocks)",
] as const;

const f3 = (x: number) => x.toFixed(3);
const perStockCells = (s: Score) => (s.perStock ? [f3(s.perStock.acc), f3(s.perStock.mcc)] : ["", ""]);

/** One table row of a configuration's score. */
export function scoreRow(name: string, r: Report): (string | number)[] {
  return [
    name,
    r.predicted,
    f3(r.overall.acc),
    `[${f3(r.overall.accCI.low)}, ${f3(r.overall.accCI.high)}]`,
    f3(r.overall.mcc),
    `[${f3(r.overall.mccCI.low)}, ${f3(r.overall.mccCI.high)}]`,
    ...perStockCells(r.overall),
  ];
}

/** The baselines' rows, scored on the same examples. */
export function baselineRows(r: Report): (string | number)[][] {
  const b = r.baselines;
  const row = (name: string, s: Score) => [name, r.n, f3(s.acc), "", f3(s.mcc), "", ...perStockCells(s)];
  return [
    row("always up", b.alwaysUp),
    row("previous day", b.previousDay),
    row(`train majority (${b.trainMajority.class})`, b.trainMajority),
    ...(b.logistic ? [row("logistic regression (events + previous return)", b.logistic)] : []),
  ];
}

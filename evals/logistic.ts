/**
 * A trained classical baseline: logistic regression on the same daily event-type and group vectors
 * over the window (w days x (57 + 13) bits, oldest first) plus the previous day's return, fit on the
 * training window only (every training label is known before the first test day), deterministic
 * (full-batch gradient descent from zero weights, fixed steps, L2). It answers what an LLM adds over a
 * linear model on the same events.
 */
import { seriesOf } from "../src/data/day-context.ts";
import type { MarketData } from "../src/data/load.ts";
import { findType, N_GROUPS, N_TYPES } from "../src/domain/taxonomy.ts";
import type { Dir } from "./metrics.ts";

export interface DayEvents {
  /** the window's days, oldest first (fewer than w at the start of the data: padded with empty days) */
  days: { group: string; type: string }[][];
  /** the move t-1 -> t (null when unknown) */
  prevReturn: number | null;
}

/** The feature vector of one ticker-day (a leading 1 for the intercept). */
export function features(x: DayEvents, w: number): number[] {
  const out = [1];
  const days = [...Array.from({ length: Math.max(0, w - x.days.length) }, () => []), ...x.days.slice(-w)];
  for (const events of days) {
    const types = new Array<number>(N_TYPES).fill(0);
    const groups = new Array<number>(N_GROUPS).fill(0);
    for (const e of events) {
      const t = findType(e.group, e.type);
      if (!t) continue;
      types[t.id] = 1;
      groups[t.groupId] = 1;
    }
    out.push(...types, ...groups);
  }
  // the previous day's return in percent, clipped so one crash day cannot dominate
  out.push(Math.max(-10, Math.min(10, (x.prevReturn ?? 0) * 100)) / 10);
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Weights of an L2-regularised logistic regression (intercept not penalised). */
export function fitLogistic(
  X: readonly number[][],
  y: readonly Dir[],
  o: { l2?: number; steps?: number; rate?: number } = {},
): number[] {
  const l2 = o.l2 ?? 0.1;
  const steps = o.steps ?? 400;
  const rate = o.rate ?? 0.5;
  const d = X[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  const n = X.length;
  if (n === 0) return w;
  for (let s = 0; s < steps; s++) {
    const grad = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      const x = X[i]!;
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j]! * x[j]!;
      const err = sigmoid(z) - (y[i] === "up" ? 1 : 0);
      for (let j = 0; j < d; j++) grad[j]! += err * x[j]!;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (grad[j]! / n + (j === 0 ? 0 : l2 * w[j]!));
  }
  return w;
}

export function predictLogistic(w: readonly number[], x: readonly number[]): Dir {
  let z = 0;
  for (let j = 0; j < w.length; j++) z += w[j]! * x[j]!;
  return z >= 0 ? "up" : "down";
}

/**
 * Fits on every training-window day of the dataset's tickers with an up/down label (none across a
 * price gap) and predicts each example. `eventsOf` returns a ticker's events of some days, read at
 * the close of the last one (point in time).
 */
export async function logisticPredictions(o: {
  data: MarketData;
  tickers: readonly string[];
  train: { from: string; to: string };
  examples: readonly { ticker: string; date: string }[];
  w: number;
  eventsOf: (ticker: string, dates: readonly string[]) => Promise<Map<string, { group: string; type: string }[]>>;
}): Promise<{ predictions: Map<string, Dir>; weights: number[] }> {
  const row = async (ticker: string, date: string) => {
    const s = seriesOf(o.data, ticker);
    const i = s.calendar.indexOf(date)!;
    const dates = s.calendar.dates.slice(Math.max(0, i - o.w + 1), i + 1);
    const byDate = await o.eventsOf(ticker, dates);
    return features(
      { days: dates.map((d) => byDate.get(d) ?? []), prevReturn: i > 0 ? s.days[i - 1]!.next_return : null },
      o.w,
    );
  };
  const X: number[][] = [];
  const y: Dir[] = [];
  for (const ticker of [...o.tickers].sort()) {
    for (const d of seriesOf(o.data, ticker).days) {
      if (d.date < o.train.from || d.date > o.train.to || d.spans_gap || (d.label !== "up" && d.label !== "down"))
        continue;
      X.push(await row(ticker, d.date));
      y.push(d.label);
    }
  }
  const w = fitLogistic(X, y);
  const predictions = new Map<string, Dir>();
  for (const e of o.examples) predictions.set(`${e.ticker} ${e.date}`, predictLogistic(w, await row(e.ticker, e.date)));
  return { predictions, weights: w };
}

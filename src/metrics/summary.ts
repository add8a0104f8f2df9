/** Scores of a set of predictions: per ticker and overall, beside the always-up baseline. Pure. */
import { accuracy, confusion, mcc, type Confusion } from "./classification.ts";

export interface Scored {
  ticker: string;
  movement: "up" | "down";
  label: "up" | "down" | "flat" | null;
}

export interface ScoreRow {
  ticker: string;
  predicted: number;
  scored: number;
  acc: number;
  mcc: number;
  alwaysUpAcc: number;
  confusion: Confusion;
}

function row(ticker: string, preds: readonly Scored[]): ScoreRow {
  const kept = preds.filter((p): p is Scored & { label: "up" | "down" } => p.label === "up" || p.label === "down");
  const c = confusion(kept.map((p) => ({ predicted: p.movement, actual: p.label })));
  const ups = kept.filter((p) => p.label === "up").length;
  return { ticker, predicted: preds.length, scored: kept.length, acc: accuracy(c), mcc: mcc(c), alwaysUpAcc: kept.length ? ups / kept.length : 0, confusion: c };
}

/** One row per ticker (sorted) and a final "ALL" row. Flat and unlabeled days are predicted but not scored. */
export function scoreTable(preds: readonly Scored[]): ScoreRow[] {
  const tickers = [...new Set(preds.map((p) => p.ticker))].sort();
  return [...tickers.map((t) => row(t, preds.filter((p) => p.ticker === t))), row("ALL", preds)];
}

/** Scores of a set of predictions: per ticker and overall, beside the always-up baseline. Pure. */
import { z } from "zod";
import type { Label, Movement } from "../domain/schemas.ts";
import { accuracy, confusion, mcc } from "./classification.ts";

export interface Scored {
  ticker: string;
  movement: Movement;
  label: Label | null;
  /** the label is a move across missing price rows: not scored unless gaps are allowed */
  spans_gap?: boolean;
}

export const ScoreRow = z.object({
  ticker: z.string(),
  predicted: z.number(),
  scored: z.number(),
  acc: z.number(),
  mcc: z.number(),
  alwaysUpAcc: z.number(),
  confusion: z.object({ tp: z.number(), tn: z.number(), fp: z.number(), fn: z.number() }),
});
export type ScoreRow = z.infer<typeof ScoreRow>;

function row(ticker: string, preds: readonly Scored[], allowGaps: boolean): ScoreRow {
  const kept = preds.filter(
    (p): p is Scored & { label: Movement } => (p.label === "up" || p.label === "down") && (allowGaps || !p.spans_gap),
  );
  const c = confusion(kept.map((p) => ({ predicted: p.movement, actual: p.label })));
  const ups = kept.filter((p) => p.label === "up").length;
  return {
    ticker,
    predicted: preds.length,
    scored: kept.length,
    acc: accuracy(c),
    mcc: mcc(c),
    alwaysUpAcc: kept.length ? ups / kept.length : 0,
    confusion: c,
  };
}

/**
 * One row per ticker (sorted) and a final "ALL" row. Flat and unlabeled days, and labels across a price gap (unless
 * allowed), are predicted but not scored.
 */
export function scoreTable(preds: readonly Scored[], o: { allowGaps?: boolean } = {}): ScoreRow[] {
  const tickers = [...new Set(preds.map((p) => p.ticker))].sort();
  const allow = o.allowGaps ?? false;
  return [
    ...tickers.map((t) =>
      row(
        t,
        preds.filter((p) => p.ticker === t),
        allow,
      ),
    ),
    row("ALL", preds, allow),
  ];
}

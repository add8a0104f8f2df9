/** Binary direction metrics, "up" as the positive class. Pure. */
import type { Movement } from "../domain/schemas.ts";

export interface Confusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

export function confusion(pairs: Iterable<{ predicted: Movement; actual: Movement }>): Confusion {
  const c = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (const { predicted, actual } of pairs) {
    if (predicted === "up") actual === "up" ? c.tp++ : c.fp++;
    else actual === "down" ? c.tn++ : c.fn++;
  }
  return c;
}

export function accuracy(c: Confusion): number {
  const n = c.tp + c.tn + c.fp + c.fn;
  return n === 0 ? 0 : (c.tp + c.tn) / n;
}

/** Matthews correlation; 0 when any margin of the confusion matrix is empty (the usual convention). */
export function mcc(c: Confusion): number {
  const den = (c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn);
  return den === 0 ? 0 : (c.tp * c.tn - c.fp * c.fn) / Math.sqrt(den);
}

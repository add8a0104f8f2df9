/** The target rule: the move of day t is the adjusted-close return from t to t+1. */
import type { Label } from "../domain/schemas.ts";

const DEFAULT_LABEL_THRESHOLD = 0.01;

/**
 * Simple return, rounded to 1e-12 so that a move of exactly 1 % (e.g. 100 -> 101) is 0.01, not 0.010000000000000009.
 */
export function simpleReturn(from: number, to: number): number {
  if (!(from > 0) || !(to > 0)) throw new RangeError(`returns need positive prices (got ${from} -> ${to})`);
  return Math.round((to / from - 1) * 1e12) / 1e12;
}

/** up if r > +threshold, down if r < -threshold, flat otherwise (a move of exactly 1 % is flat). */
export function labelOf(ret: number, threshold = DEFAULT_LABEL_THRESHOLD): Label {
  if (ret > threshold) return "up";
  if (ret < -threshold) return "down";
  return "flat";
}

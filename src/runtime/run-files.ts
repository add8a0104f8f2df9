/**
 * The prediction records of a run (<state dir>/runs/<run>/predictions.jsonl): one line per predicted
 * ticker-day, appended at each day's commit (see ledger.ts), with the label for scoring only.
 */

import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { messageOf } from "../domain/errors.ts";
import { Label, Prediction } from "../domain/schemas.ts";

export const PredictionRecord = Prediction.extend({
  label: Label.nullable(),
  next_return: z.number().nullable(),
  spans_gap: z.boolean().optional(),
});
export type PredictionRecord = z.infer<typeof PredictionRecord>;

/**
 * Reads a JSONL file written by us; a torn last line (a crash mid-write) is dropped, any other bad line is an error
 * naming file:line.
 */
function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(schema.parse(JSON.parse(line)));
    } catch (e) {
      if (i === lines.length - 1) return; // torn tail: no newline after it, never committed
      throw new Error(`${file}:${i + 1}: ${messageOf(e).slice(0, 200)}`);
    }
  });
  return out;
}

export function readPredictions(file: string): PredictionRecord[] {
  return readJsonl(file, PredictionRecord);
}

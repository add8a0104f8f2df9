/**
 * The prediction records of a run (<state dir>/runs/<run>/predictions.jsonl): one line per predicted
 * ticker-day, appended at each day's commit (see ledger.ts), with the label for scoring only.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { RunContext } from "../config/context.ts";
import { messageOf } from "../domain/errors.ts";
import { IsoDate } from "../domain/scalars.ts";
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

/** What a run was started with: enough to grow it later without its flags (`stockmem daily`). */
export const RunRecord = z.object({
  ctx: RunContext,
  dataDir: z.string(),
  tickers: z.array(z.string()).optional(),
  train: z.object({ from: IsoDate, to: IsoDate }),
  testFrom: IsoDate,
});
export type RunRecord = z.infer<typeof RunRecord>;

/** Writes a whole file or nothing (a temporary file renamed over it). */
export function writeWhole(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

export function readRunRecord(file: string): RunRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return RunRecord.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (e) {
    throw new Error(`${file}: ${messageOf(e).slice(0, 300)}`);
  }
}

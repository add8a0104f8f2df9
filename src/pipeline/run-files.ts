/**
 * The files of a run under <state dir>/runs/<run>/: predictions.jsonl (one line per predicted
 * ticker-day) and progress.jsonl (one line per finished phase of a ticker-day), so that a killed run
 * re-run under the same name skips what it finished and writes nothing twice.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Label, Prediction } from "../domain/schemas.ts";
import { scrub } from "../observability/secrets.ts";

export const PredictionRecord = Prediction.extend({ label: Label.nullable(), next_return: z.number().nullable() });
export type PredictionRecord = z.infer<typeof PredictionRecord>;

export type Phase = "ingest" | "reflect" | "predict" | "upkeep" | "grpo";

/** Reads a JSONL file written by us; a torn last line (a crash mid-write) is dropped, any other bad line is an error. */
function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(schema.parse(JSON.parse(line)));
    } catch (e) {
      if (i === lines.length - 1 || (i === lines.length - 2 && lines.at(-1) === "")) return; // torn tail
      throw new Error(`${file}:${i + 1}: ${(e as Error).message.slice(0, 200)}`);
    }
  });
  return out;
}

const ProgressLine = z.object({ ticker: z.string(), date: z.string(), phase: z.enum(["ingest", "reflect", "predict", "upkeep", "grpo"]) });

export class RunFiles {
  readonly dir: string;
  private readonly done = new Set<string>();
  private readonly preds = new Map<string, PredictionRecord>();

  constructor(stateDir: string, readonly run: string) {
    this.dir = join(stateDir, "runs", run);
    mkdirSync(this.dir, { recursive: true });
    for (const p of readJsonl(this.progressFile, ProgressLine)) this.done.add(`${p.ticker} ${p.date} ${p.phase}`);
    for (const p of readJsonl(this.predictionsFile, PredictionRecord)) this.preds.set(`${p.ticker} ${p.date}`, p);
  }

  get progressFile(): string {
    return join(this.dir, "progress.jsonl");
  }
  get predictionsFile(): string {
    return join(this.dir, "predictions.jsonl");
  }

  isDone(ticker: string, date: string, phase: Phase): boolean {
    return this.done.has(`${ticker} ${date} ${phase}`);
  }

  markDone(ticker: string, date: string, phase: Phase): void {
    if (this.isDone(ticker, date, phase)) return;
    appendFileSync(this.progressFile, JSON.stringify({ ticker, date, phase }) + "\n");
    this.done.add(`${ticker} ${date} ${phase}`);
  }

  prediction(ticker: string, date: string): PredictionRecord | undefined {
    return this.preds.get(`${ticker} ${date}`);
  }

  addPrediction(p: PredictionRecord): void {
    if (this.preds.has(`${p.ticker} ${p.date}`)) return;
    appendFileSync(this.predictionsFile, scrub(JSON.stringify(p)) + "\n");
    this.preds.set(`${p.ticker} ${p.date}`, p);
  }

  predictions(): PredictionRecord[] {
    return [...this.preds.values()].sort((a, b) => a.date.localeCompare(b.date) || a.ticker.localeCompare(b.ticker));
  }

  /** Forgets everything of this run (its memory is reset separately). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.done.clear();
    this.preds.clear();
  }
}

export function readPredictions(file: string): PredictionRecord[] {
  return readJsonl(file, PredictionRecord);
}

/**
 * A run's predictions as a report's input (`stockmem report --run NAME`): any run, not only an eval experiment. Scored
 * as the experiments are (flat days and labels across a price gap left out), with the same baselines; the majority
 * class of its training window comes from its data.
 */
import { existsSync } from "node:fs";
import { predictionsFile, runRecordFile } from "../src/config/paths.ts";
import { readMarket } from "../src/runtime/market.ts";
import { type PredictionRecord, readPredictions, readRunRecord } from "../src/runtime/run-files.ts";
import { type Outcome, report } from "./metrics.ts";
import type { ReportInput } from "./report.ts";

/** A run the report cannot be made of: no predictions here. */
export class NoPredictionsError extends Error {
  override name = "NoPredictionsError";
}

const scored = (p: PredictionRecord): p is PredictionRecord & { label: "up" | "down" } =>
  (p.label === "up" || p.label === "down") && !p.spans_gap;

export async function runReport(run: string): Promise<ReportInput> {
  const file = predictionsFile(run);
  const preds = existsSync(file) ? readPredictions(file) : [];
  if (preds.length === 0)
    throw new NoPredictionsError(
      `run "${run}" has no predictions here (${file}): \`stockmem run --run ${run}\` makes them`,
    );
  const record = readRunRecord(runRecordFile(run));
  // the move into each day: the same ticker's previous call's next return (the previous-day baseline's input)
  const prev = new Map<string, number | null>();
  const last = new Map<string, PredictionRecord>();
  for (const p of [...preds].sort((a, b) => a.date.localeCompare(b.date))) {
    prev.set(`${p.ticker} ${p.date}`, last.get(p.ticker)?.next_return ?? null);
    last.set(p.ticker, p);
  }
  const outcomes: Outcome[] = preds.filter(scored).map((p) => ({
    ticker: p.ticker,
    date: p.date,
    label: p.label,
    predicted: p.movement,
    prevReturn: prev.get(`${p.ticker} ${p.date}`) ?? null,
  }));
  const train = { up: 0, down: 0 };
  if (record) {
    const data = await readMarket({ run, tickers: record.tickers });
    for (const s of data.series.values())
      for (const d of s.days)
        if (d.date >= record.train.from && d.date <= record.train.to && (d.label === "up" || d.label === "down"))
          train[d.label]++;
  }
  const newest = preds.at(-1)!;
  return {
    title: `run ${run}`,
    about: `${record ? `on ${record.dataDir}, trained ${record.train.from}..${record.train.to}; ` : ""}${preds.length} calls ${preds[0]!.date}..${newest.date}; models ${[...new Set(Object.values(newest.models))].join(", ")}`,
    report: report(outcomes, train, { seed: 1 }),
    calls: preds.map((p) => ({
      ticker: p.ticker,
      date: p.date,
      predicted: p.movement,
      label: p.label,
      next_return: p.next_return,
      correct: scored(p) ? p.movement === p.label : null,
      reason: p.reason,
      references: p.references,
    })),
  };
}

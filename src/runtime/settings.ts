/** What identifies a run's experiment: resuming a run with other settings would mix two experiments. */
import { createHash } from "node:crypto";
import type { RunContext } from "../config/context.ts";
import { marketDataDir } from "../config/paths.ts";

interface SettingsOf {
  ctx: RunContext;
  dataDir?: string;
  tickers?: readonly string[];
  train: { from: string; to: string };
  test: { from: string; to: string };
}

const hash = (o: SettingsOf, test: unknown) => {
  const { cache: _c, budgetCalls: _b, budgetTokens: _t, maxConcurrency: _m, ...ctx } = o.ctx;
  const tickers = o.tickers?.length ? [...new Set(o.tickers)].sort() : "all";
  const text = JSON.stringify({ ctx, dataDir: marketDataDir(o.dataDir), tickers, train: o.train, test });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
};

/**
 * A hash of the run context (minus what only affects cost: cache, budgets, concurrency), the data
 * dir, the set of tickers (order-free), the training window and the test window's start. The test
 * window's end is not part of it: a run grows forward (`stockmem daily`, `run --test FROM:`).
 */
export function runSettings(o: SettingsOf): string {
  return hash(o, { from: o.test.from });
}

/** Whether a run's recorded settings are these: today's hash, or the one of runs made before runs could grow (it held the test window's end). */
export function sameSettings(recorded: string, o: SettingsOf, recordedTestEnd?: string): boolean {
  return (
    recorded === runSettings(o) ||
    (recordedTestEnd !== undefined && recorded === hash(o, { ...o.test, to: recordedTestEnd }))
  );
}

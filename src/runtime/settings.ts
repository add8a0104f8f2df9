/** What identifies a run's experiment: resuming a run with other settings would mix two experiments. */
import { createHash } from "node:crypto";
import type { RunContext } from "../config/context.ts";
import { marketDataDir } from "../config/paths.ts";

/**
 * A hash of the run context (minus what only affects cost: cache, budgets, concurrency), the data
 * dir, the set of tickers (order-free) and the windows.
 */
export function runSettings(o: {
  ctx: RunContext;
  dataDir?: string;
  tickers?: readonly string[];
  train: unknown;
  test: unknown;
}): string {
  const { cache: _c, budgetCalls: _b, budgetTokens: _t, maxConcurrency: _m, ...ctx } = o.ctx;
  const tickers = o.tickers?.length ? [...new Set(o.tickers)].sort() : "all";
  const text = JSON.stringify({ ctx, dataDir: marketDataDir(o.dataDir), tickers, train: o.train, test: o.test });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

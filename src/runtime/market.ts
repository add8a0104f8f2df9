/**
 * The one way the product reads market data. Every command and graph that reads a data dir (run, daily, chat,
 * data stats, eval dataset, the eval runner, Studio's graphs) asks `readMarket`; sources never read it, they fill it
 * (`stockmem data pull`). `loadMarketData` (src/data/load.ts) is the parser behind it.
 *
 * What it decides, in one place: which dir (the flag or context, else the named run's recorded dir, else
 * STOCKMEM_MARKET_DATA, else the bundled sample), whether the caller may read it (a graph run from the dev server
 * reads only the project's configured dirs), and under which limits (the flags, else the context's, else the run's).
 */

import { marketDataDir, runRecordFile } from "../config/paths.ts";
import { admittedDataDir } from "../config/studio.ts";
import { type LoadOptions, loadMarketData, type MarketData } from "../data/load.ts";
import { readRunRecord } from "./run-files.ts";

export interface MarketRequest extends LoadOptions {
  /** the --data flag, or a graph context's dataDir */
  dataDir?: string;
  /** a run whose record (runs/NAME/run.json) gives the data dir and limits when the request gives none */
  run?: string;
  /** "studio": a graph run from the dev server, which may read only the project's configured data dirs */
  caller?: "cli" | "studio";
}

/** The data dir a request reads (not yet read). */
export function marketDirOf(r: MarketRequest): string {
  if (r.caller === "studio") return admittedDataDir(r.dataDir);
  if (r.dataDir !== undefined) return marketDataDir(r.dataDir);
  const recorded = r.run ? readRunRecord(runRecordFile(r.run)) : undefined;
  return marketDataDir(recorded?.dataDir);
}

export async function readMarket(r: MarketRequest = {}): Promise<MarketData> {
  const { dataDir, run, caller: _, ...load } = r;
  const recorded = run && dataDir === undefined && !load.ctx ? readRunRecord(runRecordFile(run)) : undefined;
  return loadMarketData(marketDirOf(r), { ...load, ctx: load.ctx ?? recorded?.ctx });
}

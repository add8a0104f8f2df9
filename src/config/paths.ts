/** Where things live. One home for the defaults of the market data dir and the state dir. */
import { chmodSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The bundled sample (a slice of StockNet ACL18, MIT): the default market data. */
export const SAMPLE_DATA_DIR = join(PACKAGE_ROOT, "data/sample");

/** Market data dir: --data, else STOCKMEM_MARKET_DATA, else the bundled sample. */
export function marketDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.STOCKMEM_MARKET_DATA ?? SAMPLE_DATA_DIR);
}

/** State dir (Chroma data, traces, caches, predictions): STOCKMEM_DATA_DIR, default .stockmem/ in the working directory. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STOCKMEM_DATA_DIR ?? ".stockmem");
}

/** The state dir, created owner-only (0700) or narrowed to it: memory, checkpoints and traces are private. */
export function privateStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** The files of a run: <state dir>/runs/<run>/ (predictions.jsonl, grpo.jsonl, the lock). */
export function runDir(run: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "runs", run);
}
export const predictionsFile = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "predictions.jsonl");
export const grpoFile = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "grpo.jsonl");

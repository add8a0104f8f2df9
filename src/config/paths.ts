/** Where things live. One home for the defaults of the market data dir and the state dir. */
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The bundled sample (a slice of StockNet ACL18, MIT): the default market data. */
export const SAMPLE_DATA_DIR = join(PACKAGE_ROOT, "data/sample");

/** Market data dir: --data, else STOCKMEM_MARKET_DATA, else the bundled sample. */
export function marketDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.STOCKMEM_MARKET_DATA ?? SAMPLE_DATA_DIR);
}

/**
 * The project a command runs in: the nearest directory, from the working directory up, that holds a
 * package.json or a .stockmem dir (so `cd evals && stockmem memory stats` finds the project's state);
 * the working directory when there is none.
 */
export function projectRoot(cwd: string = process.cwd()): string {
  let root = roots.get(cwd);
  if (root === undefined) {
    for (let dir = resolve(cwd); root === undefined; dir = dirname(dir)) {
      if (existsSync(join(dir, "package.json")) || existsSync(join(dir, ".stockmem"))) root = dir;
      else if (dirname(dir) === dir) root = resolve(cwd);
    }
    roots.set(cwd, root);
  }
  return root;
}
const roots = new Map<string, string>();

/**
 * State dir (Chroma data, traces, caches, predictions): STOCKMEM_DATA_DIR (relative to the project root), default
 * <project root>/.stockmem.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(projectRoot(), env.STOCKMEM_DATA_DIR ?? ".stockmem");
}

/**
 * Reads <project root>/.env (as Studio does): a variable already set in the environment wins. Returns
 * the names it set. Node's own parser (`util.parseEnv`), so quoting follows `node --env-file`.
 */
export function loadDotEnv(file: string = join(projectRoot(), ".env"), env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(file)) return [];
  const set: string[] = [];
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, "utf8")))) {
    if (env[k] !== undefined) continue;
    env[k] = v;
    set.push(k);
  }
  return set;
}

/** Where the managed Chroma server keeps its data, under a state dir. */
export const chromaDir = (state: string = stateDir()): string => join(state, "chroma");

/** The state dir, created owner-only (0700) or narrowed to it: memory, checkpoints and traces are private. */
export function privateStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** The files of a run: <state dir>/runs/<run>/ (predictions.jsonl, grpo.jsonl, the lock). */
export function runDir(run: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runsDir(env), run);
}

/** Where a state dir keeps the files of every run. */
export const runsDir = (env: NodeJS.ProcessEnv = process.env): string => join(stateDir(env), "runs");
export const predictionsFile = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "predictions.jsonl");
export const grpoFile = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "grpo.jsonl");
/** What a run was started with (its context, data dir, tickers, windows): what `stockmem daily` grows it with. */
export const runRecordFile = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "run.json");
/** The daily reports of a run: `<date>.json` and `<date>.html`. */
export const dailyDir = (run: string, env?: NodeJS.ProcessEnv) => join(runDir(run, env), "daily");

/**
 * Disk hygiene: what a run occupies (memory records, trace and run files) and `memory gc`, which
 * removes eval runs (`ev-<time>-<id>`, made by `eval run` and `eval ablations`) with their Chroma
 * collections, trace, run files and checkpoint thread. Named runs are the user's: never removed here.
 */
import { existsSync, readdirSync, rmSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { runDir, runsDir, stateDir } from "../config/paths.ts";
import { listRuns, resetRun } from "../memory/store.ts";
import { traceFile, tracesDir } from "../observability/trace.ts";
import { type Checkpointer, vacuum } from "./checkpointer.ts";
import { lockRun } from "./lock.ts";

/** How many eval runs `memory gc` keeps unless told otherwise. */
export const GC_KEEP = 3;

/** The name of an eval run made at `at`: `ev-<UTC yyyymmddhhmmss>-<random>` (evalRunTime reads it back). */
export function evalRunName(at: Date): string {
  return `ev-${at
    .toISOString()
    .replace(/[-:.TZ]/g, "")
    .slice(0, 14)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** When an eval run was made, from its name (`ev-20261121164133-k2x9`); undefined for other runs. */
export function evalRunTime(run: string): Date | undefined {
  const m = /^ev-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[a-z0-9]+$/.exec(run);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/**
 * Which eval runs to remove (pure): all but the newest `keep`, and of those only the ones older than
 * `olderThanDays` when given. Other runs are never chosen.
 */
export function gcChoice(runs: readonly string[], o: { keep: number; olderThanDays?: number; now: Date }): string[] {
  const evals = runs
    .map((run) => ({ run, at: evalRunTime(run) }))
    .filter((x): x is { run: string; at: Date } => x.at !== undefined)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || a.run.localeCompare(b.run));
  const cutoff = o.olderThanDays === undefined ? Infinity : o.now.getTime() - o.olderThanDays * 86_400_000;
  return evals
    .slice(o.keep)
    .filter((x) => x.at.getTime() < cutoff)
    .map((x) => x.run);
}

/** Bytes of a file or directory tree (0 when absent). */
export function bytesOf(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + bytesOf(join(path, f)), 0);
}

/** The files a run wrote outside the memory: its trace and its run dir (predictions, GRPO groups). */
export const runFileBytes = (run: string): number => bytesOf(traceFile(stateDir(), run)) + bytesOf(runDir(run));

/** Every run known to the state dir: in the memory, or with a trace or run files. */
export async function knownRuns(url: string): Promise<string[]> {
  const names = new Set((await listRuns(url)).map((r) => r.run));
  const traces = tracesDir(stateDir());
  if (existsSync(traces)) for (const f of readdirSync(traces)) if (f.endsWith(".jsonl")) names.add(f.slice(0, -6));
  const runs = runsDir();
  if (existsSync(runs)) for (const f of readdirSync(runs)) names.add(f);
  return [...names].sort();
}

export interface Removed {
  run: string;
  collections: string[];
  bytes: number;
}

/**
 * Removes one run: its collections, trace, run files and checkpoint thread. Refuses (RunLockedError)
 * while a live process holds the run.
 */
export async function removeRun(url: string, run: string, cp: Checkpointer): Promise<Removed> {
  const lock = lockRun(join(runDir(run), "lock"), run);
  try {
    const bytes = runFileBytes(run);
    const collections = await resetRun(url, run);
    await cp.deleteThread(run);
    rmSync(traceFile(stateDir(), run), { force: true });
    rmSync(runDir(run), { recursive: true, force: true });
    return { run, collections, bytes };
  } finally {
    lock.release();
  }
}

/** What giving the disk back did: the store's size before and after, and the index folders of deleted collections. */
export interface Reclaimed {
  before: number;
  after: number;
  folders: number;
  /** why nothing (or not all) could be given back */
  note?: string;
}

const UUID_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Gives a local Chroma store's space back after collections were deleted: Chroma 1.0 deletes a collection's rows but
 * leaves its vector index folder and the database's free pages. A folder no segment of the database names is removed
 * (the folders are listed before the segments are read, so a collection created meanwhile, whose row comes before its
 * folder, is never taken for one), then the database is vacuumed.
 */
export async function reclaimChroma(dir: string): Promise<Reclaimed> {
  const before = bytesOf(dir);
  const dbFile = join(dir, "chroma.sqlite3");
  if (!existsSync(dbFile)) return { before, after: before, folders: 0 };
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && UUID_DIR.test(e.name))
    .map((e) => e.name);
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(dbFile, { timeout: 5000 });
  let removed = 0;
  let note: string | undefined;
  try {
    const live = new Set(db.prepare("SELECT id FROM segments").pluck().all() as string[]);
    for (const f of folders.filter((x) => !live.has(x))) {
      rmSync(join(dir, f), { recursive: true, force: true });
      removed++;
    }
    if (!vacuum(db)) note = "another process is using the Chroma store: its free pages come back at the next gc";
  } finally {
    db.close();
  }
  return { before, after: bytesOf(dir), folders: removed, note };
}

/**
 * Whether the disk holding `dir` is all but full (less than 8 MiB free). What fails on a full disk does not always say
 * so: Chroma's compaction answers only "Failed to apply logs to the metadata segment".
 */
export function diskAlmostFull(dir: string): boolean {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize < 8 * 2 ** 20;
  } catch {
    return false;
  }
}

/**
 * Durable execution: LangGraph's checkpointers, nothing home-made. SQLite in the state dir by
 * default; PostgreSQL when STOCKMEM_CHECKPOINT_URL is a postgres:// URL. A run is a thread.
 *
 * A damaged SQLite file (a torn disk, bytes overwritten) is named with the way out: `--fresh` moves it
 * aside (kept, never deleted) and starts a new one, as a damaged Chroma store is.
 */

import { closeSync, existsSync, mkdirSync, openSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { messageOf } from "../domain/errors.ts";

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  /** where the checkpoints live (a file, or the URL without its password) */
  where: string;
  /** the SQLite file (undefined on PostgreSQL) */
  file?: string;
  /** SQLite's quick integrity check: "ok", or the first problem it found (undefined on PostgreSQL) */
  quickCheck?(): string;
  /** forgets a run's thread (for --fresh) */
  deleteThread(threadId: string): Promise<void>;
  /**
   * Drops the given checkpoints of a thread and the pending writes of the given ones: only these, so a
   * step written meanwhile is never touched. With `final` (the run is over, nothing is being written),
   * PostgreSQL's channel blobs that no remaining checkpoint uses go too (while a run writes, a new
   * checkpoint may rely on a blob no committed checkpoint names yet). SQLite gives the space back when
   * most of the file is free (a VACUUM of the live part). Returns the checkpoints dropped.
   */
  compact(
    threadId: string,
    drop: { checkpoints: readonly string[]; writes: readonly string[] },
    o?: { final?: boolean },
  ): Promise<number>;
  /** Gives a removed thread's space back to the disk (SQLite: a VACUUM); false when the store keeps it (PostgreSQL reuses it). */
  reclaim(): boolean;
  close(): Promise<void>;
}

/** The checkpoint database cannot be read: SQLite says the file is malformed or not a database. */
export class CheckpointDamagedError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `the checkpoint database ${file} is damaged (${messageOf(cause)}): \`stockmem run --fresh\` moves it aside (kept, not deleted) and starts a new one; the checkpoints of the other runs of this state dir stay in the moved file`,
    );
    this.name = "CheckpointDamagedError";
  }
}

/** SQLite's own verdict that a file is damaged (better-sqlite3 error codes). */
export function isDamage(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/** Moves a damaged store aside, kept (a SQLite file with its -wal and -shm, or a directory); returns where it went. */
export function moveAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

export async function openCheckpointer(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Checkpointer> {
  const url = env.STOCKMEM_CHECKPOINT_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new Error(
        `STOCKMEM_CHECKPOINT_URL must be a postgres:// URL (got "${redact(url)}"); unset it for the SQLite file in the state dir`,
      );
    const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: url });
    const saver = new PostgresSaver(pool); // our own pool: compaction runs its SQL on it
    try {
      await saver.setup();
    } catch (e) {
      await saver.end().catch(() => {});
      throw new Error(`cannot use the checkpoint database ${redact(url)}: ${messageOf(e)}`);
    }
    faultHook(saver, env);
    return {
      saver,
      where: redact(url),
      deleteThread: (t) => saver.deleteThread(t),
      reclaim: () => false, // autovacuum reuses the space; VACUUM FULL would lock the tables of every live run
      compact: async (thread, drop, o = {}) => {
        const c = await pool.connect();
        try {
          await c.query("BEGIN");
          await c.query("DELETE FROM checkpoint_writes WHERE thread_id = $1 AND checkpoint_id = ANY($2)", [
            thread,
            [...drop.writes],
          ]);
          const gone = await c.query("DELETE FROM checkpoints WHERE thread_id = $1 AND checkpoint_id = ANY($2)", [
            thread,
            [...drop.checkpoints],
          ]);
          if (o.final)
            await c.query(
              `DELETE FROM checkpoint_blobs b WHERE b.thread_id = $1 AND NOT EXISTS (SELECT 1 FROM checkpoints k WHERE k.thread_id = b.thread_id
               AND k.checkpoint_ns = b.checkpoint_ns AND k.checkpoint->'channel_versions'->>b.channel = b.version)`,
              [thread],
            );
          await c.query("COMMIT");
          return gone.rowCount ?? 0;
        } catch (e) {
          await c.query("ROLLBACK").catch(() => {});
          throw e;
        } finally {
          c.release();
        }
      },
      close: () => saver.end(),
    };
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, "checkpoints.sqlite");
  const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
  closeSync(openSync(file, "a", 0o600)); // created owner-only (SQLite gives its -wal and -shm files the same mode)
  const saver = SqliteSaver.fromConnString(file);
  const named = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e) => {
      throw isDamage(e) ? new CheckpointDamagedError(file, e) : e;
    });
  try {
    // SqliteSaver creates its tables lazily, but deleteThread (1.0.4) does not: any read creates them.
    await named(saver.getTuple({ configurable: { thread_id: "" } }));
  } catch (e) {
    saver.db.close();
    throw e;
  }
  faultHook(saver, env);
  return {
    saver,
    where: file,
    file,
    quickCheck: () => String(saver.db.pragma("quick_check(1)", { simple: true })),
    deleteThread: (t) => named(saver.deleteThread(t)),
    compact: async (thread, drop) => {
      const db = saver.db;
      const gone = db.transaction(() => {
        const dropWrites = db.prepare("DELETE FROM writes WHERE thread_id = ? AND checkpoint_id = ?");
        for (const id of drop.writes) dropWrites.run(thread, id);
        const dropCheckpoint = db.prepare("DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id = ?");
        let n = 0;
        for (const id of drop.checkpoints) n += dropCheckpoint.run(thread, id).changes;
        return n;
      })();
      // the file shrinks only by a VACUUM: worth it when most of it is free
      const pages = Number(db.pragma("page_count", { simple: true }));
      const free = Number(db.pragma("freelist_count", { simple: true }));
      if (free > pages / 2) vacuum(db);
      return gone;
    },
    reclaim: () => vacuum(saver.db),
    close: async () => void saver.db.close(),
  };
}

/**
 * Fault injection for the crash tests: `STOCKMEM_FAULT_KILL_AFTER=putWrites:N` (or `put:N`) kills the
 * process with SIGKILL right after the saver's N-th call of that method has been written, the windows
 * where a crash leaves task writes without the checkpoint that follows them. Unset, nothing changes.
 */
function faultHook(saver: BaseCheckpointSaver, env: NodeJS.ProcessEnv): void {
  const m = env.STOCKMEM_FAULT_KILL_AFTER?.match(/^(putWrites|put):(\d+)$/);
  if (!m) return;
  const method = m[1] as "put" | "putWrites";
  const at = Number(m[2]);
  const original = saver[method].bind(saver) as (...a: unknown[]) => Promise<unknown>;
  let n = 0;
  (saver as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    const out = await original(...args);
    if (++n === at) process.kill(process.pid, "SIGKILL");
    return out;
  };
}

/**
 * VACUUM and empty the write-ahead log: the file gives its free pages back. Another process on the file (SQLITE_BUSY)
 * just means later: the pages are reused by the next writes meanwhile. Returns whether it ran.
 */
export function vacuum(db: { exec(sql: string): unknown; pragma(sql: string): unknown }): boolean {
  try {
    db.exec("VACUUM");
    db.pragma("wal_checkpoint(TRUNCATE)");
    return true;
  } catch {
    return false;
  }
}

/**
 * Durable execution: LangGraph's checkpointers, nothing home-made. SQLite in the state dir by
 * default; PostgreSQL when STOCKMEM_CHECKPOINT_URL is a postgres:// URL. A run is a thread.
 */
import { messageOf } from "../domain/errors.ts";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  /** where the checkpoints live (a file, or the URL without its password) */
  where: string;
  /** forgets a run's thread (for --fresh) */
  deleteThread(threadId: string): Promise<void>;
  close(): Promise<void>;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

export async function openCheckpointer(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Checkpointer> {
  const url = env.STOCKMEM_CHECKPOINT_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new Error(`STOCKMEM_CHECKPOINT_URL must be a postgres:// URL (got "${redact(url)}"); unset it for the SQLite file in the state dir`);
    const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
    const saver = PostgresSaver.fromConnString(url);
    try {
      await saver.setup();
    } catch (e) {
      await saver.end().catch(() => {});
      throw new Error(`cannot use the checkpoint database ${redact(url)}: ${messageOf(e)}`);
    }
    return { saver, where: redact(url), deleteThread: (t) => saver.deleteThread(t), close: () => saver.end() };
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, "checkpoints.sqlite");
  const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
  closeSync(openSync(file, "a", 0o600)); // created owner-only (SQLite gives its -wal and -shm files the same mode)
  const saver = SqliteSaver.fromConnString(file);
  // SqliteSaver creates its tables lazily, but deleteThread (1.0.4) does not: any read creates them.
  await saver.getTuple({ configurable: { thread_id: "" } });
  return {
    saver,
    where: file,
    deleteThread: (t) => saver.deleteThread(t),
    close: async () => (saver as unknown as { db: { close(): void } }).db.close(),
  };
}

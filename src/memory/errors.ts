import { messageOf } from "../domain/errors.ts";
export class MemoryUnavailableError extends Error {
  constructor(url: string, op: string, cause: unknown) {
    super(
      `Chroma at ${url} is unreachable (${op}): ${messageOf(cause)}. ` +
        `Records written before this point are kept; re-run the same command with the same --run to resume (writes are idempotent).`,
      { cause },
    );
    this.name = "MemoryUnavailableError";
  }
}

export class EmbeddingMismatchError extends Error {
  constructor(collection: string, stored: string, wanted: string) {
    super(
      `collection "${collection}" holds embeddings of "${stored}" but this run embeds with "${wanted}": ` +
        `their vectors are not comparable. Use another --run, the same embedding model, or \`stockmem memory reset --run <name>\`.`,
    );
    this.name = "EmbeddingMismatchError";
  }
}

/** A read-only entry (chat, Studio's predict and chat) named a run with no memory: never created empty. */
export class UnknownRunError extends Error {
  constructor(run: string, known: readonly string[], how: string) {
    super(
      `run "${run}" has no memory here (${known.length ? `runs with memory: ${known.join(", ")}` : "no run has memory yet"}): ${how}`,
    );
    this.name = "UnknownRunError";
  }
}

/**
 * The response cache: model answers on disk, keyed by (model id, prompt id and version, input), so
 * re-runs and evals are free and reproducible. Only answers that passed validation are stored.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { scrub } from "../observability/secrets.ts";

/** JSON with object keys sorted, so equal inputs give equal keys. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface CacheEntry {
  model: string;
  prompt: string;
  text: string;
  created_at: string;
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  key(modelId: string, promptId: string, promptVersion: string, input: unknown): string {
    return createHash("sha256")
      .update(`${modelId}\u0000${promptId}@${promptVersion}\u0000${stableStringify(input)}`)
      .digest("hex");
  }

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CacheEntry | undefined {
    const f = this.file(key);
    if (!existsSync(f)) return undefined;
    try {
      return JSON.parse(readFileSync(f, "utf8")) as CacheEntry;
    } catch {
      return undefined; // a torn write: treat as a miss, it will be rewritten
    }
  }

  set(key: string, entry: Omit<CacheEntry, "created_at">): void {
    const f = this.file(key);
    mkdirSync(dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, scrub(JSON.stringify({ ...entry, created_at: new Date().toISOString() })), { mode: 0o600 });
    renameSync(tmp, f); // atomic: a crash never leaves half an entry under the real name
  }
}

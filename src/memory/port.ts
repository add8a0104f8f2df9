/**
 * The memory as the pipeline sees it: a port passed in, never a global. Every read takes `asOf` and
 * returns nothing readable after it. The product's implementation is the Chroma store (store.ts); an
 * in-memory one (in-memory.ts) serves fast unit tests of the graphs.
 *
 * A fingerprint names the memory a checkpoint relies on: per collection, the number of records
 * readable at an instant and an order-independent hash of their ids. A resume compares it with the
 * memory it finds, so a reset, a deleted Chroma dir or another CHROMA_URL cannot go unnoticed.
 */
import { createHash } from "node:crypto";
import type { StoredEvent } from "../domain/events.ts";
import type { MemoryLayer, Reflection } from "../domain/schemas.ts";
import type { Embedder } from "./embeddings.ts";
import type { StoredLayerRecord } from "./records.ts";

export const KINDS = ["events", "reflections", "layers"] as const;
export type Kind = (typeof KINDS)[number];
export type AsOf = string | number | Date;

export interface WindowFilter {
  /** only records at or before this instant (required: point-in-time) */
  asOf: AsOf;
  ticker?: string;
  /** trading-date window [from, to], inclusive */
  from?: string;
  to?: string;
}

export interface Hit<T> {
  record: T;
  /** cosine similarity in [-1, 1] */
  similarity: number;
}

export interface CollectionPrint {
  count: number;
  /** XOR of the 64-bit hashes of the ids (hex): independent of write order */
  hash: string;
}
export type Fingerprint = Record<Kind, CollectionPrint>;

export interface MemoryPort {
  readonly run: string;
  readonly embedder: Embedder;
  /** where the memory lives (shown in integrity messages) */
  readonly location: string;

  /** With `defer`, the records are readable at once and reach the store of record in the background (see `seal`). */
  putEvents(events: StoredEvent[], o?: { defer?: boolean }): Promise<number>;
  getEvents(f: WindowFilter & { ids?: string[] }): Promise<StoredEvent[]>;
  searchEvents(q: WindowFilter & { text?: string; embedding?: number[]; k: number }): Promise<Hit<StoredEvent>[]>;
  searchEventsBatch(q: WindowFilter & { embeddings: number[][]; k: number }): Promise<Hit<StoredEvent>[][]>;
  deleteEvents(ticker: string, date: string): Promise<void>;

  putReflections(reflections: Reflection[], o?: { defer?: boolean }): Promise<number>;
  getReflections(f: WindowFilter): Promise<Reflection[]>;
  searchReflections(q: WindowFilter & { text?: string; embedding?: number[]; k: number }): Promise<Hit<Reflection>[]>;
  /**
   * Reflections written since `cursor` (0: all), in write order: lets the Jaccard index grow instead of being rebuilt.
   */
  reflectionsSince(cursor: number): Promise<{ reflections: Reflection[]; cursor: number }>;

  putLayerRecords(records: StoredLayerRecord[], o?: { defer?: boolean }): Promise<number>;
  /** live (not pruned) layer records readable at asOf */
  getLayerRecords(f: WindowFilter & { layers?: readonly MemoryLayer[]; ids?: string[] }): Promise<StoredLayerRecord[]>;
  searchLayerRecords(
    q: WindowFilter & { text?: string; embedding?: number[]; k: number; layers?: readonly MemoryLayer[] },
  ): Promise<Hit<StoredLayerRecord>[]>;
  /** writes the upkeep state (layer, importance, access count, marks) of existing records; `defer` as for puts */
  updateLayerRecords(records: StoredLayerRecord[], o?: { defer?: boolean }): Promise<void>;

  /** A promise that every write issued so far is durable (a deferred write's error surfaces here). */
  seal(): Promise<void>;
  /**
   * The run reads events dated `from` on (the tracker's candidates and chains, the series): older ones may leave the
   * process once durable, so memory follows the window rather than the run's length. Every read still answers for
   * them, from the store of record.
   */
  retain(from: string): void;

  counts(): Promise<Record<Kind, number>>;
  /** the fingerprint of the records readable at `at` */
  fingerprint(at: AsOf): Promise<Fingerprint>;
}

/** A 64-bit hash of an id as two 32-bit halves. */
export function idHash(id: string): [number, number] {
  const d = createHash("sha1").update(id).digest();
  return [d.readUInt32BE(0), d.readUInt32BE(4)];
}

/** Folds (id hash, readable-from seconds) entries into a collection print at `atSeconds`. */
export function printOf(entries: Iterable<{ h: [number, number]; at: number }>, atSeconds: number): CollectionPrint {
  let hi = 0;
  let lo = 0;
  let count = 0;
  for (const e of entries) {
    if (e.at > atSeconds) continue;
    hi = (hi ^ e.h[0]) >>> 0;
    lo = (lo ^ e.h[1]) >>> 0;
    count++;
  }
  return { count, hash: hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0") };
}

/** What differs between two fingerprints, in words ("" when they match). */
export function fingerprintDiff(expected: Fingerprint, found: Fingerprint): string {
  const out: string[] = [];
  for (const kind of KINDS) {
    const e = expected[kind];
    const f = found[kind];
    if (!e || !f) continue;
    if (e.count !== f.count) out.push(`${kind}: ${f.count} records where the checkpoint relies on ${e.count}`);
    else if (e.hash !== f.hash)
      out.push(`${kind}: ${f.count} records as expected, but other ids (hash ${f.hash}, expected ${e.hash})`);
  }
  return out.join("; ");
}

/**
 * Memory held in process: the working set of a run, and (on its own) a MemoryPort for fast unit tests.
 *
 * The Chroma store keeps one of these as the in-process copy of its events and reflections: every
 * read of the pipeline is answered here (no request per read, exact cosine search instead of
 * Chroma's approximate one), every write goes to Chroma and here. It is rebuilt from Chroma when a
 * run resumes or another process opens it. Embeddings are held as float32, as Chroma stores them,
 * so a rebuilt copy answers exactly as the one that wrote it.
 *
 * Used alone (`new InMemoryMemory(...)`) it is the test double of the port; it is never the
 * product's backend.
 */
import { createHash } from "node:crypto";
import { epochDay } from "../data/calendar.ts";
import type { StoredEvent } from "../domain/events.ts";
import type { MemoryLayer, Reflection } from "../domain/schemas.ts";
import { scrubDeep } from "../observability/secrets.ts";
import { cosineOf, type Embedder, sqNorm } from "./embeddings.ts";
import {
  type AsOf,
  type Fingerprint,
  type Hit,
  idHash,
  KINDS,
  type Kind,
  type MemoryPort,
  printOf,
  type WindowFilter,
} from "./port.ts";
import { eventIdPrefix, type StoredLayerRecord, toEpochSeconds } from "./records.ts";

interface Entry<T> {
  record: T;
  embedding: Float32Array;
  /** its squared norm, for cosine */
  norm: number;
  /** epoch seconds from which it is readable, and its epoch day */
  at: number;
  day: number;
  h: [number, number];
}
type Dated = { ticker: string; date: string; available_at: string; id: string };

/** `value`, and everything in it, made read-only. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** records in date order, ties by id: the order every read answers in */
export const byDateId = (a: Dated, b: Dated) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id);

function matches(e: Entry<Dated>, f: WindowFilter): boolean {
  return (
    e.at <= toEpochSeconds(f.asOf) &&
    (!f.ticker || e.record.ticker === f.ticker) &&
    (!f.from || e.day >= epochDay(f.from)) &&
    (!f.to || e.day <= epochDay(f.to))
  );
}

/** What stays in process of a record let go (`Shelf.letGo`) or pruned (`Shelf.toStub`): enough for the fingerprint and a redone day. */
interface Stub {
  ticker: string;
  day: number;
  at: number;
  h: [number, number];
}

/** the embedding of a record held without one */
const NONE = new Float32Array(0);

const stubOf = (e: Entry<Dated>): Stub => ({ ticker: e.record.ticker, day: e.day, at: e.at, h: e.h });

/** Records of one kind, indexed by id and by ticker -> epoch day, so window reads touch only their days. */
class Shelf<T extends Dated> {
  readonly byId = new Map<string, Entry<T>>();
  private readonly byTicker = new Map<string, Map<number, Map<string, Entry<T>>>>();
  /**
   * Records that left the process, by id: those dated before `horizon` (their store of record answers for them) and
   * tombstones no read returns (pruned layer records), whose ids and availability the fingerprint still counts.
   */
  readonly stubs = new Map<string, Stub>();
  /** the epoch day before which records may have left (-Infinity: every record is held) */
  horizon = Number.NEGATIVE_INFINITY;

  set(record: T, embedding: ArrayLike<number>): void {
    this.delete(record.id);
    const e: Entry<T> = {
      record: structuredClone(record),
      embedding: NONE,
      norm: 0,
      at: toEpochSeconds(record.available_at),
      day: epochDay(record.date),
      h: idHash(record.id),
    };
    this.embed(e, embedding);
    this.byId.set(record.id, e);
    let days = this.byTicker.get(record.ticker);
    if (!days) {
      days = new Map();
      this.byTicker.set(record.ticker, days);
    }
    let bucket = days.get(e.day);
    if (!bucket) {
      bucket = new Map();
      days.set(e.day, bucket);
    }
    bucket.set(record.id, e);
  }

  /** Gives a held entry its embedding (none: an empty vector). */
  embed(e: Entry<T>, embedding: ArrayLike<number>): void {
    e.embedding = embedding.length ? Float32Array.from(embedding) : NONE;
    e.norm = sqNorm(e.embedding);
  }

  delete(id: string): void {
    this.stubs.delete(id);
    const e = this.byId.get(id);
    if (!e) return;
    this.byId.delete(id);
    this.byTicker.get(e.record.ticker)?.get(e.day)?.delete(id);
  }

  /** Lets the records dated before epoch day `day` go, keeping a stub of each. */
  letGo(day: number): void {
    if (day <= this.horizon) return;
    for (const days of this.byTicker.values())
      for (const [d, bucket] of days) {
        if (d >= day) continue;
        for (const e of bucket.values()) {
          this.byId.delete(e.record.id);
          this.stubs.set(e.record.id, stubOf(e));
        }
        days.delete(d);
      }
    this.horizon = day;
  }

  /** Keeps only the stub of a held record (a tombstone: no read returns it). */
  toStub(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.delete(id);
    this.stubs.set(id, stubOf(e));
  }

  /** The ids of a ticker-day's records, held or let go. */
  idsOf(ticker: string, day: number): string[] {
    const held = [...(this.byTicker.get(ticker)?.get(day)?.keys() ?? [])];
    if (day >= this.horizon) return held;
    return [...held, ...[...this.stubs].filter(([, x]) => x.ticker === ticker && x.day === day).map(([id]) => id)];
  }

  /** The entries a window filter can match (by ticker and day when given), before the asOf check. */
  *candidates(f: WindowFilter): Iterable<Entry<T>> {
    const from = f.from ? epochDay(f.from) : -Infinity;
    const to = f.to ? epochDay(f.to) : Infinity;
    const tickers = f.ticker ? [this.byTicker.get(f.ticker)] : [...this.byTicker.values()];
    for (const days of tickers) {
      if (!days) continue;
      if (Number.isFinite(from) && Number.isFinite(to) && to - from < days.size) {
        for (let d = from; d <= to; d++) yield* days.get(d)?.values() ?? [];
      } else {
        for (const [d, bucket] of days) if (d >= from && d <= to) yield* bucket.values();
      }
    }
  }

  select(f: WindowFilter, keep: (r: T) => boolean = () => true): Entry<T>[] {
    const at = toEpochSeconds(f.asOf);
    const out: Entry<T>[] = [];
    for (const e of this.candidates(f)) if (e.at <= at && keep(e.record)) out.push(e);
    return out;
  }
}

/**
 * The k entries most similar to a query (exact cosine, float32 as stored); ties by id. Copies, never the held records.
 */
function topByCosine<T extends Dated>(pool: Entry<T>[], query: ArrayLike<number>, k: number): Hit<T>[] {
  const q = Float32Array.from(query);
  const nq = sqNorm(q);
  return pool
    .map((x) => ({ record: x.record, similarity: cosineOf(q, nq, x.embedding, x.norm) }))
    .sort((a, b) => b.similarity - a.similarity || a.record.id.localeCompare(b.record.id))
    .slice(0, k)
    .map((h) => ({ record: structuredClone(h.record), similarity: h.similarity }));
}

export class InMemoryMemory implements MemoryPort {
  readonly location: string = "in-process memory (tests only)";
  private readonly events = new Shelf<StoredEvent>();
  private readonly reflections = new Shelf<Reflection>();
  private readonly layers = new Shelf<StoredLayerRecord>();
  /** reflections in write order, for incremental consumers (the Jaccard index) */
  private readonly reflectionLog: Reflection[] = [];

  /**
   * Whether reflections are held with their embeddings. Only a search by text reads them (the summary ablation's
   * retrieval) and at 512 dimensions they were half of what a reflection adds to the process, so the Chroma store's
   * working set holds them from its first such search on (`holdReflectionEmbeddings`), with those read back from
   * Chroma; the test double holds them always.
   */
  private reflectionEmbeddings: boolean;

  constructor(
    readonly run: string,
    readonly embedder: Embedder,
    o: { reflectionEmbeddings?: boolean } = {},
  ) {
    this.reflectionEmbeddings = o.reflectionEmbeddings ?? true;
  }

  /** Whether a held reflection has no embedding. */
  lacksReflectionEmbeddings(): boolean {
    for (const e of this.reflections.byId.values()) if (e.embedding.length === 0) return true;
    return false;
  }

  /**
   * Holds reflections' embeddings from now on, and those of the held reflections given (by id): read back from the
   * store of record, which had every held one written when they were read.
   */
  holdReflectionEmbeddings(known: Map<string, ArrayLike<number>>): void {
    this.reflectionEmbeddings = true;
    for (const [id, embedding] of known) {
      const e = this.reflections.byId.get(id);
      if (e && e.embedding.length === 0) this.reflections.embed(e, embedding);
    }
  }

  /** Holds records whose embeddings are known already (written to, or read back from, Chroma). */
  hold(kind: Kind, rows: { record: Dated; embedding: ArrayLike<number> }[]): void {
    const shelf = this.shelf(kind);
    for (const { record, embedding } of rows) {
      shelf.set(record, kind === "reflections" && !this.reflectionEmbeddings ? NONE : embedding);
      // a pruned layer record is a tombstone: only what the fingerprint counts of it stays (its text and embedding
      // were most of the layers' growth over a long run)
      if (kind === "layers" && (record as StoredLayerRecord).pruned) shelf.toStub(record.id);
      if (kind !== "reflections") continue;
      // A reflection is the working set's largest record (its window's series and daily bit vectors above all), and w
      // reflections of a ticker in a row hold the same days: they share one copy of each day and of each bit vector,
      // and the log shares the held reflection (a second copy doubled it). All of it frozen, so no reader can change
      // what another reads.
      const e = shelf.byId.get(record.id)!;
      e.record = deepFreeze(this.sharingParts(e.record as unknown as Reflection)) as unknown as Dated;
      this.reflectionLog.push(e.record as unknown as Reflection);
    }
  }

  /** the window days and daily bit vectors of the held reflections, one object per content */
  private readonly shared = new Map<string, unknown>();

  private share<T>(key: string, value: T): T {
    const held = this.shared.get(key) as T | undefined;
    if (held !== undefined) return held;
    this.shared.set(key, value);
    return value;
  }

  /** A reflection whose window days (per ticker) and daily bit vectors are the held ones of the same content. */
  private sharingParts(r: Reflection): Reflection {
    const bits = <B extends number[]>(v: B) => this.share(`b${v.join("")}`, v);
    return {
      ...r,
      type_bits: r.type_bits.map(bits),
      group_bits: r.group_bits.map(bits),
      ...(r.series
        ? {
            // keyed by a digest of the day: a key holding the day's text was as large as the day
            series: r.series.map((day) =>
              this.share(
                `d${createHash("sha1")
                  .update(`${r.ticker}\u0000${JSON.stringify(day)}`)
                  .digest("base64")}`,
                day,
              ),
            ),
          }
        : {}),
    };
  }

  private shelf(kind: Kind): Shelf<Dated> {
    return (kind === "events"
      ? this.events
      : kind === "reflections"
        ? this.reflections
        : this.layers) as unknown as Shelf<Dated>;
  }

  private async put<T extends Dated>(kind: Kind, rows: T[], text: (r: T) => string): Promise<number> {
    const unique = [...new Map(scrubDeep(rows).map((r) => [r.id, r])).values()];
    const vectors = await this.embedder.embed(unique.map(text));
    this.hold(
      kind,
      unique.map((record, i) => ({ record, embedding: vectors[i]! })),
    );
    return unique.length;
  }

  private async search<T extends Dated>(
    shelf: Shelf<T>,
    q: WindowFilter & { text?: string; embedding?: number[]; k: number },
    keep?: (r: T) => boolean,
  ): Promise<Hit<T>[]> {
    const e = q.embedding ?? (await this.embedder.embed([q.text ?? ""]))[0]!;
    return topByCosine(shelf.select(q, keep), e, q.k);
  }

  private get<T extends Dated>(shelf: Shelf<T>, f: WindowFilter & { ids?: string[] }, keep?: (r: T) => boolean): T[] {
    const entries = f.ids
      ? f.ids
          .map((id) => shelf.byId.get(id))
          .filter((e): e is Entry<T> => e !== undefined && matches(e as Entry<Dated>, f) && (!keep || keep(e.record)))
      : shelf.select(f, keep);
    return entries
      .map((e) => e.record)
      .sort(byDateId)
      .map((r) => structuredClone(r));
  }

  putEvents(events: StoredEvent[], _o?: { defer?: boolean }) {
    return this.put("events", events, (e) => e.description);
  }
  async getEvents(f: WindowFilter & { ids?: string[] }) {
    return this.get(this.events, f);
  }
  searchEvents(q: WindowFilter & { text?: string; embedding?: number[]; k: number }) {
    return this.search(this.events, q);
  }
  async searchEventsBatch(q: WindowFilter & { embeddings: number[][]; k: number }) {
    const pool = this.events.select(q); // one window for every query of the batch
    return q.embeddings.map((embedding) => topByCosine(pool, embedding, q.k));
  }
  /** Whether any event of a ticker-day is held or was let go (a redone day must delete them first). */
  hasEvents(ticker: string, date: string): boolean {
    return this.events.idsOf(ticker, epochDay(date)).length > 0;
  }
  async deleteEvents(ticker: string, date: string) {
    for (const id of this.events.idsOf(ticker, epochDay(date)))
      if (id.startsWith(eventIdPrefix(ticker, date))) this.events.delete(id);
  }

  /**
   * Lets the events dated before `date` leave the process (a stub of each stays, for the fingerprint): the Chroma
   * store answers reads that reach them from Chroma (store.ts). Alone, as the test double, the port never lets go.
   */
  letGoEvents(date: string): void {
    this.events.letGo(epochDay(date));
  }

  /** The first epoch day of events still held whole (-Infinity: all of them), and whether an id was let go. */
  eventsHorizon(): number {
    return this.events.horizon;
  }
  wasLetGo(id: string): boolean {
    return this.events.stubs.has(id);
  }

  /** The held events a window filter matches, with their embeddings (a read across the horizon joins them). */
  heldEvents(f: WindowFilter): { record: StoredEvent; embedding: Float32Array }[] {
    return this.events.select(f).map((e) => ({ record: e.record, embedding: e.embedding }));
  }

  putReflections(reflections: Reflection[], _o?: { defer?: boolean }) {
    return this.put("reflections", reflections, (r) => `${r.reason}\n${r.key_events.join("\n")}`);
  }
  async getReflections(f: WindowFilter) {
    return this.get(this.reflections, f);
  }
  searchReflections(q: WindowFilter & { text?: string; embedding?: number[]; k: number }) {
    return this.search(this.reflections, q);
  }
  async reflectionsSince(cursor: number): Promise<{ reflections: Reflection[]; cursor: number }> {
    return { reflections: this.reflectionLog.slice(cursor), cursor: this.reflectionLog.length };
  }

  putLayerRecords(records: StoredLayerRecord[], _o?: { defer?: boolean }) {
    return this.put("layers", records, (r) => r.text);
  }
  private live = (layers?: readonly MemoryLayer[]) => (r: StoredLayerRecord) =>
    !r.pruned && (!layers?.length || layers.includes(r.layer));
  async getLayerRecords(f: WindowFilter & { layers?: readonly MemoryLayer[]; ids?: string[] }) {
    return this.get(this.layers, f, this.live(f.layers));
  }
  searchLayerRecords(
    q: WindowFilter & { text?: string; embedding?: number[]; k: number; layers?: readonly MemoryLayer[] },
  ) {
    return this.search(this.layers, q, this.live(q.layers));
  }
  async updateLayerRecords(records: StoredLayerRecord[], _o?: { defer?: boolean }) {
    for (const r of records) {
      const x = this.layers.byId.get(r.id);
      if (x) x.record = structuredClone(scrubDeep({ ...r, text: x.record.text }));
      if (r.pruned) this.layers.toStub(r.id);
    }
  }

  async seal(): Promise<void> {}

  /** What the process holds of each kind: whole records, how many with their embedding, and stubs of those gone. */
  held(): Record<Kind, { records: number; embeddings: number; stubs: number }> {
    const of = (kind: Kind) => {
      const shelf = this.shelf(kind);
      let embeddings = 0;
      for (const e of shelf.byId.values()) if (e.embedding.length) embeddings++;
      return { records: shelf.byId.size, embeddings, stubs: shelf.stubs.size };
    };
    return { events: of("events"), reflections: of("reflections"), layers: of("layers") };
  }

  /** The test double holds every record: nothing to let go. */
  retain(_from: string): void {}

  async counts(): Promise<Record<Kind, number>> {
    const n = (kind: Kind) => this.shelf(kind).byId.size + this.shelf(kind).stubs.size;
    return { events: n("events"), reflections: n("reflections"), layers: n("layers") };
  }

  /** The print of one kind's records at `at`, held or let go. */
  printOf(kind: Kind, at: AsOf) {
    const shelf = this.shelf(kind);
    function* all() {
      yield* shelf.byId.values();
      yield* shelf.stubs.values();
    }
    return printOf(all(), toEpochSeconds(at));
  }

  async fingerprint(at: AsOf): Promise<Fingerprint> {
    return Object.fromEntries(KINDS.map((k) => [k, this.printOf(k, at)])) as Fingerprint;
  }
}

/**
 * The memory: Chroma collections of one run namespace (`<run>__events`, `<run>__reflections`,
 * `<run>__layers`), the store of record. Embeddings are computed here and passed explicitly; every
 * collection records the embedding model it was written with. Reads are answered by the run's working
 * set in process (rebuilt from Chroma in one scan); every read takes `asOf` and returns nothing whose
 * `available_at` is after it. Records are scrubbed of secrets before they are embedded and stored.
 */

import { ChromaClient, type Collection, type Metadata, type Where } from "chromadb";
import { RunName } from "../config/context.ts";
import { epochDay } from "../data/calendar.ts";
import { messageOf } from "../domain/errors.ts";
import type { StoredEvent } from "../domain/events.ts";
import type { MemoryLayer, Reflection } from "../domain/schemas.ts";
import { scrubDeep } from "../observability/secrets.ts";
import type { Embedder } from "./embeddings.ts";
import { EmbeddingMismatchError, MemoryUnavailableError, UnknownRunError } from "./errors.ts";
import { byDateId, InMemoryMemory } from "./in-memory.ts";
import { type AsOf, type Fingerprint, type Hit, KINDS, type Kind, type MemoryPort, type WindowFilter } from "./port.ts";
import {
  eventToRow,
  layerToRow,
  type Meta,
  type Row,
  reflectionToRow,
  rowToEvent,
  rowToLayer,
  rowToReflection,
  type StoredLayerRecord,
  toEpochSeconds,
} from "./records.ts";

const SEP = "__";
const WITH_EMBEDDINGS: Include[] = ["documents", "metadatas", "embeddings"];
const WITHOUT_EMBEDDINGS: Include[] = ["documents", "metadatas"];
type Include = "documents" | "metadatas" | "embeddings";
const collectionName = (run: string, kind: string) => `${run}${SEP}${kind}`;
const SCHEMA_VERSION = 1;

function chromaClient(url: string): ChromaClient {
  const u = new URL(url);
  return new ChromaClient({
    host: u.hostname,
    port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
    ssl: u.protocol === "https:",
  });
}

const isConnectionFailure = (e: unknown): boolean => {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  return (
    err?.name === "ChromaConnectionError" ||
    /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|Failed to connect/i.test(err?.message ?? "") ||
    ["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"].includes(err?.cause?.code ?? "")
  );
};

/** A stored row as the record it holds, per collection (the working set holds records as Chroma has them). */
type Held = ReturnType<typeof rowToEvent> | ReturnType<typeof rowToReflection> | ReturnType<typeof rowToLayer>;
const FROM_ROW: Record<Kind, (id: string, document: string | null, meta: Meta) => Held> = {
  events: rowToEvent,
  reflections: rowToReflection,
  layers: rowToLayer,
};

/** An upsert queued behind the writes before it: its rows (by id) and when it is done. */
interface QueuedUpsert {
  rows: Map<string, { row: Row; embedding: number[] }>;
  sent: Promise<void>;
}

export class MemoryStore implements MemoryPort {
  private maxBatch = 1000;
  /**
   * The working set: every event, reflection and layer record of the run, with its embedding, in
   * process. Loaded from Chroma on the first read (one scan: a resume, or another process opening the
   * run) and kept current by our writes; every read is answered from it.
   */
  private working?: Promise<InMemoryMemory>;
  /** deferred writes in flight (write-behind), and the first error one of them met */
  private inFlight = new Set<Promise<void>>();
  private deferredError?: unknown;

  private constructor(
    readonly client: ChromaClient,
    readonly url: string,
    readonly run: string,
    readonly embedder: Embedder,
    private readonly collections: Record<Kind, Collection>,
  ) {}

  /** Opens (creating if needed) the collections of `run`, checking they were written with `embedder`. */
  static async open(
    url: string,
    run: string,
    embedder: Embedder,
    opts: { maxBatch?: number } = {},
  ): Promise<MemoryStore> {
    RunName.parse(run);
    const client = chromaClient(url);
    const guard = <T>(op: string, fn: () => Promise<T>) => guarded(url, op, fn);
    const collections = {} as Record<Kind, Collection>;
    for (const kind of KINDS) {
      const name = collectionName(run, kind);
      const existing = await guard(`open ${name}`, async () => {
        try {
          return await client.getCollection({ name });
        } catch (e) {
          if (
            (e instanceof Error && e.name === "ChromaNotFoundError") ||
            /not found|does not exist/i.test(messageOf(e))
          )
            return undefined;
          throw e;
        }
      });
      const col =
        existing ??
        (await guard(`create ${name}`, () =>
          client.getOrCreateCollection({
            name,
            embeddingFunction: null,
            // the vectors as given: a cosine space would store them normalised in float32 (a few ulps off), so a
            // working set rebuilt from Chroma (a resumed or grown run) would find other similarities than the run
            // done whole, order near-ties otherwise and ask the model other prompts. Nothing here searches Chroma's
            // index (the working set does, exact cosine); for unit vectors, as every embedder here gives, l2 ranks as
            // cosine does for anyone who would
            configuration: { hnsw: { space: "l2" } },
            metadata: { run, kind, embedding_model: embedder.id, schema_version: SCHEMA_VERSION },
          }),
        ));
      const stored = col.metadata?.embedding_model;
      if (stored !== embedder.id) throw new EmbeddingMismatchError(name, String(stored), embedder.id);
      collections[kind] = col;
    }
    const store = new MemoryStore(client, url, run, embedder, collections);
    const serverLimit = await guard("read the batch limit", () => client.getMaxBatchSize());
    store.maxBatch = Math.max(1, Math.min(serverLimit, opts.maxBatch ?? serverLimit));
    return store;
  }

  private guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return guarded(this.url, op, fn);
  }

  /** the last write queued: the next starts after it */
  private lastWrite: Promise<unknown> = Promise.resolve();
  /** per collection, the upsert queued and not yet sent: rows written meanwhile join it */
  private pending: Partial<Record<Kind, QueuedUpsert>> = {};

  /**
   * Writes go to Chroma one at a time, in the order they were made. Chroma's server takes one write at a time
   * anyway, and a request costs it about 8 ms of CPU however few rows it carries (measured: 20 rows of 2 KB
   * embeddings upserted 27 ms alone; two such requests sent together took 59 ms each). So the rows upserted into a
   * collection while an earlier write is on its way join the request queued for that collection: while the run
   * outpaces Chroma, each request carries several days, and none waits on another's lock.
   */
  private write<T>(op: string, fn: () => Promise<T>): Promise<T> {
    this.pending = {}; // an upsert queued after this (a delete, an update) must not join one sent before it
    const p = this.lastWrite.then(() => this.guard(op, fn));
    this.lastWrite = p.catch(() => {});
    return p;
  }

  private queueUpsert(kind: Kind, rows: Row[], embeddings: number[][]): Promise<void> {
    let queued = this.pending[kind];
    if (!queued) {
      const own: QueuedUpsert = { rows: new Map(), sent: Promise.resolve() };
      own.sent = this.lastWrite.then(async () => {
        if (this.pending[kind] === own) delete this.pending[kind]; // on its way: later rows queue anew
        const all = [...own.rows.values()];
        for (let i = 0; i < all.length; i += this.maxBatch) {
          const batch = all.slice(i, i + this.maxBatch);
          await this.guard(`upsert ${batch.length} ${kind}`, () =>
            this.collections[kind].upsert({
              ids: batch.map((x) => x.row.id),
              documents: batch.map((x) => x.row.document),
              metadatas: batch.map((x) => x.row.meta),
              embeddings: batch.map((x) => x.embedding),
            }),
          );
        }
      });
      this.lastWrite = own.sent.catch(() => {});
      this.pending[kind] = own;
      queued = own;
    }
    for (const [j, row] of rows.entries()) queued.rows.set(row.id, { row, embedding: embeddings[j]! }); // the last write of an id wins
    return queued.sent;
  }

  get location(): string {
    return `Chroma at ${this.url}, collections ${collectionName(this.run, "*")}`;
  }

  private async scan(
    kind: Kind,
    include: Include[],
    each: (id: string, document: string | null, meta: Meta, embedding: number[] | undefined) => void,
    which: { where?: Where; ids?: string[] } = {},
  ): Promise<void> {
    const page = Math.max(100, this.maxBatch);
    for (let offset = 0; ; offset += page) {
      const res = await this.guard(`read ${kind}`, () =>
        this.collections[kind].get({ limit: page, offset, include, ...which }),
      );
      res.ids.forEach((id, i) => {
        each(
          id,
          res.documents?.[i] ?? null,
          (res.metadatas?.[i] ?? {}) as Meta,
          (res.embeddings?.[i] as number[] | undefined) ?? undefined,
        );
      });
      if (res.ids.length < page) break;
    }
  }

  /** The working set, loaded once. */
  private workingSet(): Promise<InMemoryMemory> {
    this.working ??= (async () => {
      const ws = new InMemoryMemory(this.run, this.embedder, { reflectionEmbeddings: false });
      for (const kind of KINDS) {
        const rows: { record: Held; embedding: number[] }[] = [];
        // reflections without their embeddings: held once a search by text needs them (searchReflections)
        const include = kind === "reflections" ? WITHOUT_EMBEDDINGS : WITH_EMBEDDINGS;
        await this.scan(kind, include, (id, doc, meta, e) =>
          rows.push({ record: FROM_ROW[kind](id, doc, meta), embedding: e ?? [] }),
        );
        // a stable order, whatever order Chroma returns them in
        ws.hold(
          kind,
          rows.sort((a, b) => byDateId(a.record, b.record)),
        );
      }
      return ws;
    })();
    this.working.catch(() => (this.working = undefined));
    return this.working;
  }

  async fingerprint(at: AsOf): Promise<Fingerprint> {
    return (await this.workingSet()).fingerprint(at);
  }

  /**
   * Upserts rows in batches within Chroma's limit (idempotent: ids are content-derived) and holds
   * them in the working set. Deferred: held at once (readable), written in the
   * background; `seal()` tells when they are durable.
   */
  private async upsert(
    kind: Kind,
    rows: Row[],
    embedText: (r: Row) => string,
    o: { defer?: boolean } = {},
  ): Promise<number> {
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    for (let i = 0; i < unique.length; i += this.maxBatch) {
      const batch = unique.slice(i, i + this.maxBatch);
      const embeddings = await this.embedder.embed(batch.map(embedText));
      // held as read back from its row, so a working set rebuilt from Chroma is the same to the letter
      const hold = async () => {
        if (this.working)
          (await this.working).hold(
            kind,
            batch.map((r, j) => ({ record: FROM_ROW[kind](r.id, r.document, r.meta), embedding: embeddings[j]! })),
          );
      };
      if (o.defer) {
        await this.workingSet(); // a deferred write must be readable at once
        await hold();
        this.behind(this.queueUpsert(kind, batch, embeddings));
      } else {
        await this.queueUpsert(kind, batch, embeddings);
        await hold();
      }
    }
    return unique.length;
  }

  /** A write left to run in the background: `seal` awaits it and throws its error. */
  private behind(write: Promise<unknown>): void {
    const p: Promise<void> = write.then(
      () => {},
      (e) => {
        this.deferredError ??= e;
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async seal(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.deferredError !== undefined) {
      const e = this.deferredError;
      this.deferredError = undefined;
      throw e;
    }
    // what the run no longer reads goes, now that Chroma has it
    if (this.retainFrom && this.working) (await this.working).letGoEvents(this.retainFrom);
  }

  putEvents(events: StoredEvent[], o?: { defer?: boolean }): Promise<number> {
    return this.upsert("events", scrubDeep(events).map(eventToRow), (r) => r.document, o);
  }

  putReflections(reflections: Reflection[], o?: { defer?: boolean }): Promise<number> {
    return this.upsert(
      "reflections",
      scrubDeep(reflections).map(reflectionToRow),
      (r) => `${r.document}\n${JSON.parse(String(r.meta.key_events)).join("\n")}`,
      o,
    );
  }

  /** events dated before this may leave the working set once durable (see `retain`; applied by `seal`) */
  private retainFrom?: string;

  retain(from: string): void {
    if (!this.retainFrom || from > this.retainFrom) this.retainFrom = from;
  }

  /**
   * The events a read reaches that the working set let go (dated before its horizon), read back from Chroma as it
   * holds them (with their embeddings for a search), the read's window applied by Chroma: none, and no request, when
   * the read stays within the horizon.
   */
  private async eventsLetGo(
    ws: InMemoryMemory,
    f: WindowFilter & { ids?: string[] },
    embeddings = false,
  ): Promise<{ record: StoredEvent; embedding: number[] }[]> {
    const horizon = ws.eventsHorizon();
    if (horizon === Number.NEGATIVE_INFINITY) return [];
    const ids = f.ids?.filter((id) => ws.wasLetGo(id));
    if (ids?.length === 0 || (f.from && epochDay(f.from) >= horizon)) return [];
    const clauses: Where[] = [
      { epoch_day: { $lt: horizon } },
      { available_at: { $lte: toEpochSeconds(f.asOf) } },
      ...(f.from ? [{ epoch_day: { $gte: epochDay(f.from) } }] : []),
      ...(f.to ? [{ epoch_day: { $lte: epochDay(f.to) } }] : []),
      ...(f.ticker ? [{ ticker: f.ticker }] : []),
    ];
    const out: { record: StoredEvent; embedding: number[] }[] = [];
    await this.scan(
      "events",
      embeddings ? WITH_EMBEDDINGS : WITHOUT_EMBEDDINGS,
      (id, doc, meta, embedding) => out.push({ record: rowToEvent(id, doc, meta), embedding: embedding ?? [] }),
      { where: { $and: clauses }, ...(ids ? { ids } : {}) },
    );
    return out;
  }

  /** A search whose window reaches events let go: over them and the held ones, as the working set searches. */
  private async searchAcross(ws: InMemoryMemory, q: WindowFilter): Promise<InMemoryMemory | undefined> {
    const old = await this.eventsLetGo(ws, q, true);
    if (!old.length) return undefined;
    const all = new InMemoryMemory(this.run, this.embedder);
    all.hold("events", [...ws.heldEvents(q), ...old]);
    return all;
  }

  /** Events at or before asOf, optionally of one ticker and within [from, to]; sorted by date then id. */
  async getEvents(f: WindowFilter & { ids?: string[] }): Promise<StoredEvent[]> {
    const ws = await this.workingSet();
    const held = await ws.getEvents(f);
    const old = await this.eventsLetGo(ws, f);
    if (!old.length) return held;
    return [...held, ...old.map((x) => x.record)].sort(byDateId);
  }

  /** Top-k events by cosine similarity (exact) to a text or an embedding, within the point-in-time window. */
  async searchEvents(
    q: WindowFilter & { text?: string; embedding?: number[]; k: number },
  ): Promise<Hit<StoredEvent>[]> {
    const ws = await this.workingSet();
    return ((await this.searchAcross(ws, q)) ?? ws).searchEvents(q);
  }

  /** One top-k search per query embedding, all under the same window filter. */
  async searchEventsBatch(q: WindowFilter & { embeddings: number[][]; k: number }): Promise<Hit<StoredEvent>[][]> {
    const ws = await this.workingSet();
    return ((await this.searchAcross(ws, q)) ?? ws).searchEventsBatch(q);
  }

  /** Deletes the events of one ticker-day (a day being redone); no request when it holds none. */
  async deleteEvents(ticker: string, date: string): Promise<void> {
    const ws = await this.workingSet();
    if (!ws.hasEvents(ticker, date)) return;
    await this.write("delete events", () =>
      this.collections.events.delete({ where: { $and: [{ ticker }, { epoch_day: epochDay(date) }] } }),
    );
    await ws.deleteEvents(ticker, date);
  }

  /** Reflections readable at asOf (available_at <= asOf), of one ticker or all; sorted by date then id. */
  async getReflections(f: WindowFilter): Promise<Reflection[]> {
    return (await this.workingSet()).getReflections(f);
  }

  /** Top-k reflections by cosine similarity (exact), within the point-in-time window. */
  async searchReflections(
    q: WindowFilter & { text?: string; embedding?: number[]; k: number },
  ): Promise<Hit<Reflection>[]> {
    const ws = await this.workingSet();
    if (!this.reflectionEmbeddings) {
      this.reflectionEmbeddings = this.loadReflectionEmbeddings(ws);
      this.reflectionEmbeddings.catch(() => (this.reflectionEmbeddings = undefined)); // the next search tries again
    }
    await this.reflectionEmbeddings;
    return ws.searchReflections(q);
  }

  /** the working set's reflection embeddings, read back from Chroma at the first search by text (see InMemoryMemory) */
  private reflectionEmbeddings?: Promise<void>;

  private async loadReflectionEmbeddings(ws: InMemoryMemory): Promise<void> {
    ws.holdReflectionEmbeddings(new Map()); // a reflection held from here on keeps its own
    if (!ws.lacksReflectionEmbeddings()) return;
    await Promise.all([...this.inFlight]); // and those held before are in Chroma
    const known = new Map<string, number[]>();
    await this.scan("reflections", ["embeddings"], (id, _doc, _meta, e) => {
      if (e) known.set(id, e);
    });
    ws.holdReflectionEmbeddings(known);
  }

  /** Reflections written since `cursor` (0: all), in write order, for incremental consumers (the Jaccard index). */
  async reflectionsSince(cursor: number): Promise<{ reflections: Reflection[]; cursor: number }> {
    return (await this.workingSet()).reflectionsSince(cursor);
  }

  // ---- layered memory (SEP-Memory) ----

  putLayerRecords(records: StoredLayerRecord[], o?: { defer?: boolean }): Promise<number> {
    return this.upsert("layers", scrubDeep(records).map(layerToRow), (r) => r.document, o);
  }

  /** Layer records readable at asOf, optionally of some layers and one ticker; sorted by date then id. */
  async getLayerRecords(
    f: WindowFilter & { layers?: readonly MemoryLayer[]; ids?: string[] },
  ): Promise<StoredLayerRecord[]> {
    return (await this.workingSet()).getLayerRecords(f);
  }

  /** Top-k live layer records by cosine similarity (exact), within the point-in-time window. */
  async searchLayerRecords(
    q: WindowFilter & { text?: string; embedding?: number[]; k: number; layers?: readonly MemoryLayer[] },
  ): Promise<Hit<StoredLayerRecord>[]> {
    return (await this.workingSet()).searchLayerRecords(q);
  }

  /**
   * Writes the upkeep state (layer, importance, access count) of existing records; embeddings are untouched. Deferred:
   * held at once, written behind the writes before it (never crossed by a later upsert); `seal()` tells when durable.
   */
  async updateLayerRecords(records: StoredLayerRecord[], o: { defer?: boolean } = {}): Promise<void> {
    const ws = await this.workingSet();
    for (let i = 0; i < records.length; i += this.maxBatch) {
      const batch = scrubDeep(records.slice(i, i + this.maxBatch)).map(layerToRow);
      const write = this.write(`update ${batch.length} layer records`, () =>
        this.collections.layers.update({ ids: batch.map((r) => r.id), metadatas: batch.map((r) => r.meta) }),
      );
      if (o.defer) this.behind(write);
      else await write;
      // held as Chroma has it: the new metadata over the stored document (the working set keeps its text)
      await ws.updateLayerRecords(batch.map((r) => rowToLayer(r.id, r.document, r.meta)));
    }
  }

  /** What the working set holds in process (see InMemoryMemory.held). */
  async held() {
    return (await this.workingSet()).held();
  }

  async counts(): Promise<Record<Kind, number>> {
    const out = {} as Record<Kind, number>;
    for (const kind of KINDS) out[kind] = await this.guard(`count ${kind}`, () => this.collections[kind].count());
    return out;
  }
}

/**
 * How long one Chroma request may take before the run stops with a message (a frozen or overloaded server);
 * STOCKMEM_CHROMA_TIMEOUT_MS.
 */
function chromaTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.STOCKMEM_CHROMA_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 120_000;
}

async function guarded<T>(url: string, op: string, fn: () => Promise<T>): Promise<T> {
  const ms = chromaTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MemoryUnavailableError(
            url,
            op,
            new Error(`no answer within ${ms / 1000} s (is the server frozen or overloaded?)`),
          ),
        ),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (isConnectionFailure(e)) throw new MemoryUnavailableError(url, op, e);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export interface RunSummary {
  run: string;
  collections: { kind: string; name: string; count: number; embedding_model: string }[];
}

/** Every run namespace on the server with its collections and record counts. */
export async function listRuns(url: string): Promise<RunSummary[]> {
  const client = chromaClient(url);
  const cols = await guarded(url, "list collections", () => client.listCollections({ limit: 10_000 }));
  const runs = new Map<string, RunSummary>();
  for (const col of cols) {
    const cut = col.name.lastIndexOf(SEP);
    if (cut <= 0) continue;
    const run = col.name.slice(0, cut);
    const summary = runs.get(run) ?? { run, collections: [] };
    runs.set(run, summary);
    summary.collections.push({
      kind: col.name.slice(cut + SEP.length),
      name: col.name,
      count: await guarded(url, `count ${col.name}`, () => col.count()),
      embedding_model: String((col.metadata as Metadata | undefined)?.embedding_model ?? "?"),
    });
  }
  for (const r of runs.values()) r.collections.sort((a, b) => a.kind.localeCompare(b.kind));
  return [...runs.values()].sort((a, b) => a.run.localeCompare(b.run));
}

/**
 * Throws UnknownRunError, naming the runs that have memory, unless `run` holds records on the server. Entries that only
 * read a run call it before opening the run's store, which would create it empty. `how` says what to do instead.
 */
export async function requireStoredRun(url: string, run: string, how: (run: string) => string): Promise<void> {
  const withMemory = (await listRuns(url)).filter((r) => r.collections.some((c) => c.count > 0)).map((r) => r.run);
  if (!withMemory.includes(run)) throw new UnknownRunError(run, withMemory, how(run));
}

/** Deletes every collection of a run namespace; returns the names deleted. */
export async function resetRun(url: string, run: string): Promise<string[]> {
  const client = chromaClient(url);
  const cols = await guarded(url, "list collections", () => client.listCollections({ limit: 10_000 }));
  const mine = cols
    .filter((c) => c.name.startsWith(`${run}${SEP}`) && !c.name.slice(run.length + SEP.length).includes(SEP))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const c of mine) await guarded(url, `delete ${c.name}`, () => client.deleteCollection({ name: c.name }));
  return mine.map((c) => c.name);
}

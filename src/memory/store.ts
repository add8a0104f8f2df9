/**
 * The memory: Chroma collections of one run namespace (`<run>__events`, `<run>__reflections`, and
 * later the layered memory). Embeddings are computed here and passed explicitly; every collection
 * records the embedding model it was written with. Every read takes `asOf` and filters on the
 * record's `available_at`, so nothing dated after asOf can come back.
 */
import { ChromaClient, type Collection, type Metadata, type Where } from "chromadb";
import { RunName } from "../config/context.ts";
import { epochDay } from "../data/calendar.ts";
import type { Reflection } from "../domain/schemas.ts";
import type { Embedder } from "./embeddings.ts";
import { EmbeddingMismatchError, MemoryUnavailableError } from "./errors.ts";
import { KINDS, idHash, printOf, type AsOf, type Fingerprint, type Hit, type Kind, type MemoryPort, type WindowFilter } from "./port.ts";
import {
  eventIdPrefix, eventToRow, layerToRow, reflectionToRow, rowToEvent, rowToLayer, rowToReflection, toEpochSeconds,
  type LayerName, type Meta, type Row, type StoredEvent, type StoredLayerRecord,
} from "./records.ts";

export { KINDS, type AsOf, type Hit, type Kind, type WindowFilter } from "./port.ts";

const SEP = "__";
export const collectionName = (run: string, kind: string) => `${run}${SEP}${kind}`;
export const SCHEMA_VERSION = 1;

export function chromaClient(url: string): ChromaClient {
  const u = new URL(url);
  return new ChromaClient({ host: u.hostname, port: Number(u.port || (u.protocol === "https:" ? 443 : 80)), ssl: u.protocol === "https:" });
}

const isConnectionFailure = (e: unknown): boolean => {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  return (
    err?.name === "ChromaConnectionError" ||
    /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|Failed to connect/i.test(err?.message ?? "") ||
    ["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"].includes(err?.cause?.code ?? "")
  );
};

/** Combines conditions the way Chroma wants them ($and needs two or more). */
export function whereAll(conds: Where[]): Where | undefined {
  if (conds.length === 0) return undefined;
  if (conds.length === 1) return conds[0];
  return { $and: conds };
}

export function windowWhere(f: WindowFilter): Where {
  const conds: Where[] = [{ available_at: { $lte: toEpochSeconds(f.asOf) } }];
  if (f.ticker) conds.push({ ticker: f.ticker });
  if (f.from) conds.push({ epoch_day: { $gte: epochDay(f.from) } });
  if (f.to) conds.push({ epoch_day: { $lte: epochDay(f.to) } });
  return whereAll(conds)!;
}

/** The point-in-time window over live (not pruned) layer records, restricted to some layers when given. */
function layerWhere(f: WindowFilter & { layers?: readonly LayerName[] }): Where {
  const conds: Where[] = [windowWhere(f), { pruned: false }];
  if (f.layers?.length) conds.push({ layer: { $in: [...f.layers] } });
  return whereAll(conds)!;
}

type IdIndex = Record<Kind, Map<string, { h: [number, number]; at: number }>>;

export class MemoryStore implements MemoryPort {
  private maxBatch = 1000;
  /** every stored id with its readable-from instant, loaded on the first fingerprint and kept current by our writes */
  private index?: IdIndex;

  private constructor(
    readonly client: ChromaClient,
    readonly url: string,
    readonly run: string,
    readonly embedder: Embedder,
    private readonly collections: Record<Kind, Collection>,
  ) {}

  /** Opens (creating if needed) the collections of `run`, checking they were written with `embedder`. */
  static async open(url: string, run: string, embedder: Embedder, opts: { maxBatch?: number } = {}): Promise<MemoryStore> {
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
          if ((e as Error).name === "ChromaNotFoundError" || /not found|does not exist/i.test((e as Error).message)) return undefined;
          throw e;
        }
      });
      const col =
        existing ??
        (await guard(`create ${name}`, () =>
          client.getOrCreateCollection({
            name,
            embeddingFunction: null,
            configuration: { hnsw: { space: "cosine" } },
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

  get location(): string {
    return `Chroma at ${this.url}, collections ${collectionName(this.run, "*")}`;
  }

  private indexRows(kind: Kind, rows: Row[]): void {
    const map = this.index?.[kind];
    if (map) for (const r of rows) map.set(r.id, { h: idHash(r.id), at: Number(r.meta.available_at) });
  }

  private async loadIndex(): Promise<IdIndex> {
    const index = { events: new Map(), reflections: new Map(), layers: new Map() } as IdIndex;
    const page = Math.max(100, this.maxBatch);
    for (const kind of KINDS) {
      for (let offset = 0; ; offset += page) {
        const res = await this.guard(`read ${kind} ids`, () => this.collections[kind].get({ limit: page, offset, include: ["metadatas"] }));
        res.ids.forEach((id, i) => index[kind].set(id, { h: idHash(id), at: Number((res.metadatas[i] as Meta | null)?.available_at ?? 0) }));
        if (res.ids.length < page) break;
      }
    }
    return index;
  }

  async fingerprint(at: AsOf): Promise<Fingerprint> {
    this.index ??= await this.loadIndex();
    const s = toEpochSeconds(at);
    return { events: printOf(this.index.events.values(), s), reflections: printOf(this.index.reflections.values(), s), layers: printOf(this.index.layers.values(), s) };
  }

  /** Upserts rows in batches within Chroma's limit. Idempotent: ids are content-derived. */
  private async upsert(kind: Kind, rows: Row[], embedText: (r: Row) => string): Promise<number> {
    const col = this.collections[kind];
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    for (let i = 0; i < unique.length; i += this.maxBatch) {
      const batch = unique.slice(i, i + this.maxBatch);
      const embeddings = await this.embedder.embed(batch.map(embedText));
      await this.guard(`upsert ${batch.length} ${kind}`, () =>
        col.upsert({ ids: batch.map((r) => r.id), documents: batch.map((r) => r.document), metadatas: batch.map((r) => r.meta), embeddings }),
      );
      this.indexRows(kind, batch);
    }
    return unique.length;
  }

  putEvents(events: StoredEvent[]): Promise<number> {
    return this.upsert("events", events.map(eventToRow), (r) => r.document);
  }

  putReflections(reflections: Reflection[]): Promise<number> {
    return this.upsert("reflections", reflections.map(reflectionToRow), (r) => `${r.document}\n${JSON.parse(String(r.meta.key_events)).join("\n")}`);
  }

  private async getAll(kind: Kind, where: Where, ids?: string[]): Promise<{ id: string; document: string | null; meta: Meta }[]> {
    const col = this.collections[kind];
    const out: { id: string; document: string | null; meta: Meta }[] = [];
    const page = Math.max(100, this.maxBatch);
    for (let offset = 0; ; offset += page) {
      const res = await this.guard(`read ${kind}`, () => col.get({ where, ids, limit: page, offset, include: ["documents", "metadatas"] }));
      res.ids.forEach((id, i) => out.push({ id, document: res.documents[i] ?? null, meta: (res.metadatas[i] ?? {}) as Meta }));
      if (res.ids.length < page) break;
    }
    return out;
  }

  private async search(kind: Kind, query: { text?: string; embedding?: number[] }, where: Where, k: number) {
    const embedding = query.embedding ?? (await this.embedder.embed([query.text ?? ""]))[0]!;
    const col = this.collections[kind];
    const res = await this.guard(`search ${kind}`, () =>
      col.query({ queryEmbeddings: [embedding], nResults: k, where, include: ["documents", "metadatas", "distances"] }),
    );
    return (res.ids[0] ?? []).map((id, i) => ({
      id, document: res.documents[0]?.[i] ?? null, meta: (res.metadatas[0]?.[i] ?? {}) as Meta,
      similarity: 1 - (res.distances[0]?.[i] ?? 1),
    }));
  }

  /** Events at or before asOf, optionally of one ticker and within [from, to]; sorted by date then id. */
  async getEvents(f: WindowFilter & { ids?: string[] }): Promise<StoredEvent[]> {
    const rows = await this.getAll("events", windowWhere(f), f.ids);
    return rows.map((r) => rowToEvent(r.id, r.document, r.meta)).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  }

  /** Top-k events by cosine similarity to a text or an embedding, within the point-in-time window. */
  async searchEvents(q: WindowFilter & { text?: string; embedding?: number[]; k: number }): Promise<Hit<StoredEvent>[]> {
    const hits = await this.search("events", q, windowWhere(q), q.k);
    return hits.map((h) => ({ record: rowToEvent(h.id, h.document, h.meta), similarity: h.similarity }));
  }

  /** One top-k search per query embedding, all under the same window filter, in a single Chroma call. */
  async searchEventsBatch(q: WindowFilter & { embeddings: number[][]; k: number }): Promise<Hit<StoredEvent>[][]> {
    if (q.embeddings.length === 0) return [];
    const col = this.collections.events;
    const res = await this.guard("search events", () =>
      col.query({ queryEmbeddings: q.embeddings, nResults: q.k, where: windowWhere(q), include: ["documents", "metadatas", "distances"] }),
    );
    return q.embeddings.map((_, j) =>
      (res.ids[j] ?? []).map((id, i) => ({
        record: rowToEvent(id, res.documents[j]?.[i], (res.metadatas[j]?.[i] ?? {}) as Meta),
        similarity: 1 - (res.distances[j]?.[i] ?? 1),
      })),
    );
  }

  /** Deletes the events of one ticker-day (before re-ingesting a day that did not finish). */
  async deleteEvents(ticker: string, date: string): Promise<void> {
    await this.guard("delete events", () => this.collections.events.delete({ where: { $and: [{ ticker }, { epoch_day: epochDay(date) }] } }));
    const prefix = eventIdPrefix(ticker, date);
    if (this.index) for (const id of [...this.index.events.keys()]) if (id.startsWith(prefix)) this.index.events.delete(id);
  }

  /** Reflections readable at asOf (available_at <= asOf), of one ticker or all; sorted by date then id. */
  async getReflections(f: WindowFilter): Promise<Reflection[]> {
    const rows = await this.getAll("reflections", windowWhere(f));
    return rows.map((r) => rowToReflection(r.id, r.document, r.meta)).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  }

  async searchReflections(q: WindowFilter & { text?: string; embedding?: number[]; k: number }): Promise<Hit<Reflection>[]> {
    const hits = await this.search("reflections", q, windowWhere(q), q.k);
    return hits.map((h) => ({ record: rowToReflection(h.id, h.document, h.meta), similarity: h.similarity }));
  }

  // ---- layered memory (SEP-Memory) ----

  putLayerRecords(records: StoredLayerRecord[]): Promise<number> {
    return this.upsert("layers", records.map(layerToRow), (r) => r.document);
  }

  /** Layer records readable at asOf, optionally of some layers and one ticker; sorted by date then id. */
  async getLayerRecords(f: WindowFilter & { layers?: readonly LayerName[]; ids?: string[] }): Promise<StoredLayerRecord[]> {
    const rows = await this.getAll("layers", layerWhere(f), f.ids);
    return rows.map((r) => rowToLayer(r.id, r.document, r.meta)).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  }

  async searchLayerRecords(q: WindowFilter & { text?: string; embedding?: number[]; k: number; layers?: readonly LayerName[] }): Promise<Hit<StoredLayerRecord>[]> {
    const hits = await this.search("layers", q, layerWhere(q), q.k);
    return hits.map((h) => ({ record: rowToLayer(h.id, h.document, h.meta), similarity: h.similarity }));
  }

  /** Writes the upkeep state (layer, importance, access count) of existing records; embeddings are untouched. */
  async updateLayerRecords(records: StoredLayerRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += this.maxBatch) {
      const batch = records.slice(i, i + this.maxBatch).map(layerToRow);
      await this.guard(`update ${batch.length} layer records`, () => this.collections.layers.update({ ids: batch.map((r) => r.id), metadatas: batch.map((r) => r.meta) }));
    }
  }

  async counts(): Promise<Record<Kind, number>> {
    const out = {} as Record<Kind, number>;
    for (const kind of KINDS) out[kind] = await this.guard(`count ${kind}`, () => this.collections[kind].count());
    return out;
  }
}

async function guarded<T>(url: string, op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isConnectionFailure(e)) throw new MemoryUnavailableError(url, op, e);
    throw e;
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
      kind: col.name.slice(cut + SEP.length), name: col.name,
      count: await guarded(url, `count ${col.name}`, () => col.count()),
      embedding_model: String((col.metadata as Metadata | undefined)?.embedding_model ?? "?"),
    });
  }
  for (const r of runs.values()) r.collections.sort((a, b) => a.kind.localeCompare(b.kind));
  return [...runs.values()].sort((a, b) => a.run.localeCompare(b.run));
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

/**
 * An in-memory MemoryPort for fast unit tests of the graphs: the same contract as the Chroma store
 * (point-in-time reads, cosine search, idempotent upserts, tombstoned layer records, fingerprints).
 * It is never the product's backend: the run, the CLI and the integration tests use Chroma.
 */
import { epochDay } from "../data/calendar.ts";
import type { Reflection } from "../domain/schemas.ts";
import { cosine, type Embedder } from "./embeddings.ts";
import { KINDS, idHash, printOf, type AsOf, type Fingerprint, type Hit, type Kind, type MemoryPort, type WindowFilter } from "./port.ts";
import { eventIdPrefix, toEpochSeconds, type LayerName, type StoredEvent, type StoredLayerRecord } from "./records.ts";

interface Entry<T> {
  record: T;
  embedding: number[];
}
type Dated = { ticker: string; date: string; available_at: string; id: string };

function inWindow(r: Dated, f: WindowFilter): boolean {
  if (toEpochSeconds(r.available_at) > toEpochSeconds(f.asOf)) return false;
  if (f.ticker && r.ticker !== f.ticker) return false;
  if (f.from && epochDay(r.date) < epochDay(f.from)) return false;
  if (f.to && epochDay(r.date) > epochDay(f.to)) return false;
  return true;
}
const byDateId = (a: Dated, b: Dated) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id);

export class InMemoryMemory implements MemoryPort {
  readonly location = "in-process memory (tests only)";
  private readonly events = new Map<string, Entry<StoredEvent>>();
  private readonly reflections = new Map<string, Entry<Reflection>>();
  private readonly layers = new Map<string, Entry<StoredLayerRecord>>();

  constructor(readonly run: string, readonly embedder: Embedder) {}

  private async put<T extends Dated>(into: Map<string, Entry<T>>, rows: T[], text: (r: T) => string): Promise<number> {
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    const vectors = await this.embedder.embed(unique.map(text));
    unique.forEach((r, i) => into.set(r.id, { record: structuredClone(r), embedding: vectors[i]! }));
    return unique.length;
  }

  private async search<T extends Dated>(from: Map<string, Entry<T>>, q: WindowFilter & { text?: string; embedding?: number[]; k: number }, keep: (r: T) => boolean = () => true): Promise<Hit<T>[]> {
    const e = q.embedding ?? (await this.embedder.embed([q.text ?? ""]))[0]!;
    return [...from.values()]
      .filter((x) => inWindow(x.record, q) && keep(x.record))
      .map((x) => ({ record: structuredClone(x.record), similarity: cosine(e, x.embedding) }))
      .sort((a, b) => b.similarity - a.similarity || a.record.id.localeCompare(b.record.id))
      .slice(0, q.k);
  }

  private get<T extends Dated>(from: Map<string, Entry<T>>, f: WindowFilter & { ids?: string[] }, keep: (r: T) => boolean = () => true): T[] {
    const ids = f.ids && new Set(f.ids);
    return [...from.values()].map((x) => x.record).filter((r) => (!ids || ids.has(r.id)) && inWindow(r, f) && keep(r)).sort(byDateId).map((r) => structuredClone(r));
  }

  putEvents(events: StoredEvent[]) {
    return this.put(this.events, events, (e) => e.description);
  }
  async getEvents(f: WindowFilter & { ids?: string[] }) {
    return this.get(this.events, f);
  }
  searchEvents(q: WindowFilter & { text?: string; embedding?: number[]; k: number }) {
    return this.search(this.events, q);
  }
  async searchEventsBatch(q: WindowFilter & { embeddings: number[][]; k: number }) {
    return Promise.all(q.embeddings.map((embedding) => this.search(this.events, { ...q, embedding })));
  }
  async deleteEvents(ticker: string, date: string) {
    for (const id of [...this.events.keys()]) if (id.startsWith(eventIdPrefix(ticker, date))) this.events.delete(id);
  }

  putReflections(reflections: Reflection[]) {
    return this.put(this.reflections, reflections, (r) => `${r.reason}\n${r.key_events.join("\n")}`);
  }
  async getReflections(f: WindowFilter) {
    return this.get(this.reflections, f);
  }
  searchReflections(q: WindowFilter & { text?: string; embedding?: number[]; k: number }) {
    return this.search(this.reflections, q);
  }

  putLayerRecords(records: StoredLayerRecord[]) {
    return this.put(this.layers, records, (r) => r.text);
  }
  private live = (layers?: readonly LayerName[]) => (r: StoredLayerRecord) => !r.pruned && (!layers?.length || layers.includes(r.layer));
  async getLayerRecords(f: WindowFilter & { layers?: readonly LayerName[]; ids?: string[] }) {
    return this.get(this.layers, f, this.live(f.layers));
  }
  searchLayerRecords(q: WindowFilter & { text?: string; embedding?: number[]; k: number; layers?: readonly LayerName[] }) {
    return this.search(this.layers, q, this.live(q.layers));
  }
  async updateLayerRecords(records: StoredLayerRecord[]) {
    for (const r of records) {
      const x = this.layers.get(r.id);
      if (x) x.record = structuredClone({ ...r, text: x.record.text });
    }
  }

  async counts(): Promise<Record<Kind, number>> {
    return { events: this.events.size, reflections: this.reflections.size, layers: this.layers.size };
  }

  async fingerprint(at: AsOf): Promise<Fingerprint> {
    const s = toEpochSeconds(at);
    const of = (m: Map<string, Entry<Dated>>) => printOf([...m.keys()].map((id) => ({ h: idHash(id), at: toEpochSeconds(m.get(id)!.record.available_at) })), s);
    const maps: Record<Kind, Map<string, Entry<Dated>>> = { events: this.events, reflections: this.reflections, layers: this.layers };
    return Object.fromEntries(KINDS.map((k) => [k, of(maps[k])])) as Fingerprint;
  }
}

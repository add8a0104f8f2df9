/**
 * Pure conversions between domain records and Chroma rows (id, document, scalar metadata), and the
 * content-derived ids that make writes idempotent.
 */
import { createHash } from "node:crypto";
import { epochDay } from "../data/calendar.ts";
import { packBits, unpackBits } from "../domain/bits.ts";
import type { EventDetails, StoredEvent, TrackedEvent, WindowSeries } from "../domain/events.ts";
import type { LayerKind, MemoryLayer, Movement, Reflection } from "../domain/schemas.ts";
import { findType, N_GROUPS, N_TYPES } from "../domain/taxonomy.ts";

type Scalar = string | number | boolean;
export type Meta = Record<string, Scalar>;
export interface Row {
  id: string;
  document: string;
  meta: Meta;
}

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

/** Id of an event: ticker, date, kind and a hash of its content, so the same event written twice is one record. */
export function eventId(e: Pick<TrackedEvent, "ticker" | "date" | "group" | "type" | "description">): string {
  return `${eventIdPrefix(e.ticker, e.date)}${short(`${e.group}\u0000${e.type}\u0000${e.description}`)}`;
}

/** The prefix of every event id of one ticker-day. */
export const eventIdPrefix = (ticker: string, date: string) => `ev:${ticker}:${date}:`;

/** Id of a reflection: one per ticker-day (a rewrite of the day replaces it). */
export function reflectionId(ticker: string, date: string): string {
  return `rf:${ticker}:${date}`;
}

/**
 * What a record id says: its kind, ticker and trading date (and a layer record's kind); null for an id we did not
 * build.
 */
export function parseRecordId(
  id: string,
): { kind: "event" | "reflection" | "layer"; ticker: string; date: string; layerKind?: LayerKind } | null {
  const rf = /^rf:([^:]+):(\d{4}-\d{2}-\d{2})$/.exec(id);
  if (rf) return { kind: "reflection", ticker: rf[1]!, date: rf[2]! };
  const ev = /^ev:([^:]+):(\d{4}-\d{2}-\d{2}):[0-9a-f]+$/.exec(id);
  if (ev) return { kind: "event", ticker: ev[1]!, date: ev[2]! };
  const lm = /^lm:(daily|explanation|pattern|error):([^:]+):(\d{4}-\d{2}-\d{2}):[0-9a-f]+$/.exec(id);
  if (lm) return { kind: "layer", layerKind: lm[1] as LayerKind, ticker: lm[2]!, date: lm[3]! };
  return null;
}

export const toEpochSeconds = (at: string | number | Date): number => {
  const ms = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (Number.isNaN(ms)) throw new Error(`invalid instant "${String(at)}"`);
  return Math.floor(ms / 1000);
};

const fromEpochSeconds = (s: Scalar | undefined): string => new Date(Number(s) * 1000).toISOString();

export function eventToRow(e: StoredEvent): Row {
  const t = findType(e.group, e.type);
  if (!t) throw new Error(`event ${e.id}: "${e.type}" is not a type of "${e.group}"`);
  return {
    id: e.id,
    document: e.description,
    meta: {
      ticker: e.ticker,
      date: e.date,
      epoch_day: epochDay(e.date),
      available_at: toEpochSeconds(e.available_at),
      group: e.group,
      type: e.type,
      group_id: t.groupId,
      type_id: t.id,
      raw_event_ids: JSON.stringify(e.raw_event_ids),
      source_ids: JSON.stringify(e.source_ids),
      predecessor_id: e.predecessor_id ?? "",
      chain_root_id: e.chain_root_id,
      chain_depth: e.chain_depth,
      delta_text: e.delta?.text ?? "",
      delta_direction: e.delta?.direction ?? "",
      ...(e.details ? { details: JSON.stringify(e.details) } : {}),
    },
  };
}

export function rowToEvent(id: string, document: string | null | undefined, m: Meta): StoredEvent {
  return {
    id,
    ticker: String(m.ticker),
    date: String(m.date),
    group: String(m.group),
    type: String(m.type),
    description: document ?? "",
    raw_event_ids: JSON.parse(String(m.raw_event_ids)) as string[],
    source_ids: JSON.parse(String(m.source_ids)) as string[],
    predecessor_id: m.predecessor_id ? String(m.predecessor_id) : null,
    chain_root_id: String(m.chain_root_id),
    chain_depth: Number(m.chain_depth),
    delta: m.delta_direction
      ? { text: String(m.delta_text), direction: m.delta_direction as "more_positive" | "more_negative" | "neutral" }
      : null,
    ...(m.details ? { details: JSON.parse(String(m.details)) as EventDetails } : {}),
    available_at: fromEpochSeconds(m.available_at),
  };
}

export function reflectionToRow(r: Reflection): Row {
  return {
    id: r.id,
    document: r.reason,
    meta: {
      ticker: r.ticker,
      date: r.date,
      epoch_day: epochDay(r.date),
      available_at: toEpochSeconds(r.available_at),
      label: r.label,
      key_events: JSON.stringify(r.key_events),
      window: r.type_bits.length,
      type_bits: r.type_bits.map(packBits).join(","),
      group_bits: r.group_bits.map(packBits).join(","),
      ...(r.series ? { series: JSON.stringify(r.series) } : {}),
    },
  };
}

export function rowToReflection(id: string, document: string | null | undefined, m: Meta): Reflection {
  const split = (s: Scalar | undefined) => (s === undefined || String(s) === "" ? [] : String(s).split(","));
  return {
    id,
    ticker: String(m.ticker),
    date: String(m.date),
    label: m.label as Movement,
    reason: document ?? "",
    key_events: JSON.parse(String(m.key_events)) as string[],
    type_bits: split(m.type_bits).map((h) => unpackBits(h, N_TYPES)),
    group_bits: split(m.group_bits).map((h) => unpackBits(h, N_GROUPS)),
    ...(m.series ? { series: JSON.parse(String(m.series)) as WindowSeries } : {}),
    available_at: fromEpochSeconds(m.available_at),
  };
}

// ---- layered memory (SEP-Memory) --------------------------------------------------------------

/** One record of the layered memory, as stored: its text, layer and upkeep state. */
export interface StoredLayerRecord {
  id: string;
  ticker: string;
  /** the trading date the record is about */
  date: string;
  kind: LayerKind;
  layer: MemoryLayer;
  text: string;
  importance: number;
  access_count: number;
  /** when the record entered its current layer (a trading date) */
  layer_since: string;
  /** readable from this instant on */
  available_at: string;
  /** pruned by the upkeep: kept as a tombstone (no read returns it), so the ids a checkpoint relies on stay */
  pruned?: boolean;
  /** the trading date of the last upkeep applied to it (a redone upkeep skips it) */
  upkept_on?: string;
  /** the trading date of the last rewards applied to it (a redone settlement skips it) */
  settled_on?: string;
}

export function layerRecordId(ticker: string, date: string, kind: LayerKind, text: string): string {
  return `lm:${kind}:${ticker}:${date}:${short(text)}`;
}

export function layerToRow(r: StoredLayerRecord): Row {
  return {
    id: r.id,
    document: r.text,
    meta: {
      ticker: r.ticker,
      date: r.date,
      epoch_day: epochDay(r.date),
      available_at: toEpochSeconds(r.available_at),
      kind: r.kind,
      layer: r.layer,
      importance: r.importance,
      access_count: r.access_count,
      layer_since: r.layer_since,
      layer_since_day: epochDay(r.layer_since),
      pruned: r.pruned ?? false,
      upkept_on: r.upkept_on ?? "",
      settled_on: r.settled_on ?? "",
    },
  };
}

export function rowToLayer(id: string, document: string | null | undefined, m: Meta): StoredLayerRecord {
  return {
    id,
    ticker: String(m.ticker),
    date: String(m.date),
    kind: m.kind as LayerKind,
    layer: m.layer as MemoryLayer,
    text: document ?? "",
    importance: Number(m.importance),
    access_count: Number(m.access_count),
    layer_since: String(m.layer_since),
    available_at: fromEpochSeconds(m.available_at),
    ...(m.pruned === true ? { pruned: true } : {}),
    ...(m.upkept_on ? { upkept_on: String(m.upkept_on) } : {}),
    ...(m.settled_on ? { settled_on: String(m.settled_on) } : {}),
  };
}

/**
 * SEP-Memory's layered memory in the run (when the run context's `layered` is on): what is written
 * when, rewards once outcomes are known, and the daily upkeep (decay, jumps with hysteresis, prune).
 * Ages are counted in trading days of the record's ticker; every read is at an asOf.
 */
import { dayContext, seriesOf } from "../../src/data/day-context.ts";
import type { Prediction, Reflection } from "../../src/domain/schemas.ts";
import { type LayerKind, MemoryLayer } from "../../src/domain/schemas.ts";
import {
  applyReward,
  decayImportance,
  jump,
  type LayerRecord,
  RewardTooEarlyError,
  recency,
  score,
  shouldPrune,
} from "../../src/memory/layers.ts";
import { layerRecordId, type StoredLayerRecord } from "../../src/memory/records.ts";
import type { Resources } from "../../src/runtime/resources.ts";

const BASE_IMPORTANCE = 0.5;

/** A new record of the layered memory, in `layer` from its own date on, readable from `availableAt`. */
export function newLayerRecord(o: {
  ticker: string;
  date: string;
  kind: LayerKind;
  layer: MemoryLayer;
  text: string;
  availableAt: string;
  importance?: number;
}): StoredLayerRecord {
  return {
    id: layerRecordId(o.ticker, o.date, o.kind, o.text),
    ticker: o.ticker,
    date: o.date,
    kind: o.kind,
    layer: o.layer,
    text: o.text,
    importance: o.importance ?? BASE_IMPORTANCE,
    access_count: 0,
    layer_since: o.date,
    available_at: o.availableAt,
  };
}

/** An error case of the reflection layer: a wrong call and what it relied on (the critic reads these). */
export function errorCase(
  ticker: string,
  date: string,
  predicted: string,
  moved: string,
  reason: string,
  knownAt: string,
): StoredLayerRecord {
  return newLayerRecord({
    ticker,
    date,
    kind: "error",
    layer: "reflection",
    text: `${ticker} ${date}: predicted ${predicted}, but it moved ${moved}. The reason given was: ${reason}`,
    availableAt: knownAt,
  });
}

/** Trading-day index of a date in a ticker's calendar (the last trading day on or before it). */
function dayIndex(r: Resources, ticker: string, date: string): number {
  const dates = seriesOf(r.data, ticker).calendar.dates;
  let lo = 0;
  let hi = dates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (dates[mid]! <= date) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const asLayer = (r: Resources, x: StoredLayerRecord): LayerRecord => ({
  id: x.id,
  layer: x.layer,
  importance: x.importance,
  accessCount: x.access_count,
  createdDay: dayIndex(r, x.ticker, x.date),
  layerSinceDay: dayIndex(r, x.ticker, x.layer_since),
});

/** Short-term: the day's price move and its events, readable from the day's close. */
export async function writeDaily(r: Resources, ticker: string, date: string): Promise<StoredLayerRecord> {
  const day = dayContext(r.data, ticker, date);
  const bars = day.history;
  const close = bars.at(-1)!;
  const prev = bars.at(-2);
  const move = prev
    ? `${(100 * (close.adj_close / prev.adj_close - 1)).toFixed(2)} % vs the previous close`
    : "first day";
  const events = await r.store.getEvents({ asOf: day.asOf, ticker, from: date, to: date });
  const text = `${ticker} ${date}: closed ${close.close.toFixed(2)} (${move}); ${day.items.length} news items. Events: ${
    events
      .slice(0, 6)
      .map((e) => `${e.type}: ${e.description}`)
      .join(" | ") || "none"
  }`;
  const rec = newLayerRecord({ ticker, date, kind: "daily", layer: "short", text, availableAt: day.asOf });
  await r.store.putLayerRecords([rec], { defer: true });
  return rec;
}

/** Mid-term: the explanation of a prediction, readable from its asOf. */
export async function writeExplanation(r: Resources, p: Prediction): Promise<StoredLayerRecord> {
  const rec = newLayerRecord({
    ticker: p.ticker,
    date: p.date,
    kind: "explanation",
    layer: "mid",
    text: `${p.ticker} ${p.date}: predicted ${p.movement}. ${p.reason}`,
    availableAt: p.as_of,
  });
  await r.store.putLayerRecords([rec], { defer: true });
  return rec;
}

/**
 * Once a prediction's outcome is known (knownAt = close of the next day): reward the memory records it
 * cited, and keep a wrong call as an error case in the reflection layer. Flat outcomes are not scored.
 */
export async function settle(
  r: Resources,
  p: Prediction,
  knownAt: string,
  reflection: Reflection | null,
): Promise<{ rewarded: number; error: boolean }> {
  // the outcome exists from the close of the next trading day on; never reward before it
  const s = seriesOf(r.data, p.ticker);
  const i = s.calendar.indexOf(p.date);
  const next = i === undefined ? undefined : s.days[i + 1];
  if (!next) return { rewarded: 0, error: false };
  const now = Date.parse(knownAt);
  if (now < Date.parse(next.close_at))
    throw new RewardTooEarlyError(
      `the outcome of ${p.ticker} ${p.date} is known at ${next.close_at}, not at ${knownAt}`,
    );
  const label = s.days[i!]!.label;
  if (label !== "up" && label !== "down") return { rewarded: 0, error: false };
  const correct = p.movement === label;
  const cited = p.references.filter((id) => id.startsWith("lm:"));
  // A redone settlement (a crash mid-way) skips the records this prediction already rewarded.
  const mark = settleMark(p.ticker, p.date);
  const stored = (cited.length ? await r.store.getLayerRecords({ asOf: knownAt, ids: cited }) : []).filter(
    (x) => !settledBy(x, p.ticker, p.date),
  );
  const updated = stored.map((x) => {
    const rewarded = applyReward(asLayer(r, x), correct, Date.parse(next.close_at), now, r.ctx.layers);
    return {
      ...x,
      importance: rewarded.importance,
      access_count: rewarded.accessCount,
      settled_on: mark(x.settled_on),
    };
  });
  if (updated.length) await r.store.updateLayerRecords(updated, { defer: true });
  if (!correct) {
    const missed = reflection ? ` What drove it: ${reflection.reason}` : "";
    await r.store.putLayerRecords([errorCase(p.ticker, p.date, p.movement, label, `${p.reason}${missed}`, knownAt)], {
      defer: true,
    });
  }
  return { rewarded: updated.length, error: !correct };
}

/** `settled_on` holds "<date>:<ticker>,<ticker>...": the predictions of that date whose rewards a record got. */
const settledBy = (x: StoredLayerRecord, ticker: string, date: string): boolean => {
  const [d, who = ""] = (x.settled_on ?? "").split(":");
  return d === date && who.split(",").includes(ticker);
};
const settleMark =
  (ticker: string, date: string) =>
  (prev: string | undefined): string => {
    const [d, who = ""] = (prev ?? "").split(":");
    return d === date && who ? `${date}:${who},${ticker}` : `${date}:${ticker}`;
  };

export interface UpkeepReport {
  date: string;
  decayed: number;
  promoted: number;
  demoted: number;
  pruned: number;
}

/** A layer's rank, lowest first (the order of the MemoryLayer enum). */
const rank = (l: MemoryLayer) => MemoryLayer.options.indexOf(l);

/**
 * One trading day of upkeep over every live record readable at the day's close: decay, jump, prune.
 * Each record is marked with the day it was kept up for, so a redone upkeep (a crash mid-way) never
 * decays a record twice; pruned records stay as tombstones that no read returns, so the ids a
 * checkpoint's fingerprint relies on never vanish.
 */
export async function upkeep(r: Resources, date: string, asOf: string): Promise<UpkeepReport> {
  const p = r.ctx.layers;
  const all = await r.store.getLayerRecords({ asOf });
  const report: UpkeepReport = { date, decayed: 0, promoted: 0, demoted: 0, pruned: 0 };
  const writes: StoredLayerRecord[] = [];
  for (const x of all) {
    if (x.date === date || x.upkept_on === date) continue; // written today: it starts decaying tomorrow; or done already
    const today = dayIndex(r, x.ticker, date);
    const decayed = { ...asLayer(r, x), importance: decayImportance(x.importance, x.layer, 1, p) };
    const moved = jump(decayed, today, p);
    if (shouldPrune(moved, today, p)) {
      writes.push({ ...x, pruned: true, upkept_on: date });
      report.pruned++;
      continue;
    }
    if (rank(moved.layer) > rank(x.layer)) report.promoted++;
    if (rank(moved.layer) < rank(x.layer)) report.demoted++;
    report.decayed++;
    writes.push({
      ...x,
      importance: moved.importance,
      layer: moved.layer,
      layer_since: moved.layer === x.layer ? x.layer_since : date,
      upkept_on: date,
    });
  }
  await r.store.updateLayerRecords(writes, { defer: true });
  return report;
}

export interface Memory {
  id: string;
  layer: string;
  date: string;
  text: string;
  score: number;
}

/** The predictor's layered memories: the records most similar to today's events, ranked by score at asOf. */
export async function recallMemories(
  r: Resources,
  date: string,
  asOf: string,
  text: string,
  k: number,
): Promise<Memory[]> {
  const hits = await r.store.searchLayerRecords({ text, asOf, k: Math.max(k * 3, k) });
  const today = (t: string) => dayIndex(r, t, date);
  return hits
    .map(({ record: x, similarity }) => ({
      id: x.id,
      layer: x.layer,
      date: x.date,
      text: x.text,
      score: score(
        Math.max(0, similarity),
        recency(Math.max(0, today(x.ticker) - dayIndex(r, x.ticker, x.date)), x.layer, r.ctx.layers),
        x.importance,
        r.ctx.layers,
      ),
    }))
    .sort((a, b) => b.score - a.score || b.date.localeCompare(a.date) || a.id.localeCompare(b.id))
    .slice(0, k);
}

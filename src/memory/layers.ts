/**
 * SEP-Memory's layered memory, as pure functions with an injected clock (the trading-day index):
 * recency, importance decay, the retrieval score, promotion/demotion with hysteresis, pruning,
 * reward write-back that refuses to act before the outcome is known, and GRPO group advantages.
 */
import type { LayerParams } from "../config/context.ts";
import type { MemoryLayer } from "../domain/schemas.ts";

export interface LayerRecord {
  id: string;
  layer: MemoryLayer;
  /** in [0, 1] */
  importance: number;
  accessCount: number;
  /** trading-day index at which the record was created / entered its current layer */
  createdDay: number;
  layerSinceDay: number;
}

export function recency(ageDays: number, layer: MemoryLayer, p: LayerParams): number {
  if (ageDays < 0) throw new RangeError(`a record cannot be read before it exists (age ${ageDays})`);
  return Math.exp(-ageDays / p.Q[layer]);
}

export function decayImportance(importance: number, layer: MemoryLayer, days: number, p: LayerParams): number {
  return importance * p.decay[layer] ** Math.max(0, days);
}

/** similarity, recency and importance, each in [0, 1], weighted (weights normalised to sum to 1). */
export function score(similarity: number, rec: number, importance: number, p: LayerParams): number {
  const w = p.weights;
  const total = w.similarity + w.recency + w.importance || 1;
  return (w.similarity * similarity + w.recency * rec + w.importance * importance) / total;
}

/**
 * The layer a record belongs in today. Promotion at promoteAt, demotion only below promoteAt minus
 * the hysteresis margin, and never within minDwell days of its last move. Reflection records stay.
 */
export function nextLayer(r: LayerRecord, today: number, p: LayerParams): MemoryLayer {
  if (r.layer === "reflection" || today - r.layerSinceDay < p.minDwell) return r.layer;
  const up = p.promoteAt;
  const down = { mid: up.short - p.hysteresis, long: up.mid - p.hysteresis };
  if (r.layer === "short" && r.importance >= up.short) return "mid";
  if (r.layer === "mid" && r.importance >= up.mid) return "long";
  if (r.layer === "mid" && r.importance < down.mid) return "short";
  if (r.layer === "long" && r.importance < down.long) return "mid";
  return r.layer;
}

/** Applies one layer move (if any), resetting the dwell clock. */
export function jump(r: LayerRecord, today: number, p: LayerParams): LayerRecord {
  const layer = nextLayer(r, today, p);
  return layer === r.layer ? r : { ...r, layer, layerSinceDay: today };
}

/**
 * Stale, low-value records go: short and mid below both floors; long and reflection only below the importance floor.
 */
export function shouldPrune(r: LayerRecord, today: number, p: LayerParams): boolean {
  const rec = recency(today - r.createdDay, r.layer, p);
  if (r.layer === "short" || r.layer === "mid") return rec < p.pruneRecency && r.importance < p.pruneImportance;
  return r.importance < p.pruneImportance;
}

export class RewardTooEarlyError extends Error {}

/**
 * Reward write-back for a record a prediction cited: only once the prediction's outcome is known
 * (now >= outcomeKnownAt, epoch ms), importance up for a right call and down for a wrong one.
 */
export function applyReward(
  r: LayerRecord,
  correct: boolean,
  outcomeKnownAt: number,
  now: number,
  p: LayerParams,
): LayerRecord {
  if (now < outcomeKnownAt)
    throw new RewardTooEarlyError(
      `reward for ${r.id} at ${new Date(now).toISOString()} is before its outcome is known (${new Date(outcomeKnownAt).toISOString()})`,
    );
  const importance = Math.min(1, Math.max(0, r.importance + (correct ? p.rewardStep : -p.rewardStep)));
  return { ...r, importance, accessCount: r.accessCount + 1 };
}

/** GRPO-style reward of one candidate: direction (+1 right, -1 wrong) plus a format term. */
export function candidateReward(correct: boolean, formatOk: boolean): number {
  return (correct ? 1 : -1) + (formatOk ? 0 : -0.5);
}

/** Group-relative advantages (r - mean) / std (population std); all 0 when the group does not vary. */
export function groupAdvantages(rewards: readonly number[]): number[] {
  if (rewards.length === 0) return [];
  const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  const sd = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length);
  return rewards.map((r) => (sd < 1e-12 ? 0 : (r - mean) / sd));
}

/** Monday of the ISO week of a date (YYYY-MM-DD). */
export function weekOf(date: string): string {
  const day = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const monday = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
  return new Date(monday * 86_400_000).toISOString().slice(0, 10);
}

/** Records per week (of their date) and per layer, weeks in order. */
export function layerWeekCounts(
  records: readonly { date: string; layer: MemoryLayer }[],
): { week: string; short: number; mid: number; long: number; reflection: number }[] {
  const weeks = new Map<string, { week: string; short: number; mid: number; long: number; reflection: number }>();
  for (const r of records) {
    const w = weekOf(r.date);
    const row = weeks.get(w) ?? { week: w, short: 0, mid: 0, long: 0, reflection: 0 };
    row[r.layer]++;
    weeks.set(w, row);
  }
  return [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week));
}

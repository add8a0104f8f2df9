/**
 * The StockMem retrieval tool (paper 3.3), deterministic and pure:
 *   V_t in {0,1}^57 (event types present on day t), G_t in {0,1}^13 (groups present),
 *   DailySim(t, s) = a * J(V_t, V_s) + (1 - a) * J(G_t, G_s)           (a = 0.7)
 *   SeqSim = mean of DailySim over the w aligned days (oldest with oldest, ..., t with s)
 * J(A, B) = |A ∩ B| / |A ∪ B|, and J(∅, ∅) = 0: an empty day carries no event information, so it
 * cannot make two situations alike (ranking then rests on the days that have events).
 *
 * Sequences are bit-packed: per day two 32-bit words for the 57 types and one for the 13 groups,
 * with popcounts precomputed, so a scan over a million stored sequences is a tight integer loop.
 */
import { N_GROUPS, N_TYPES } from "../src/domain/taxonomy.ts";

export type BitVec = readonly (0 | 1)[];

export function jaccard(a: BitVec, b: BitVec): number {
  if (a.length !== b.length) throw new RangeError(`Jaccard of vectors of different lengths (${a.length} vs ${b.length})`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 0 : inter / union;
}

export function dailySim(v1: BitVec, g1: BitVec, v2: BitVec, g2: BitVec, a = 0.7): number {
  return a * jaccard(v1, v2) + (1 - a) * jaccard(g1, g2);
}

export interface DaySeq {
  /** type vectors, oldest first, length w */
  types: readonly BitVec[];
  /** group vectors, oldest first, length w */
  groups: readonly BitVec[];
}

export function seqSim(x: DaySeq, y: DaySeq, a = 0.7): number {
  const w = x.types.length;
  if (w === 0 || y.types.length !== w || x.groups.length !== w || y.groups.length !== w) {
    throw new RangeError(`SeqSim needs two sequences of the same non-zero length (got ${x.types.length} and ${y.types.length})`);
  }
  let sum = 0;
  for (let d = 0; d < w; d++) sum += dailySim(x.types[d]!, x.groups[d]!, y.types[d]!, y.groups[d]!, a);
  return sum / w;
}

/** Bit vectors of one day from the (group id, type id) pairs of its events. */
export function dayBits(typeIds: Iterable<number>, groupIds: Iterable<number>): { types: (0 | 1)[]; groups: (0 | 1)[] } {
  const types = new Array<0 | 1>(N_TYPES).fill(0);
  const groups = new Array<0 | 1>(N_GROUPS).fill(0);
  for (const t of typeIds) types[t] = 1;
  for (const g of groupIds) groups[g] = 1;
  return { types, groups };
}

// ---- packed index ------------------------------------------------------------------------

const WORDS = 3; // per day: types bits 0..31, types bits 32..56, groups bits 0..12

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function packDay(types: BitVec, groups: BitVec): [number, number, number] {
  let lo = 0;
  let hi = 0;
  let g = 0;
  for (let i = 0; i < N_TYPES; i++) if (types[i]) i < 32 ? (lo |= 1 << i) : (hi |= 1 << (i - 32));
  for (let i = 0; i < N_GROUPS; i++) if (groups[i]) g |= 1 << i;
  return [lo >>> 0, hi >>> 0, g >>> 0];
}

export interface SeqMeta {
  id: string;
  ticker: string;
  /** epoch day of the reference's date (ties: more recent first) */
  day: number;
  /** epoch seconds from which the reference may be used */
  availableAt: number;
}

export interface Candidate {
  id: string;
  ticker: string;
  day: number;
  similarity: number;
}

export interface QueryOptions {
  k: number;
  a?: number;
  /** only references available at or before this instant (epoch seconds) */
  asOfSeconds: number;
  /** restrict to one ticker (the "same company" ablation); default: all tickers (the paper's best setting) */
  ticker?: string;
  /** ids never to return (e.g. the query's own day) */
  exclude?: ReadonlySet<string>;
}

/** An append-only store of packed w-day sequences with a top-K SeqSim scan. */
export class SequenceIndex {
  private words: Uint32Array;
  private counts: Uint8Array; // popcount per word
  private metas: SeqMeta[] = [];
  private ids = new Map<string, number>();

  constructor(readonly w: number, capacity = 1024) {
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`window w must be a positive integer, got ${w}`);
    this.words = new Uint32Array(capacity * w * WORDS);
    this.counts = new Uint8Array(capacity * w * WORDS);
  }

  get size(): number {
    return this.metas.length;
  }

  private grow(min: number): void {
    const stride = this.w * WORDS;
    if (min * stride <= this.words.length) return;
    const cap = Math.max(min, (this.words.length / stride) * 2);
    const words = new Uint32Array(cap * stride);
    const counts = new Uint8Array(cap * stride);
    words.set(this.words);
    counts.set(this.counts);
    this.words = words;
    this.counts = counts;
  }

  /** Adds (or replaces, by id) one reference sequence. */
  add(meta: SeqMeta, seq: DaySeq): void {
    if (seq.types.length !== this.w || seq.groups.length !== this.w) throw new RangeError(`sequence ${meta.id} has ${seq.types.length} days, the index holds w = ${this.w}`);
    let row = this.ids.get(meta.id);
    if (row === undefined) {
      row = this.metas.length;
      this.grow(row + 1);
      this.metas.push(meta);
      this.ids.set(meta.id, row);
    } else {
      this.metas[row] = meta;
    }
    const base = row * this.w * WORDS;
    for (let d = 0; d < this.w; d++) {
      const packed = packDay(seq.types[d]!, seq.groups[d]!);
      for (let k = 0; k < WORDS; k++) {
        this.words[base + d * WORDS + k] = packed[k]!;
        this.counts[base + d * WORDS + k] = popcount32(packed[k]!);
      }
    }
  }

  /** Top-K references by SeqSim; ties by more recent day, then id. Only references available at asOf. */
  query(seq: DaySeq, opts: QueryOptions): Candidate[] {
    const a = opts.a ?? 0.7;
    const w = this.w;
    if (seq.types.length !== w) throw new RangeError(`query sequence has ${seq.types.length} days, the index holds w = ${w}`);
    const q = new Uint32Array(w * WORDS);
    const qc = new Uint8Array(w * WORDS);
    for (let d = 0; d < w; d++) {
      const p = packDay(seq.types[d]!, seq.groups[d]!);
      for (let k = 0; k < WORDS; k++) {
        q[d * WORDS + k] = p[k]!;
        qc[d * WORDS + k] = popcount32(p[k]!);
      }
    }
    const best: { row: number; sim: number }[] = [];
    const better = (r1: number, s1: number, r2: number, s2: number) => {
      if (s1 !== s2) return s1 > s2;
      const m1 = this.metas[r1]!;
      const m2 = this.metas[r2]!;
      if (m1.day !== m2.day) return m1.day > m2.day;
      return m1.id < m2.id;
    };
    const words = this.words;
    const counts = this.counts;
    const stride = w * WORDS;
    for (let row = 0; row < this.metas.length; row++) {
      const meta = this.metas[row]!;
      if (meta.availableAt > opts.asOfSeconds) continue;
      if (opts.ticker !== undefined && meta.ticker !== opts.ticker) continue;
      if (opts.exclude?.has(meta.id)) continue;
      let sum = 0;
      const base = row * stride;
      for (let d = 0; d < w; d++) {
        const o = d * WORDS;
        const i0 = popcount32(words[base + o]! & q[o]!);
        const i1 = popcount32(words[base + o + 1]! & q[o + 1]!);
        const i2 = popcount32(words[base + o + 2]! & q[o + 2]!);
        const ut = counts[base + o]! + counts[base + o + 1]! + qc[o]! + qc[o + 1]! - i0 - i1;
        const ug = counts[base + o + 2]! + qc[o + 2]! - i2;
        sum += a * (ut === 0 ? 0 : (i0 + i1) / ut) + (1 - a) * (ug === 0 ? 0 : i2 / ug);
      }
      const sim = sum / w;
      if (best.length < opts.k) {
        best.push({ row, sim });
        best.sort((x, y) => (better(x.row, x.sim, y.row, y.sim) ? -1 : 1));
      } else if (better(row, sim, best[best.length - 1]!.row, best[best.length - 1]!.sim)) {
        best[best.length - 1] = { row, sim };
        best.sort((x, y) => (better(x.row, x.sim, y.row, y.sim) ? -1 : 1));
      }
    }
    return best.map(({ row, sim }) => {
      const m = this.metas[row]!;
      return { id: m.id, ticker: m.ticker, day: m.day, similarity: sim };
    });
  }
}

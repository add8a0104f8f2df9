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

/** popcount of 16 bits, for the scan's two lookups per 32-bit word */
const POP16 = (() => {
  const t = new Uint8Array(65536);
  for (let i = 1; i < 65536; i++) t[i] = (i & 1) + t[i >>> 1]!;
  return t;
})();

const T_UNION = 2 * N_TYPES + 1; // a type union has 0..114 members
const G_UNION = 2 * N_GROUPS + 1;

/** a * i / u for every (intersection i, union u) of types, and (1 - a) * i / u of groups: no division in the scan. */
function ratioTables(a: number): { A: Float64Array; B: Float64Array } {
  const A = new Float64Array((N_TYPES + 1) * T_UNION);
  const B = new Float64Array((N_GROUPS + 1) * G_UNION);
  for (let i = 0; i <= N_TYPES; i++) for (let u = 1; u < T_UNION; u++) A[i * T_UNION + u] = a * (i / u);
  for (let i = 0; i <= N_GROUPS; i++) for (let u = 1; u < G_UNION; u++) B[i * G_UNION + u] = (1 - a) * (i / u);
  return { A, B };
}

/**
 * An append-only store of packed w-day sequences with a top-K SeqSim scan. Columns in typed arrays
 * (words, per-day type and group counts, availability, day, ticker code): the scan reads no object
 * per candidate, counts bits with a 16-bit table, takes i/u from ratio tables, and stops a candidate
 * as soon as even perfect remaining days could not lift it above the current k-th best.
 */
export class SequenceIndex {
  private words: Uint32Array;
  private tcount: Uint8Array; // types present per day
  private gcount: Uint8Array; // groups present per day
  private avail: Float64Array;
  private days: Int32Array;
  private tcode: Int32Array;
  private readonly ids: string[] = [];
  private readonly rows = new Map<string, number>();
  private readonly tickerCodes = new Map<string, number>();
  private readonly tickerNames: string[] = [];
  private tables?: { a: number; A: Float64Array; B: Float64Array };

  constructor(readonly w: number, capacity = 1024) {
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`window w must be a positive integer, got ${w}`);
    const cap = Math.max(1, capacity);
    this.words = new Uint32Array(cap * w * WORDS);
    this.tcount = new Uint8Array(cap * w);
    this.gcount = new Uint8Array(cap * w);
    this.avail = new Float64Array(cap);
    this.days = new Int32Array(cap);
    this.tcode = new Int32Array(cap);
  }

  get size(): number {
    return this.ids.length;
  }

  private grow(min: number): void {
    if (min <= this.avail.length) return;
    const cap = Math.max(min, this.avail.length * 2);
    const w = this.w;
    const words = new Uint32Array(cap * w * WORDS);
    words.set(this.words);
    this.words = words;
    const tc = new Uint8Array(cap * w);
    tc.set(this.tcount);
    this.tcount = tc;
    const gc = new Uint8Array(cap * w);
    gc.set(this.gcount);
    this.gcount = gc;
    const av = new Float64Array(cap);
    av.set(this.avail);
    this.avail = av;
    const dy = new Int32Array(cap);
    dy.set(this.days);
    this.days = dy;
    const tk = new Int32Array(cap);
    tk.set(this.tcode);
    this.tcode = tk;
  }

  private codeOf(ticker: string): number {
    let c = this.tickerCodes.get(ticker);
    if (c === undefined) {
      c = this.tickerNames.length;
      this.tickerCodes.set(ticker, c);
      this.tickerNames.push(ticker);
    }
    return c;
  }

  /** Adds (or replaces, by id) one reference sequence. */
  add(meta: SeqMeta, seq: DaySeq): void {
    if (seq.types.length !== this.w || seq.groups.length !== this.w) throw new RangeError(`sequence ${meta.id} has ${seq.types.length} days, the index holds w = ${this.w}`);
    let row = this.rows.get(meta.id);
    if (row === undefined) {
      row = this.ids.length;
      this.grow(row + 1);
      this.ids.push(meta.id);
      this.rows.set(meta.id, row);
    }
    this.avail[row] = meta.availableAt;
    this.days[row] = meta.day;
    this.tcode[row] = this.codeOf(meta.ticker);
    for (let d = 0; d < this.w; d++) {
      const [lo, hi, g] = packDay(seq.types[d]!, seq.groups[d]!);
      const b = (row * this.w + d) * WORDS;
      this.words[b] = lo;
      this.words[b + 1] = hi;
      this.words[b + 2] = g;
      this.tcount[row * this.w + d] = popcount32(lo) + popcount32(hi);
      this.gcount[row * this.w + d] = popcount32(g);
    }
  }

  /** Top-K references by SeqSim; ties by more recent day, then id. Only references available at asOf. */
  query(seq: DaySeq, opts: QueryOptions): Candidate[] {
    const a = opts.a ?? 0.7;
    const w = this.w;
    if (seq.types.length !== w) throw new RangeError(`query sequence has ${seq.types.length} days, the index holds w = ${w}`);
    if (this.tables?.a !== a) this.tables = { a, ...ratioTables(a) };
    const { A, B } = this.tables;
    const q = new Uint32Array(w * WORDS);
    const qt = new Uint8Array(w);
    const qg = new Uint8Array(w);
    // the most the days from d on can still add: 0 for a query day without events (J(empty, x) = 0), else 1
    const rest = new Float64Array(w + 1);
    for (let d = 0; d < w; d++) {
      const [lo, hi, g] = packDay(seq.types[d]!, seq.groups[d]!);
      q[d * WORDS] = lo;
      q[d * WORDS + 1] = hi;
      q[d * WORDS + 2] = g;
      qt[d] = popcount32(lo) + popcount32(hi);
      qg[d] = popcount32(g);
    }
    for (let d = w - 1; d >= 0; d--) rest[d] = rest[d + 1]! + (qt[d]! > 0 ? a : 0) + (qg[d]! > 0 ? 1 - a : 0);

    const k = opts.k;
    const best: { row: number; sim: number }[] = [];
    // Once k are held: the sum a candidate must still be able to reach (the k-th best's, less a margin
    // far above rounding, so a candidate that could tie is never cut).
    let floor = -Infinity;
    const exclude = opts.exclude;
    const days = this.days;
    const ids = this.ids;
    const better = (r1: number, s1: number, r2: number, s2: number) => {
      if (s1 !== s2) return s1 > s2;
      if (days[r1] !== days[r2]) return days[r1]! > days[r2]!;
      return ids[r1]! < ids[r2]!;
    };
    const words = this.words;
    const tcount = this.tcount;
    const gcount = this.gcount;
    const avail = this.avail;
    const tcode = this.tcode;
    const only = opts.ticker === undefined ? -1 : (this.tickerCodes.get(opts.ticker) ?? -2);
    if (only === -2) return [];
    const asOf = opts.asOfSeconds;
    const n = ids.length;
    for (let row = 0; row < n; row++) {
      if (avail[row]! > asOf) continue;
      if (only >= 0 && tcode[row] !== only) continue;
      if (exclude !== undefined && exclude.has(ids[row]!)) continue;
      let sum = 0;
      let cut = false;
      const base = row * w;
      for (let d = 0; d < w; d++) {
        if (sum + rest[d]! < floor) {
          cut = true;
          break;
        }
        const b = (base + d) * WORDS;
        const o = d * WORDS;
        const x0 = words[b]! & q[o]!;
        const x1 = words[b + 1]! & q[o + 1]!;
        const x2 = words[b + 2]! & q[o + 2]!;
        const it = POP16[x0 & 0xffff]! + POP16[x0 >>> 16]! + POP16[x1 & 0xffff]! + POP16[x1 >>> 16]!;
        const ig = POP16[x2 & 0xffff]! + POP16[x2 >>> 16]!;
        const ut = tcount[base + d]! + qt[d]! - it;
        const ug = gcount[base + d]! + qg[d]! - ig;
        sum += A[it * T_UNION + ut]! + B[ig * G_UNION + ug]!;
      }
      if (cut) continue;
      const sim = sum / w;
      if (best.length < k) {
        best.push({ row, sim });
        best.sort((x, y) => (better(x.row, x.sim, y.row, y.sim) ? -1 : 1));
        if (best.length === k) floor = best[k - 1]!.sim * w - 1e-9;
      } else if (better(row, sim, best[k - 1]!.row, best[k - 1]!.sim)) {
        best[k - 1] = { row, sim };
        best.sort((x, y) => (better(x.row, x.sim, y.row, y.sim) ? -1 : 1));
        floor = best[k - 1]!.sim * w - 1e-9;
      }
    }
    return best.map(({ row, sim }) => ({ id: ids[row]!, ticker: this.tickerNames[this.tcode[row]!]!, day: days[row]!, similarity: sim }));
  }
}

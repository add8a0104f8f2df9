/**
 * The StockMem retrieval tool (paper 3.3), deterministic and pure:
 *   V_t in {0,1}^57 (event types present on day t), G_t in {0,1}^13 (groups present),
 *   DailySim(t, s) = a * J(V_t, V_s) + (1 - a) * J(G_t, G_s)           (a = 0.7)
 *   SeqSim = mean of DailySim over the w aligned days (oldest with oldest, ..., t with s)
 * J(A, B) = |A ∩ B| / |A ∪ B|, and J(∅, ∅) = 0: an empty day carries no event information, so it
 * cannot make two situations alike (ranking then rests on the days that have events).
 *
 * Sequences are bit-packed: per day two 32-bit words for the 57 types and one for the 13 groups,
 * with popcounts precomputed, so a scan over a million stored sequences is a tight integer loop
 * (in WebAssembly, tools/jaccard.wat, with the TypeScript loop as its reference).
 */
import { readFileSync } from "node:fs";
import { N_GROUPS, N_TYPES } from "../src/domain/taxonomy.ts";

export type BitVec = readonly (0 | 1)[];

export function jaccard(a: BitVec, b: BitVec): number {
  if (a.length !== b.length)
    throw new RangeError(`Jaccard of vectors of different lengths (${a.length} vs ${b.length})`);
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
    throw new RangeError(
      `SeqSim needs two sequences of the same non-zero length (got ${x.types.length} and ${y.types.length})`,
    );
  }
  let sum = 0;
  for (let d = 0; d < w; d++) sum += dailySim(x.types[d]!, x.groups[d]!, y.types[d]!, y.groups[d]!, a);
  return sum / w;
}

/** Bit vectors of one day from the (group id, type id) pairs of its events. */
export function dayBits(
  typeIds: Iterable<number>,
  groupIds: Iterable<number>,
): { types: (0 | 1)[]; groups: (0 | 1)[] } {
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

function packDay(types: BitVec, groups: BitVec): [number, number, number] {
  let lo = 0;
  let hi = 0;
  let g = 0;
  for (let i = 0; i < N_TYPES; i++) {
    if (!types[i]) continue;
    if (i < 32) lo |= 1 << i;
    else hi |= 1 << (i - 32);
  }
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

// Ratio tables are indexed (intersection << shift) | union: a type union has 0..57 members (< 2^7), a group union 0..13
// (< 2^5)
const T_SHIFT = 7;
const G_SHIFT = 5;
const T_UNION = 1 << T_SHIFT;
const G_UNION = 1 << G_SHIFT;

/** a * i / u for every (intersection i, union u) of types, and (1 - a) * i / u of groups: no division in the scan. */
function ratioTables(a: number): { A: Float64Array; B: Float64Array } {
  const A = new Float64Array((N_TYPES + 1) * T_UNION);
  const B = new Float64Array((N_GROUPS + 1) * G_UNION);
  for (let i = 0; i <= N_TYPES; i++) for (let u = 1; u <= N_TYPES; u++) A[(i << T_SHIFT) | u] = a * (i / u);
  for (let i = 0; i <= N_GROUPS; i++) for (let u = 1; u <= N_GROUPS; u++) B[(i << G_SHIFT) | u] = (1 - a) * (i / u);
  return { A, B };
}

/** The scan in WebAssembly (tools/jaccard.wat, built by the install), when the build is there. */
const WASM: WebAssembly.Module | undefined = (() => {
  try {
    return new WebAssembly.Module(readFileSync(new URL("./jaccard.wasm", import.meta.url)));
  } catch {
    return undefined;
  }
})();

/** Which scan `query` uses by default: "wasm" after a normal install, "typescript" when the module was not built. */
export const SCAN_ENGINE: "wasm" | "typescript" = WASM ? "wasm" : "typescript";

export type ScanEngine = "wasm" | "typescript";

const PAGE = 65536;
const HEADER = 128; // see tools/jaccard.wat
const HEAP_CAP = 256; // the most best-sums the WebAssembly scan keeps (k plus excluded ids); beyond, the TypeScript scan
const OUT_CAP = 4096; // rows handed back per WebAssembly call
const align8 = (x: number) => (x + 7) & ~7;

/** Byte offsets of everything in an index's buffer, for w and a row capacity. */
function layout(w: number, cap: number) {
  let at = HEADER;
  const take = (bytes: number) => {
    const o = at;
    at = align8(at + bytes);
    return o;
  };
  const A = take((N_TYPES + 1) * T_UNION * 8);
  const B = take((N_GROUPS + 1) * G_UNION * 8);
  const q = take(w * WORDS * 4);
  const qt = take(w);
  const qg = take(w);
  const rest = take((w + 1) * 8);
  const heap = take(HEAP_CAP * 8);
  const outRows = take(OUT_CAP * 4);
  const outSums = take(OUT_CAP * 8);
  const words = take(cap * w * WORDS * 4);
  const tcount = take(cap * w);
  const gcount = take(cap * w);
  const avail = take(cap * 8);
  const tcode = take(cap * 4);
  return { A, B, q, qt, qg, rest, heap, outRows, outSums, words, tcount, gcount, avail, tcode, bytes: at };
}

/**
 * An append-only store of packed w-day sequences with a top-K SeqSim scan. Columns in typed arrays
 * (words, per-day type and group counts, availability, day, ticker code) that live in the memory of
 * a WebAssembly instance, whose scan counts bits with the hardware popcount. The TypeScript scan over
 * the same columns is the reference (and the fallback): it reads no object per candidate, counts bits
 * with a 16-bit table, takes i/u from ratio tables, and stops a candidate as soon as even perfect
 * remaining days could not lift it above the current k-th best. Both return the same candidates.
 */
export class SequenceIndex {
  private readonly wasm?: {
    memory: WebAssembly.Memory;
    scan: (start: number, end: number, w: number, asOf: number, only: number, k: number, cap: number) => number;
  };
  private buffer!: ArrayBuffer;
  private at!: ReturnType<typeof layout>;
  private cap = 0;
  private header!: Int32Array;
  private words!: Uint32Array;
  private tcount!: Uint8Array; // types present per day
  private gcount!: Uint8Array; // groups present per day
  private avail!: Float64Array;
  private tcode!: Int32Array;
  private days = new Int32Array(0);
  private readonly ids: string[] = [];
  private readonly rows = new Map<string, number>();
  private readonly tickerCodes = new Map<string, number>();
  private readonly tickerNames: string[] = [];
  private tablesFor?: number; // the `a` whose ratio tables are in the buffer
  /**
   * whether availability never decreases with the row (reflections arrive in time order): a query then scans only the
   * prefix readable at asOf
   */
  private availSorted = true;

  constructor(
    readonly w: number,
    capacity = 1024,
  ) {
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`window w must be a positive integer, got ${w}`);
    if (WASM) {
      const { exports } = new WebAssembly.Instance(WASM);
      this.wasm = { memory: exports.memory as WebAssembly.Memory, scan: exports.scan as (n: number) => number };
    }
    this.grow(Math.max(1, capacity));
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * Moves the columns to a layout for `cap` rows (kept rows copied); views are rebuilt, tables rewritten on the next
   * query.
   */
  private grow(min: number): void {
    if (min <= this.cap) return;
    const cap = Math.max(min, this.cap * 2);
    const old =
      this.cap === 0
        ? undefined
        : {
            words: this.words.slice(),
            tcount: this.tcount.slice(),
            gcount: this.gcount.slice(),
            avail: this.avail.slice(),
            tcode: this.tcode.slice(),
          };
    const at = layout(this.w, cap);
    if (this.wasm) {
      const have = this.wasm.memory.buffer.byteLength;
      if (at.bytes > have) this.wasm.memory.grow(Math.ceil((at.bytes - have) / PAGE));
      this.buffer = this.wasm.memory.buffer;
    } else {
      this.buffer = new ArrayBuffer(at.bytes);
    }
    this.at = at;
    this.cap = cap;
    this.header = new Int32Array(this.buffer, 0, HEADER / 4);
    this.words = new Uint32Array(this.buffer, at.words, cap * this.w * WORDS);
    this.tcount = new Uint8Array(this.buffer, at.tcount, cap * this.w);
    this.gcount = new Uint8Array(this.buffer, at.gcount, cap * this.w);
    this.avail = new Float64Array(this.buffer, at.avail, cap);
    this.tcode = new Int32Array(this.buffer, at.tcode, cap);
    const days = new Int32Array(cap);
    days.set(this.days);
    this.days = days;
    if (old) {
      this.words.set(old.words);
      this.tcount.set(old.tcount);
      this.gcount.set(old.gcount);
      this.avail.set(old.avail);
      this.tcode.set(old.tcode);
    }
    this.tablesFor = undefined;
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
    if (seq.types.length !== this.w || seq.groups.length !== this.w)
      throw new RangeError(`sequence ${meta.id} has ${seq.types.length} days, the index holds w = ${this.w}`);
    let row = this.rows.get(meta.id);
    if (row === undefined) {
      row = this.ids.length;
      this.grow(row + 1);
      this.ids.push(meta.id);
      this.rows.set(meta.id, row);
    }
    this.avail[row] = meta.availableAt;
    const n = this.ids.length;
    if (
      (row > 0 && this.avail[row - 1]! > meta.availableAt) ||
      (row < n - 1 && this.avail[row + 1]! < meta.availableAt)
    )
      this.availSorted = false;
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

  /** Ratio tables for `a` and the packed query with its per-day counts and the `rest` bounds, in the buffer. */
  private prepare(seq: DaySeq, a: number) {
    const w = this.w;
    const at = this.at;
    const A = new Float64Array(this.buffer, at.A, (N_TYPES + 1) * T_UNION);
    const B = new Float64Array(this.buffer, at.B, (N_GROUPS + 1) * G_UNION);
    if (this.tablesFor !== a) {
      const t = ratioTables(a);
      A.set(t.A);
      B.set(t.B);
      this.tablesFor = a;
    }
    const q = new Uint32Array(this.buffer, at.q, w * WORDS);
    const qt = new Uint8Array(this.buffer, at.qt, w);
    const qg = new Uint8Array(this.buffer, at.qg, w);
    // the most the days from d on can still add: 0 for a query day without events (J(empty, x) = 0), else 1
    const rest = new Float64Array(this.buffer, at.rest, w + 1);
    for (let d = 0; d < w; d++) {
      const [lo, hi, g] = packDay(seq.types[d]!, seq.groups[d]!);
      q[d * WORDS] = lo;
      q[d * WORDS + 1] = hi;
      q[d * WORDS + 2] = g;
      qt[d] = popcount32(lo) + popcount32(hi);
      qg[d] = popcount32(g);
    }
    rest[w] = 0;
    for (let d = w - 1; d >= 0; d--) rest[d] = rest[d + 1]! + (qt[d]! > 0 ? a : 0) + (qg[d]! > 0 ? 1 - a : 0);
    return { A, B, q, qt, qg, rest };
  }

  /**
   * Rows to scan for asOf: all of them, or (availability sorted) only the prefix readable at asOf, which then needs no
   * check per row.
   */
  private span(asOf: number): { end: number; check: boolean } {
    const n = this.ids.length;
    if (!this.availSorted) return { end: n, check: true };
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.avail[mid]! <= asOf) lo = mid + 1;
      else hi = mid;
    }
    return { end: lo, check: false };
  }

  /** The full order of candidates: higher similarity, then more recent day, then id. */
  private better(r1: number, s1: number, r2: number, s2: number): boolean {
    if (s1 !== s2) return s1 > s2;
    if (this.days[r1] !== this.days[r2]) return this.days[r1]! > this.days[r2]!;
    return this.ids[r1]! < this.ids[r2]!;
  }

  /** Top-K references by SeqSim; ties by more recent day, then id. Only references available at asOf. */
  query(seq: DaySeq, opts: QueryOptions, engine: ScanEngine = SCAN_ENGINE): Candidate[] {
    const a = opts.a ?? 0.7;
    if (seq.types.length !== this.w)
      throw new RangeError(`query sequence has ${seq.types.length} days, the index holds w = ${this.w}`);
    const only = opts.ticker === undefined ? -1 : (this.tickerCodes.get(opts.ticker) ?? -2);
    if (only === -2 || opts.k < 1) return [];
    const excluded = opts.exclude ? [...opts.exclude].filter((id) => this.rows.has(id)).length : 0;
    const best =
      engine === "wasm" && this.wasm && opts.k + excluded <= HEAP_CAP
        ? this.scanWasm(seq, a, only, opts, opts.k + excluded)
        : this.scanTs(seq, a, only, opts);
    return best.map(({ row, sim }) => ({
      id: this.ids[row]!,
      ticker: this.tickerNames[this.tcode[row]!]!,
      day: this.days[row]!,
      similarity: sim,
    }));
  }

  /** The WebAssembly scan: it hands back every row that could be among the best kEff; the full order picks k. */
  private scanWasm(
    seq: DaySeq,
    a: number,
    only: number,
    opts: QueryOptions,
    kEff: number,
  ): { row: number; sim: number }[] {
    const w = this.w;
    const at = this.at;
    this.prepare(seq, a);
    const h = this.header;
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14]] = [
      at.words,
      at.tcount,
      at.gcount,
      at.avail,
      at.tcode,
      at.q,
      at.qt,
      at.qg,
      at.rest,
      at.A,
      at.B,
      at.heap,
      0,
      at.outRows,
      at.outSums,
    ];
    h[16] = T_SHIFT;
    h[17] = G_SHIFT;
    const outRows = new Int32Array(this.buffer, at.outRows, OUT_CAP);
    const outSums = new Float64Array(this.buffer, at.outSums, OUT_CAP);
    let kept: { row: number; sim: number }[] = [];
    const order = (x: { row: number; sim: number }, y: { row: number; sim: number }) =>
      this.better(x.row, x.sim, y.row, y.sim) ? -1 : 1;
    const { end: n, check } = this.span(opts.asOfSeconds);
    const asOf = check ? opts.asOfSeconds : Infinity;
    for (let start = 0; start < n; ) {
      const got = this.wasm!.scan(start, n, w, asOf, only, kEff, OUT_CAP);
      for (let i = 0; i < got; i++) {
        const row = outRows[i]!;
        if (opts.exclude?.has(this.ids[row]!)) continue;
        kept.push({ row, sim: outSums[i]! / w });
      }
      if (kept.length > 4 * kEff) kept = kept.sort(order).slice(0, kEff);
      start = h[15]!;
    }
    return kept.sort(order).slice(0, opts.k);
  }

  /** The TypeScript scan (the reference): the exact top k, kept in order as it goes. */
  private scanTs(seq: DaySeq, a: number, only: number, opts: QueryOptions): { row: number; sim: number }[] {
    const w = this.w;
    const { A, B, q, qt, qg, rest } = this.prepare(seq, a);
    const k = opts.k;
    const best: { row: number; sim: number }[] = [];
    // Once k are held: the sum a candidate must still be able to reach (the k-th best's, less a margin
    // far above rounding, so a candidate that could tie is never cut).
    let floor = -Infinity;
    const exclude = opts.exclude;
    const ids = this.ids;
    const order = (x: { row: number; sim: number }, y: { row: number; sim: number }) =>
      this.better(x.row, x.sim, y.row, y.sim) ? -1 : 1;
    const words = this.words;
    const tcount = this.tcount;
    const gcount = this.gcount;
    const avail = this.avail;
    const tcode = this.tcode;
    const asOf = opts.asOfSeconds;
    const { end: n, check } = this.span(asOf);
    for (let row = 0; row < n; row++) {
      if (check && avail[row]! > asOf) continue;
      if (only >= 0 && tcode[row] !== only) continue;
      if (exclude?.has(ids[row]!)) continue;
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
        sum += A[(it << T_SHIFT) | ut]! + B[(ig << G_SHIFT) | ug]!;
      }
      if (cut) continue;
      const sim = sum / w;
      if (best.length < k) {
        best.push({ row, sim });
        best.sort(order);
        if (best.length === k) floor = best[k - 1]!.sim * w - 1e-9;
      } else if (this.better(row, sim, best[k - 1]!.row, best[k - 1]!.sim)) {
        best[k - 1] = { row, sim };
        best.sort(order);
        floor = best[k - 1]!.sim * w - 1e-9;
      }
    }
    return best;
  }
}

import { describe, expect, it } from "vitest";
import { findType } from "../src/domain/taxonomy.ts";
import { lcg } from "../testkit/random.ts";
import {
  type DaySeq,
  dailySim,
  dayBits,
  jaccard,
  popcount32,
  SCAN_ENGINE,
  type ScanEngine,
  SequenceIndex,
  seqSim,
} from "../tools/jaccard.ts";

const t = (group: string, name: string) => findType(group, name)!;
/** A day from event types (group + name). */
const day = (...types: [string, string][]) => {
  const ts = types.map(([g, n]) => t(g, n));
  return dayBits(
    ts.map((x) => x.id),
    ts.map((x) => x.groupId),
  );
};
const seq = (...days: ReturnType<typeof day>[]): DaySeq => ({
  types: days.map((d) => d.types),
  groups: days.map((d) => d.groups),
});

const LAUNCH: [string, string] = ["Products and Market", "New Product Launch"];
const PRICE: [string, string] = ["Products and Market", "Product Price Changes"];
const EARN: [string, string] = ["Corporate Operations", "Profitability"];
const MNA: [string, string] = ["Corporate Operations", "Mergers and Acquisitions"];
const VIEWS: [string, string] = ["Stock Market Performance", "Institutional Views"];

describe("Jaccard", () => {
  it("matches hand-computed values", () => {
    expect(jaccard([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(1 / 3, 15);
    expect(jaccard([1, 1, 0], [1, 1, 0])).toBe(1);
    expect(jaccard([1, 0, 0], [0, 1, 0])).toBe(0);
  });

  it("defines J of two empty sets as 0 (no information, no similarity)", () => {
    expect(jaccard([0, 0, 0], [0, 0, 0])).toBe(0);
    expect(jaccard([0, 0, 0], [1, 0, 0])).toBe(0);
  });

  it("rejects vectors of different lengths", () => {
    expect(() => jaccard([1], [1, 0])).toThrow(/different lengths/);
  });
});

describe("DailySim and SeqSim", () => {
  // Day x: {Launch, Profitability}, groups {Products, Operations}
  // Day y: {Launch, Price Changes}, groups {Products}
  // J(V) = |{Launch}| / |{Launch, Profitability, Price}| = 1/3;  J(G) = 1/2
  const x = day(LAUNCH, EARN);
  const y = day(LAUNCH, PRICE);

  it("weights types by a and groups by 1-a", () => {
    expect(dailySim(x.types, x.groups, y.types, y.groups, 0.7)).toBeCloseTo(0.7 / 3 + 0.3 / 2, 15);
    expect(dailySim(x.types, x.groups, y.types, y.groups, 1)).toBeCloseTo(1 / 3, 15); // a = 1: types only
    expect(dailySim(x.types, x.groups, y.types, y.groups, 0)).toBeCloseTo(1 / 2, 15); // a = 0: groups only
  });

  it("averages over the w aligned days, counting an empty day pair as 0", () => {
    const empty = day();
    const s1 = seq(x, empty, day(VIEWS));
    const s2 = seq(y, empty, day(VIEWS));
    // day 1: 0.7/3 + 0.15; day 2: empty vs empty = 0; day 3: identical = 1
    expect(seqSim(s1, s2)).toBeCloseTo((0.7 / 3 + 0.15 + 0 + 1) / 3, 15);
    expect(seqSim(seq(x), seq(day(MNA)), 0.7)).toBeCloseTo(0.7 * 0 + 0.3 * (1 / 2), 15); // same group, other type
  });

  it("compares aligned days only, not shifted ones", () => {
    expect(seqSim(seq(x, day(VIEWS)), seq(day(VIEWS), x))).toBe(0);
  });
});

describe("SequenceIndex", () => {
  it("packs, counts bits and returns the same similarity as the plain definition", () => {
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0b1011)).toBe(3);
    const idx = new SequenceIndex(2);
    const refs: [string, DaySeq][] = [
      ["r1", seq(day(LAUNCH, EARN), day(VIEWS))],
      ["r2", seq(day(PRICE), day(MNA, VIEWS))],
      ["r3", seq(day(), day())],
    ];
    refs.forEach(([id, s], i) => {
      idx.add({ id, ticker: "AAPL", day: 100 + i, availableAt: 1000 }, s);
    });
    const q = seq(day(LAUNCH, PRICE), day(VIEWS, EARN));
    const got = idx.query(q, { k: 3, asOfSeconds: 1000 });
    for (const c of got) expect(c.similarity).toBeCloseTo(seqSim(q, refs.find(([id]) => id === c.id)![1]), 12);
    // r2: day 1 J(V)=1/2, J(G)=1 -> 0.65; day 2 J(V)=1/3, J(G)=1 -> 0.5333; mean 0.5917
    // r1: day 1 J(V)=1/3, J(G)=1/2 -> 0.3833; day 2 J(V)=1/2, J(G)=1/2 -> 0.5; mean 0.4417
    expect(got.map((c) => c.id)).toEqual(["r2", "r1", "r3"]);
    expect(got.map((c) => c.similarity)).toEqual([
      expect.closeTo((0.65 + 0.7 / 3 + 0.3) / 2, 12),
      expect.closeTo((0.7 / 3 + 0.15 + 0.5) / 2, 12),
      0,
    ]);
  });

  it("breaks ties by the more recent day, then by id, deterministically", () => {
    const idx = new SequenceIndex(1);
    const s = seq(day(LAUNCH));
    idx.add({ id: "b", ticker: "MSFT", day: 10, availableAt: 0 }, s);
    idx.add({ id: "a", ticker: "AAPL", day: 10, availableAt: 0 }, s);
    idx.add({ id: "c", ticker: "INTC", day: 12, availableAt: 0 }, s);
    idx.add({ id: "d", ticker: "ORCL", day: 11, availableAt: 0 }, seq(day(PRICE)));
    expect(idx.query(s, { k: 4, asOfSeconds: 0 }).map((c) => c.id)).toEqual(["c", "a", "b", "d"]);
  });

  it("only returns references available at asOf, within the ticker scope, minus exclusions", () => {
    const idx = new SequenceIndex(1);
    const s = seq(day(LAUNCH));
    idx.add({ id: "old", ticker: "AAPL", day: 1, availableAt: 100 }, s);
    idx.add({ id: "new", ticker: "AAPL", day: 2, availableAt: 200 }, s);
    idx.add({ id: "other", ticker: "MSFT", day: 1, availableAt: 100 }, s);
    expect(idx.query(s, { k: 10, asOfSeconds: 150 }).map((c) => c.id)).toEqual(["old", "other"]);
    expect(idx.query(s, { k: 10, asOfSeconds: 200, ticker: "AAPL" }).map((c) => c.id)).toEqual(["new", "old"]);
    expect(idx.query(s, { k: 10, asOfSeconds: 200, exclude: new Set(["new"]) }).map((c) => c.id)).toEqual([
      "old",
      "other",
    ]);
  });

  it("replaces a sequence re-added under the same id", () => {
    const idx = new SequenceIndex(1);
    idx.add({ id: "x", ticker: "AAPL", day: 1, availableAt: 0 }, seq(day(PRICE)));
    idx.add({ id: "x", ticker: "AAPL", day: 1, availableAt: 0 }, seq(day(LAUNCH)));
    expect(idx.size).toBe(1);
    expect(idx.query(seq(day(LAUNCH)), { k: 1, asOfSeconds: 0 })[0]!.similarity).toBe(1);
  });
});

describe("SequenceIndex scan against the plain definition", () => {
  it("scans in WebAssembly after an install (tools/jaccard.wat built by scripts/build-wasm.mjs)", () => {
    expect(SCAN_ENGINE).toBe("wasm");
  });

  it.each<[ScanEngine, boolean]>([
    ["wasm", true],
    ["wasm", false],
    ["typescript", true],
    ["typescript", false],
  ])(
    "%s (availability in row order: %s): returns exactly the top-K of seqSim over every readable sequence (random data, filters, ties)",
    (engine, ordered) => {
      const rnd = lcg(11);
      const TYPES_ = [LAUNCH, PRICE, EARN, MNA, VIEWS];
      const randomDay = () => day(...TYPES_.filter(() => rnd() < 0.3));
      const w = 3;
      const idx = new SequenceIndex(w, 4); // grows
      const all: { id: string; ticker: string; day: number; at: number; s: DaySeq }[] = [];
      for (let i = 0; i < 3000; i++) {
        const s = seq(randomDay(), randomDay(), randomDay());
        const m = {
          id: `r${String(i).padStart(4, "0")}`,
          ticker: ["A", "B", "C"][i % 3]!,
          day: 16000 + (i % 97),
          at: ordered ? i : (i * 7919) % 3000,
        };
        all.push({ ...m, s });
        idx.add({ id: m.id, ticker: m.ticker, day: m.day, availableAt: m.at }, s);
      }
      for (let q = 0; q < 60; q++) {
        const query = seq(randomDay(), q % 4 === 0 ? day() : randomDay(), randomDay());
        const exclude = q % 3 === 0 ? new Set(all.filter((_, i) => i % 17 === q % 17).map((x) => x.id)) : undefined;
        const opts = {
          k: 1 + (q % 12),
          asOfSeconds: 500 + q * 40,
          ticker: q % 5 === 0 ? "B" : undefined,
          a: q % 7 === 0 ? 0.4 : 0.7,
          exclude,
        };
        const plain = all
          .filter((x) => x.at <= opts.asOfSeconds && (!opts.ticker || x.ticker === opts.ticker) && !exclude?.has(x.id))
          .map((x) => ({ id: x.id, ticker: x.ticker, day: x.day, similarity: seqSim(query, x.s, opts.a) }))
          .sort((x, y) => y.similarity - x.similarity || y.day - x.day || (x.id < y.id ? -1 : 1))
          .slice(0, opts.k);
        expect(idx.query(query, opts, engine)).toEqual(plain);
      }
    },
  );

  it("wasm: many exact ties (more than one hand-back of the scan) and a k beyond its heap give the TypeScript answer", () => {
    const idx = new SequenceIndex(2, 16);
    const same = seq(day(LAUNCH), day(EARN));
    // all tie; the scan hands back 4096 rows at a time, so rows 4096 and 8192 start its second and third calls: make
    // them the most recent
    for (let i = 0; i < 10_000; i++)
      idx.add({ id: `t${i}`, ticker: "A", day: i % 4096 === 0 && i > 0 ? 900 : 100 + (i % 50), availableAt: 0 }, same);
    expect(idx.query(same, { k: 2, asOfSeconds: 0 }, "wasm").map((c) => c.id)).toEqual(["t4096", "t8192"]);
    for (const k of [1, 10, 200, 300]) {
      const ts = idx.query(same, { k, asOfSeconds: 0 }, "typescript");
      expect(ts).toHaveLength(k);
      expect(idx.query(same, { k, asOfSeconds: 0 }, "wasm")).toEqual(ts);
    }
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { closeInstantMs } from "../src/data/calendar.ts";
import type { SeriesDay } from "../src/domain/events.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { InMemoryMemory } from "../src/memory/in-memory.ts";
import { explainNoReferences, retrieveReferences, seriesToSeq, similarSituationsTool } from "../tools/retrieval.ts";
import { reflection } from "./helpers/records.ts";

let store: InMemoryMemory;
const iso = (d: string) => new Date(closeInstantMs(d)).toISOString();

// The helper reflection has types {0,5,10,...} and group 3 on both of its 2 days.
const matching: SeriesDay[] = [
  {
    date: "2015-10-12",
    events: [{ id: "e1", group: "Policies and Regulation", type: "Policy Release", description: "d", delta: null }],
  },
  {
    date: "2015-10-13",
    events: [
      { id: "e2", group: "Products and Market", type: "Research and Development", description: "d", delta: null },
    ],
  },
];

beforeAll(async () => {
  // the in-memory port (the Chroma store behaves the same: memory-port.int.test.ts holds them to one contract)
  store = new InMemoryMemory("retrieval", new HashEmbedder(512));
  await store.putReflections([
    reflection("AAPL", "2015-10-05", "2015-10-06", "up"),
    reflection("MSFT", "2015-10-06", "2015-10-07", "down"),
    reflection("INTC", "2015-10-13", "2015-10-14", "up"), // available only after the 10-13 close
  ]);
});

describe("reference retrieval", () => {
  it("pads a short series with empty days at the front", () => {
    const seq = seriesToSeq(matching.slice(1), 3);
    expect(seq.types).toHaveLength(3);
    expect(seq.types[0]!.every((b) => b === 0)).toBe(true);
    expect(seq.groups[2]![3]).toBe(1);
  });

  it("ranks the references available at asOf by SeqSim, across tickers or within one", async () => {
    const o = { ticker: "AAPL", date: "2015-10-13", asOf: iso("2015-10-13"), series: matching, w: 2, k: 10, a: 0.7 };
    const all = await retrieveReferences(store, { ...o, scope: "all" });
    expect(all.map((r) => r.id)).toEqual(["rf:MSFT:2015-10-06", "rf:AAPL:2015-10-05"]); // same score: more recent first; INTC not yet available
    expect(all[0]!.similarity).toBeGreaterThan(0);
    const same = await retrieveReferences(store, { ...o, scope: "same-ticker" });
    expect(same.map((r) => r.id)).toEqual(["rf:AAPL:2015-10-05"]);
  });

  it("is a LangChain tool with a zod schema that only sees the memory at the day's close", async () => {
    const t = similarSituationsTool({
      store,
      w: 2,
      a: 0.7,
      seriesOf: async (_ticker, date) => ({ series: matching, asOf: iso(date) }),
    });
    expect(t.name).toBe("similar_situations");
    const early = JSON.parse(await t.invoke({ ticker: "AAPL", date: "2015-10-13", k: 5, scope: "all" }));
    expect(early.map((r: { id: string }) => r.id)).toEqual(["rf:MSFT:2015-10-06", "rf:AAPL:2015-10-05"]);
    const later = JSON.parse(await t.invoke({ ticker: "AAPL", date: "2015-10-14", k: 5, scope: "all" }));
    expect(later[0]).toMatchObject({ id: "rf:INTC:2015-10-13", moved: "up" });
    await expect(t.invoke({ ticker: "AAPL", date: "13/10/2015", k: 5, scope: "all" })).rejects.toThrow();
  });
});

describe("why a prediction kept no reference (issue 21, item 5)", () => {
  const rs = [reflection("AAPL", "2015-10-05", "2015-10-06"), reflection("MSFT", "2015-10-06", "2015-10-07")];
  const o = { ticker: "INTC", date: "2015-10-13", asOf: iso("2015-10-13"), series: matching, w: 2, k: 10, a: 0.7 };
  const judge = { minSim: 0.2, offline: true };
  const kind = (...args: Parameters<typeof explainNoReferences>) => explainNoReferences(...args).kind;

  it("names the first cause met, in the order retrieval meets them", async () => {
    const candidates = await retrieveReferences(store, { ...o, scope: "all" });
    expect(explainNoReferences([], { ...o, scope: "all" }, [], judge).text).toMatch(/holds no reflection at all/);
    expect(explainNoReferences(rs, { ...o, asOf: iso("2015-10-05"), scope: "all" }, [], judge).text).toMatch(
      /no reflection was readable yet \(the 2 in memory became readable later/,
    );
    expect(explainNoReferences(rs, { ...o, w: 5, scope: "all" }, [], judge).text).toMatch(
      /another window size than this run's w = 5/,
    );
    expect(explainNoReferences(rs, { ...o, scope: "same-ticker" }, [], judge).text).toMatch(
      /no readable reflection is of INTC, and the reference scope is same-ticker/,
    );
    expect(kind(rs, { ...o, scope: "all" }, [], judge)).toBe("overlap-only");
    // candidates offered but none kept: an LLM judge's verdict, or the offline judge's bar
    expect(explainNoReferences(rs, { ...o, scope: "all" }, candidates, { ...judge, offline: false }).text).toMatch(
      /the judge kept none of the 2 candidate\(s\)/,
    );
    const low = candidates.map((c) => ({ ...c, similarity: 0.05 }));
    expect(explainNoReferences(rs, { ...o, scope: "all" }, low, judge).text).toBe(
      "the most similar past case scored 0.05, under the offline judge's bar (judgeMinSim 0.2)",
    );
    const empty = matching.map((d) => ({ ...d, events: [] }));
    expect(explainNoReferences(rs, { ...o, series: empty, scope: "all" }, low, judge).text).toMatch(
      /^its 2-day window holds no event of a known type/,
    );
  });
});

describe("the reflection log", () => {
  it("shares the held reflections, read-only: a reader of the log cannot change what later reads return", async () => {
    const { reflections } = await store.reflectionsSince(0);
    const held = reflections.find((r) => r.id === "rf:AAPL:2015-10-05")!;
    expect(() => {
      (held as { reason: string }).reason = "changed";
    }).toThrow(TypeError);
    expect(() => held.type_bits[0]!.push(1)).toThrow(TypeError);
    const [read] = await store.getReflections({ asOf: iso("2015-12-31"), ticker: "AAPL" });
    expect(read).toEqual(held);
    read!.reason = "a copy of my own"; // what a read returns is the caller's
    const [again] = await store.getReflections({ asOf: iso("2015-12-31"), ticker: "AAPL" });
    expect(again!.reason).toBe(held.reason);
    // equal daily bit vectors are one held array (the helper's two days have the same types)
    expect(held.type_bits[0]).toBe(held.type_bits[1]);
    expect(held.type_bits[0]).toEqual(read!.type_bits[0]);
  });
});

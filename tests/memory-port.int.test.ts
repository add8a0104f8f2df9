/**
 * The MemoryPort contract: the in-memory port (fast graph unit tests) answers exactly as the Chroma
 * store (the product's backend) for the same writes and reads, fingerprints included; and the run
 * graph on the in-memory port is order-free and point-in-time like the real one.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";
import { loadMarketData } from "../src/data/load.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { InMemoryMemory } from "../src/memory/in-memory.ts";
import type { MemoryPort } from "../src/memory/port.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { resourcesOn } from "../src/runtime/resources.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { reflection, storedEvent } from "./helpers/records.ts";

let server: Awaited<ReturnType<typeof tempChroma>>;
beforeAll(async () => {
  server = await tempChroma();
});
afterAll(() => server.stop());

async function script(m: MemoryPort) {
  const at = (d: string) => new Date(closeInstantMs(d)).toISOString();
  await m.putEvents([
    storedEvent("AAPL", "2015-10-05", "Apple launches a new iPhone"),
    storedEvent("AAPL", "2015-10-06", "Apple iPhone sales beat estimates"),
    storedEvent("MSFT", "2015-10-06", "Microsoft unveils the Surface Book"),
    storedEvent("MSFT", "2015-10-07", "Microsoft Surface Book reviews are strong"),
  ]);
  await m.putReflections([
    reflection("AAPL", "2015-10-05", "2015-10-06"),
    reflection("MSFT", "2015-10-06", "2015-10-07", "down"),
  ]);
  const lr = (ticker: string, date: string, text: string) => ({
    id: `lm:daily:${ticker}:${date}:x`,
    ticker,
    date,
    kind: "daily" as const,
    layer: "short" as const,
    text,
    importance: 0.5,
    access_count: 0,
    layer_since: date,
    available_at: at(date),
  });
  await m.putLayerRecords([
    lr("AAPL", "2015-10-05", "Apple launches a new iPhone"),
    lr("MSFT", "2015-10-06", "Microsoft unveils the Surface Book"),
  ]);
  const out: unknown[] = [];
  out.push((await m.getEvents({ asOf: at("2015-10-06") })).map((e) => e.id));
  out.push(
    (await m.getEvents({ asOf: at("2015-10-07"), ticker: "MSFT", from: "2015-10-07", to: "2015-10-07" })).map(
      (e) => e.description,
    ),
  );
  const e = await m.embedder.embed(["Apple iPhone launch"]);
  out.push(
    (await m.searchEventsBatch({ embeddings: e, k: 2, asOf: at("2015-10-07"), ticker: "AAPL" }))[0]!.map((h) => [
      h.record.id,
      h.similarity.toFixed(4),
    ]),
  );
  out.push((await m.getReflections({ asOf: at("2015-10-06") })).map((r) => r.id));
  out.push(await m.fingerprint(at("2015-10-06")));
  // by text: the Chroma store's working set reads the reflections' embeddings back at the first such search, and
  // holds those of the reflections written after it
  const byText = async () =>
    (await m.searchReflections({ text: "Apple iPhone", asOf: at("2015-10-09"), k: 3 })).map((h) => [
      h.record.id,
      h.similarity.toFixed(4),
    ]);
  out.push(await byText());
  await m.putReflections([reflection("AAPL", "2015-10-07", "2015-10-08")]);
  out.push(await byText());
  const [first] = await m.getLayerRecords({ asOf: at("2015-10-07"), ticker: "AAPL" });
  await m.updateLayerRecords([{ ...first!, pruned: true }]);
  out.push((await m.getLayerRecords({ asOf: at("2015-10-07") })).map((r) => r.id));
  out.push((await m.searchLayerRecords({ text: "Apple", asOf: at("2015-10-07"), k: 5 })).map((h) => h.record.id));
  await m.deleteEvents("MSFT", "2015-10-07");
  out.push(await m.fingerprint(at("2015-10-09")));
  out.push(await m.counts());
  return out;
}

describe("MemoryPort contract", () => {
  it("the in-memory port answers as the Chroma store does", async () => {
    const chroma = await script(await MemoryStore.open(server.url, "contract", new HashEmbedder(64)));
    const mem = await script(new InMemoryMemory("contract", new HashEmbedder(64)));
    expect(mem).toEqual(chroma);
    expect((chroma[4] as { events: { count: number } }).events.count).toBe(3); // asOf filters the fingerprint
  });

  it("a working set rebuilt from Chroma (a resume, another process) answers as the one that wrote it, layers included", async () => {
    const writer = await MemoryStore.open(server.url, "rebuild", new HashEmbedder(64));
    await script(writer);
    const reader = await MemoryStore.open(server.url, "rebuild", new HashEmbedder(64));
    const reads = async (m: MemoryPort) => {
      const e = await m.embedder.embed(["Microsoft Surface launch", "Apple iPhone"]);
      return [
        await m.getEvents({ asOf: "2016-01-01" }),
        await m.searchEventsBatch({ embeddings: e, k: 3, asOf: "2016-01-01" }),
        await m.getReflections({ asOf: "2016-01-01" }),
        await m.searchReflections({ text: "Microsoft", asOf: "2016-01-01", k: 3 }),
        await m.getLayerRecords({ asOf: "2016-01-01" }), // the upkeep's update (pruned) included
        await m.searchLayerRecords({ text: "Microsoft Surface", asOf: "2016-01-01", k: 3 }),
        await m.fingerprint("2016-01-01"),
      ];
    };
    expect(await reads(reader)).toEqual(await reads(writer));
  });
});

describe("what a working set holds", () => {
  it("of a pruned layer record only its stub, and the reflections' embeddings from the first search by text on", async () => {
    const writer = await MemoryStore.open(server.url, "held", new HashEmbedder(64));
    await script(writer); // prunes one of its two layer records and searches the reflections by text
    const whole = (records: number, stubs = 0) => ({ records, embeddings: records, stubs });
    expect(await writer.held()).toEqual({ events: whole(3), reflections: whole(3), layers: whole(1, 1) });
    const reader = await MemoryStore.open(server.url, "held", new HashEmbedder(64)); // a resume
    expect(await reader.held()).toEqual({
      events: whole(3),
      reflections: { records: 3, embeddings: 0, stubs: 0 },
      layers: whole(1, 1),
    });
    await reader.searchReflections({ text: "Apple", asOf: "2016-01-01", k: 1 });
    expect((await reader.held()).reflections).toEqual(whole(3));
  });
});

describe("a working set that let old events go", () => {
  it("answers every read as one holding them all, from Chroma for the events it let go", async () => {
    const emb = new HashEmbedder(64);
    const writer = await MemoryStore.open(server.url, "letgo", emb);
    const days = ["2015-10-01", "2015-10-02", "2015-10-05", "2015-10-06", "2015-10-07", "2015-10-08", "2015-10-09"];
    for (const [i, d] of days.entries())
      await writer.putEvents(
        [
          storedEvent("AAPL", d, `Apple iPhone news number ${i}`),
          storedEvent("AAPL", d, `Apple faces a patent lawsuit ${i}`, {
            group: "Risks and Warnings",
            type: "Company-Specific Risks",
          }),
          storedEvent("MSFT", d, `Microsoft Surface news number ${i}`),
        ],
        { defer: true },
      );
    await writer.seal();
    const held = async (m: MemoryStore) =>
      (await (m as unknown as { working: Promise<InMemoryMemory> }).working).heldEvents({ asOf: "2016-01-01" }).length;
    expect(await held(writer)).toBe(21);
    writer.retain("2015-10-06");
    await writer.seal(); // durable: the days before 2015-10-06 leave the process
    expect(await held(writer)).toBe(12);
    const [old] = await writer.getEvents({ asOf: "2016-01-01", ticker: "AAPL", from: "2015-10-02", to: "2015-10-02" });
    const reads = async (m: MemoryPort) => {
      const e = await m.embedder.embed(["Apple iPhone news", "Microsoft Surface"]);
      const at = (d: string) => new Date(closeInstantMs(d)).toISOString();
      return [
        await m.getEvents({ asOf: "2016-01-01" }),
        await m.getEvents({ asOf: at("2015-10-05"), ticker: "AAPL" }), // point in time, all of it let go
        await m.getEvents({ asOf: "2016-01-01", ticker: "MSFT", from: "2015-10-02", to: "2015-10-07" }), // across
        await m.getEvents({ asOf: "2016-01-01", from: "2015-10-01", to: "2015-10-02" }), // let go, bounded by `to`
        await m.getEvents({ asOf: "2016-01-01", ids: [old!.id, old!.predecessor_id ?? "none", `${old!.id}x`] }),
        await m.getEvents({ asOf: at("2015-10-01"), ids: [old!.id] }), // not yet readable then
        await m.searchEvents({ text: "Apple iPhone news", k: 4, asOf: "2016-01-01", ticker: "AAPL" }),
        await m.searchEventsBatch({ embeddings: e, k: 5, asOf: at("2015-10-08"), from: "2015-10-01" }),
        await m.searchEventsBatch({ embeddings: e, k: 3, asOf: "2016-01-01", from: "2015-10-07" }), // within: no request
        await m.fingerprint(at("2015-10-02")),
        await m.fingerprint("2016-01-01"),
        await m.counts(),
      ];
    };
    const whole = await MemoryStore.open(server.url, "letgo", emb); // rebuilt from Chroma: holds every event
    expect(await reads(writer)).toEqual(await reads(whole));
    // a day let go, redone: its events are deleted in Chroma too
    await writer.deleteEvents("AAPL", "2015-10-02");
    const after = await MemoryStore.open(server.url, "letgo", emb);
    expect((await writer.counts()).events).toBe(19);
    expect(await reads(writer)).toEqual(await reads(after));
  });
});

describe("the run graph on the in-memory port", () => {
  it("gives byte-identical predictions whatever the ticker order", async () => {
    vi.stubEnv("STOCKMEM_DATA_DIR", mkdtempSync(join(tmpdir(), "stockmem-mem-")));
    try {
      const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "INTC", "ORCL"] });
      const run = async (name: string, tickers: string[]) => {
        const ctx = runContext({ run: name });
        const res = await executeRun({
          ctx,
          dataDir: SAMPLE_DATA_DIR,
          data,
          tickers,
          train: { from: "2015-09-14", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-10-09" },
          quiet: true,
          resources: resourcesOn(new InMemoryMemory(name, new HashEmbedder(512)), ctx, data),
        });
        return readFileSync(res.predictionsFile, "utf8");
      };
      const a = await run("mem-a", ["MSFT", "INTC", "ORCL"]);
      const b = await run("mem-b", ["ORCL", "MSFT", "INTC"]);
      expect(a.split("\n").length - 1).toBe(3 * 7);
      expect(b).toBe(a);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("a day's durability", () => {
  it("is asked for after the day's last write, the layered memory's written behind the day included", async () => {
    vi.stubEnv("STOCKMEM_DATA_DIR", mkdtempSync(join(tmpdir(), "stockmem-mem-")));
    try {
      const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "ORCL"] });
      const ctx = runContext({ run: "seal-order", layered: true });
      const calls: string[] = [];
      const mem = new InMemoryMemory(ctx.run, new HashEmbedder(512));
      const logged = new Proxy(mem, {
        get(target, key, receiver) {
          const v = Reflect.get(target, key, receiver);
          if (typeof v !== "function" || !/^(put|update|delete|seal|fingerprint)/.test(String(key))) return v;
          return (...args: unknown[]) => {
            calls.push(String(key));
            return v.apply(target, args);
          };
        },
      });
      await executeRun({
        ctx,
        dataDir: SAMPLE_DATA_DIR,
        data,
        train: { from: "2015-09-21", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-09" },
        quiet: true,
        resources: resourcesOn(logged, ctx, data),
      });
      // each commit: its writes (explanations, the upkeep), then the seal, then the fingerprint it checkpoints
      const days = calls.join(" ").split("fingerprint").slice(0, -1);
      expect(days.length).toBe(15); // 8 training days, 7 test days
      for (const day of days) expect(day.trim().split(" ").at(-1)).toBe("seal");
      expect(calls).toContain("updateLayerRecords");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("the tracker's modes on the offline analyst", () => {
  it("batches of a ticker-day's events, one call per event and the paper's two steps store the same events (chains and delta info)", async () => {
    vi.stubEnv("STOCKMEM_DATA_DIR", mkdtempSync(join(tmpdir(), "stockmem-mem-")));
    try {
      const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "AAPL"] });
      const events = async (trackerMode: "batch" | "single" | "paper") => {
        // batches of 3: a busy day is tracked in several chunks, folded back in merge order
        const ctx = runContext({ run: `mode-${trackerMode}`, trackerMode, trackerBatch: 3 });
        const mem = new InMemoryMemory(ctx.run, new HashEmbedder(512));
        await executeRun({
          ctx,
          dataDir: SAMPLE_DATA_DIR,
          data,
          tickers: ["MSFT", "AAPL"],
          train: { from: "2015-09-14", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-10-02" },
          quiet: true,
          resources: resourcesOn(mem, ctx, data),
        });
        return mem.getEvents({ asOf: "2016-01-01" });
      };
      const single = await events("single");
      expect(single.filter((e) => e.predecessor_id).length).toBeGreaterThan(5);
      expect(await events("paper")).toEqual(single);
      expect(await events("batch")).toEqual(single);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeInstantMs } from "../src/data/calendar.ts";
import { freePort, startChroma } from "../src/memory/chroma-server.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { EmbeddingMismatchError, MemoryUnavailableError } from "../src/memory/errors.ts";
import { listRuns, MemoryStore, resetRun } from "../src/memory/store.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { reflection, storedEvent } from "./helpers/records.ts";

const emb = new HashEmbedder(512);
let server: Awaited<ReturnType<typeof tempChroma>>;

beforeAll(async () => {
  server = await tempChroma();
});
afterAll(async () => {
  await server?.stop();
});

const EVENTS = [
  storedEvent("AAPL", "2015-10-05", "Apple launches a new iPhone with a faster chip"),
  storedEvent("AAPL", "2015-10-06", "Apple iPhone sales beat analyst expectations in China"),
  storedEvent("AAPL", "2015-10-07", "Apple faces a patent lawsuit over its chip design", {
    group: "Risks and Warnings",
    type: "Company-Specific Risks",
  }),
  storedEvent("MSFT", "2015-10-06", "Microsoft launches a new Surface with a faster chip"),
  storedEvent("AAPL", "2015-10-09", "Apple launches a new iPad with a faster chip"),
];

describe("MemoryStore on a real Chroma server", () => {
  it("adds events and re-adding the same day changes nothing", async () => {
    const store = await MemoryStore.open(server.url, "idem", emb);
    expect(await store.putEvents(EVENTS)).toBe(5);
    expect((await store.counts()).events).toBe(5);
    await store.putEvents(EVENTS);
    await store.putEvents([EVENTS[0]!, EVENTS[0]!]);
    expect((await store.counts()).events).toBe(5);
    const back = await store.getEvents({ asOf: "2016-01-01", ticker: "AAPL" });
    expect(back.map((e) => e.date)).toEqual(["2015-10-05", "2015-10-06", "2015-10-07", "2015-10-09"]);
    expect(back[2]).toEqual(EVENTS[2]);
  });

  it("searches by similarity within a ticker and a date window [t-w, t-1]", async () => {
    const store = await MemoryStore.open(server.url, "search", emb);
    await store.putEvents(EVENTS);
    const asOf = new Date(closeInstantMs("2015-10-09")).toISOString();
    const hits = await store.searchEvents({
      text: "Apple launches a new Mac with a faster chip",
      asOf,
      ticker: "AAPL",
      from: "2015-10-05",
      to: "2015-10-08",
      k: 5,
    });
    expect(hits.map((h) => h.record.ticker)).toEqual(["AAPL", "AAPL", "AAPL"]); // MSFT filtered, 10-09 outside the window
    expect(hits[0]!.record.description).toMatch(/new iPhone/);
    expect(hits[0]!.similarity).toBeGreaterThan(hits[2]!.similarity);
    const all = await store.searchEvents({ text: "launches a new Surface", asOf, k: 1 });
    expect(all[0]!.record.ticker).toBe("MSFT");
  });

  it("never returns a record dated after asOf (records on both sides of the boundary)", async () => {
    const store = await MemoryStore.open(server.url, "asof", emb);
    await store.putEvents(EVENTS);
    const close6 = closeInstantMs("2015-10-06");
    const at = await store.getEvents({ asOf: close6 });
    expect(at.map((e) => e.date)).toEqual(["2015-10-05", "2015-10-06", "2015-10-06"]);
    const before = await store.getEvents({ asOf: close6 - 1000 });
    expect(before.map((e) => e.date)).toEqual(["2015-10-05"]);
    const hits = await store.searchEvents({ text: "Apple launches a new iPad", asOf: close6, k: 10 });
    expect(hits.every((h) => h.record.date <= "2015-10-06")).toBe(true);
    expect(hits).toHaveLength(3);

    // A reflection of day t uses the label t -> t+1: readable from close(t+1) only.
    await store.putReflections([reflection("AAPL", "2015-10-05", "2015-10-06")]);
    expect(await store.getReflections({ asOf: close6 - 1000 })).toHaveLength(0);
    const refl = await store.getReflections({ asOf: close6 });
    expect(refl).toEqual([reflection("AAPL", "2015-10-05", "2015-10-06")]); // bit vectors round-trip through packing
  });

  it("keeps run namespaces apart, lists them and resets one", async () => {
    const a = await MemoryStore.open(server.url, "ns-a", emb);
    const b = await MemoryStore.open(server.url, "ns-b", emb);
    await a.putEvents(EVENTS.slice(0, 2));
    await b.putEvents(EVENTS);
    expect((await a.counts()).events).toBe(2);
    const runs = await listRuns(server.url);
    const nsA = runs.find((r) => r.run === "ns-a")!;
    expect(nsA.collections.find((c) => c.kind === "events")).toMatchObject({
      count: 2,
      embedding_model: "offline:hash/512",
    });
    expect(await resetRun(server.url, "ns-a")).toEqual(["ns-a__events", "ns-a__layers", "ns-a__reflections"]);
    expect((await listRuns(server.url)).map((r) => r.run)).not.toContain("ns-a");
    expect((await b.counts()).events).toBe(5);
  });

  it("refuses to reopen a collection with another embedding model", async () => {
    await MemoryStore.open(server.url, "mismatch", emb);
    const err = await MemoryStore.open(server.url, "mismatch", new HashEmbedder(256)).catch((e) => e);
    expect(err).toBeInstanceOf(EmbeddingMismatchError);
    expect(err.message).toMatch(/"offline:hash\/512" but this run embeds with "offline:hash\/256"/);
  });

  it("splits batches larger than the limit", async () => {
    const store = await MemoryStore.open(server.url, "batches", emb, { maxBatch: 7 });
    const many = Array.from({ length: 50 }, (_, i) => storedEvent("INTC", "2015-10-06", `Intel event number ${i}`));
    expect(await store.putEvents(many)).toBe(50);
    expect((await store.counts()).events).toBe(50);
    expect(await store.getEvents({ asOf: "2016-01-01", ticker: "INTC" })).toHaveLength(50);
  });

  it("writes behind one request at a time: rows queued meanwhile go together, and never across a delete", async () => {
    const store = await MemoryStore.open(server.url, "queue", emb);
    type Upsert = (a: { ids: string[] }) => Promise<void>;
    const cols = (store as unknown as { collections: Record<string, { upsert: Upsert }> }).collections;
    const sent: string[] = [];
    let inFlight = 0;
    let most = 0;
    for (const kind of ["events", "reflections"]) {
      const col = cols[kind]!;
      const upsert = col.upsert.bind(col);
      vi.spyOn(col, "upsert").mockImplementation(async (a) => {
        most = Math.max(most, ++inFlight);
        sent.push(`${kind} ${a.ids.length}`);
        try {
          return await upsert(a);
        } finally {
          inFlight--;
        }
      });
    }
    const days = ["2015-10-05", "2015-10-06", "2015-10-07", "2015-10-08", "2015-10-09"];
    for (const [i, d] of days.entries()) {
      // a run's day: its events and its reflections, written behind
      await store.putEvents([storedEvent("AAPL", d, `Apple event ${i}`), storedEvent("MSFT", d, `Microsoft ${i}`)], {
        defer: true,
      });
      await store.putReflections([reflection("AAPL", d, days[i + 1] ?? "2015-10-12")], { defer: true });
    }
    await store.seal();
    expect(most).toBe(1);
    // the first day's events went alone; everything written while they were on their way joined one request each
    expect(sent).toEqual(["events 2", "reflections 5", "events 8"]);
    // a day redone: its old events go, the new ones come, whatever is still queued ahead of the delete
    await store.putReflections([reflection("MSFT", "2015-10-09", "2015-10-12")], { defer: true });
    await store.putEvents([storedEvent("INTC", "2015-10-09", "Intel old")], { defer: true });
    // the new events are written while the delete waits its turn (not awaited first): they go after it
    const deleted = store.deleteEvents("INTC", "2015-10-09");
    await store.putEvents([storedEvent("INTC", "2015-10-09", "Intel new")], { defer: true });
    await deleted;
    await store.seal();
    expect(most).toBe(1);
    expect(sent.slice(3)).toEqual(["reflections 1", "events 1", "events 1"]);
    const again = await MemoryStore.open(server.url, "queue", emb); // read back from Chroma
    expect((await again.getEvents({ asOf: "2016-01-01", ticker: "INTC" })).map((e) => e.description)).toEqual([
      "Intel new",
    ]);
    expect(await again.counts()).toMatchObject({ events: 11, reflections: 6 });
  });

  it("rejects an invalid run name", async () => {
    await expect(MemoryStore.open(server.url, "a__b", emb)).rejects.toThrow(/run names/);
  });
});

describe("persistence and faults", () => {
  it("keeps data across a server restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-chroma-")); // given, so stopping the first server keeps it
    const first = await tempChroma(dir);
    const store = await MemoryStore.open(first.url, "persist", emb);
    await store.putEvents(EVENTS);
    await store.putReflections([reflection("AAPL", "2015-10-05", "2015-10-06")]);
    await first.stop();
    const second = await startChroma({ path: first.path });
    try {
      const again = await MemoryStore.open(second.url, "persist", emb);
      expect(await again.counts()).toEqual({ events: 5, reflections: 1, layers: 0 });
      const byDateThenId = [...EVENTS].sort((x, y) => x.date.localeCompare(y.date) || x.id.localeCompare(y.id));
      expect(await again.getEvents({ asOf: "2016-01-01" })).toEqual(byDateThenId);
    } finally {
      await second.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says plainly when Chroma dies mid-run, and a re-run resumes without duplicates", async () => {
    const srv = await tempChroma();
    const store = await MemoryStore.open(srv.url, "crash", emb);
    await store.putEvents(EVENTS.slice(0, 3));
    process.kill(srv.pid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const err = await store.putEvents(EVENTS.slice(3)).catch((e) => e);
    expect(err).toBeInstanceOf(MemoryUnavailableError);
    expect(err.message).toMatch(/Chroma at http:\/\/127\.0\.0\.1:\d+ is unreachable \(upsert 2 events\).*re-run/);
    const back = await startChroma({ path: srv.path });
    try {
      const resumed = await MemoryStore.open(back.url, "crash", emb);
      expect((await resumed.counts()).events).toBe(3); // what was written before the crash is there
      await resumed.putEvents(EVENTS); // the re-run writes everything again
      expect((await resumed.counts()).events).toBe(5);
    } finally {
      await back.stop();
    }
  });

  it("says so when a frozen server (SIGSTOP) does not answer in time, and goes on once it is back", async () => {
    const srv = await tempChroma();
    try {
      const store = await MemoryStore.open(srv.url, "frozen", emb);
      await store.putEvents(EVENTS.slice(0, 2));
      vi.stubEnv("STOCKMEM_CHROMA_TIMEOUT_MS", "400");
      process.kill(srv.pid!, "SIGSTOP");
      const err = await store.putEvents(EVENTS.slice(2)).catch((e) => e);
      expect(err).toBeInstanceOf(MemoryUnavailableError);
      expect(err.message).toMatch(
        /Chroma at http:\/\/127\.0\.0\.1:\d+ is unreachable \(upsert 3 events\): no answer within 0\.4 s \(is the server frozen or overloaded\?\)/,
      );
      process.kill(srv.pid!, "SIGCONT");
      vi.unstubAllEnvs();
      await store.putEvents(EVENTS); // idempotent: the re-run writes everything again
      expect((await store.counts()).events).toBe(5);
    } finally {
      process.kill(srv.pid!, "SIGCONT");
      vi.unstubAllEnvs();
      await srv.stop();
    }
  });

  it("names an unreachable server", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(MemoryStore.open(url, "nobody", emb)).rejects.toThrow(MemoryUnavailableError);
  });
});

describe("layered memory records", () => {
  const lr = (
    ticker: string,
    date: string,
    layer: "short" | "mid" | "long" | "reflection",
    text: string,
    availableDate = date,
  ) => ({
    id: `lm:daily:${ticker}:${date}:${text.length}`,
    ticker,
    date,
    kind: "daily" as const,
    layer,
    text,
    importance: 0.5,
    access_count: 0,
    layer_since: date,
    available_at: new Date(closeInstantMs(availableDate)).toISOString(),
  });

  it("stores, filters by layer and asOf, updates upkeep state in place, and deletes", async () => {
    const store = await MemoryStore.open(server.url, "layers", emb);
    await store.putLayerRecords([
      lr("AAPL", "2015-10-05", "short", "Apple launches a new iPhone"),
      lr("AAPL", "2015-10-06", "mid", "Apple sales beat estimates in China"),
      lr("MSFT", "2015-10-07", "long", "Microsoft launches Surface Book"),
      lr("MSFT", "2015-10-08", "reflection", "missed: the Windows 10 adoption numbers"),
    ]);
    const asOf = closeInstantMs("2015-10-07");
    expect((await store.getLayerRecords({ asOf })).map((r) => r.date)).toEqual([
      "2015-10-05",
      "2015-10-06",
      "2015-10-07",
    ]);
    expect(
      (await store.getLayerRecords({ asOf: "2016-01-01", layers: ["long", "reflection"] })).map((r) => r.layer),
    ).toEqual(["long", "reflection"]);
    const hits = await store.searchLayerRecords({
      text: "Apple launches iPhone",
      asOf,
      k: 2,
      layers: ["short", "mid"],
    });
    expect(hits[0]!.record.text).toBe("Apple launches a new iPhone");

    const [first] = await store.getLayerRecords({ asOf, ticker: "AAPL", layers: ["short"] });
    await store.updateLayerRecords([
      { ...first!, layer: "mid", importance: 0.7, access_count: 1, layer_since: "2015-10-07" },
    ]);
    const moved = (await store.getLayerRecords({ asOf, ticker: "AAPL", layers: ["mid"] })).map((r) => [
      r.text,
      r.importance,
      r.access_count,
    ]);
    expect(moved).toEqual([
      ["Apple launches a new iPhone", 0.7, 1],
      ["Apple sales beat estimates in China", 0.5, 0],
    ]);
    expect((await store.searchLayerRecords({ text: "Apple launches iPhone", asOf, k: 1 }))[0]!.record.layer).toBe(
      "mid",
    ); // embedding kept

    // pruned: a tombstone no read returns, whose id the fingerprint keeps
    const before = await store.fingerprint("2016-01-01");
    await store.updateLayerRecords([{ ...first!, pruned: true }]);
    expect((await store.getLayerRecords({ asOf: "2016-01-01" })).map((r) => r.id)).not.toContain(first!.id);
    expect(
      (await store.searchLayerRecords({ text: "Apple launches a new iPhone", asOf: "2016-01-01", k: 10 })).map(
        (h) => h.record.id,
      ),
    ).not.toContain(first!.id);
    expect(await store.fingerprint("2016-01-01")).toEqual(before);
    expect((await store.counts()).layers).toBe(4);
  });
});

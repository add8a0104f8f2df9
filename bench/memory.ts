/**
 * Memory benchmark: upsert throughput and top-10 query latency for N event records with 512-dim
 * offline embeddings, on a real local Chroma server (fresh temporary data dir).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeInstantMs, dateOfEpochDay, epochDay } from "../src/data/calendar.ts";
import type { StoredEvent } from "../src/domain/events.ts";
import { TYPES } from "../src/domain/taxonomy.ts";
import { startChroma } from "../src/memory/chroma-server.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { eventId } from "../src/memory/records.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { lcg } from "../testkit/random.ts";
import { fmt, median } from "./stats.ts";

const TICKERS = ["AAPL", "AMZN", "CSCO", "FB", "GOOG", "INTC", "MSFT", "ORCL"];
const VOCAB =
  "launch iphone cloud revenue beats misses guidance chip lawsuit upgrade downgrade dividend buyback merger supply demand china europe analyst partner outage recall price target record growth margin".split(
    " ",
  );

/** Deterministic synthetic events: varied words, 8 tickers, dates spread over ~4 years. */
function syntheticEvents(n: number): StoredEvent[] {
  const rnd = lcg(42);
  const day0 = epochDay("2012-01-02");
  return Array.from({ length: n }, (_, i) => {
    const ticker = TICKERS[i % TICKERS.length]!;
    const date = dateOfEpochDay(day0 + Math.floor(rnd() * 1400));
    const type = TYPES[Math.floor(rnd() * TYPES.length)]!;
    const description = `${ticker} ${Array.from({ length: 10 }, () => VOCAB[Math.floor(rnd() * VOCAB.length)]).join(" ")} #${i}`;
    const base = { ticker, date, group: type.group, type: type.name, description };
    return {
      ...base,
      id: eventId(base),
      raw_event_ids: [`r${i}`],
      source_ids: [`s${i}`],
      predecessor_id: null,
      chain_root_id: "",
      chain_depth: 0,
      delta: null,
      available_at: new Date(closeInstantMs(date)).toISOString(),
    };
  });
}

export async function benchMemory(sizes: number[]): Promise<string[]> {
  const lines: string[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-bench-"));
    const server = await startChroma({ path: dir });
    try {
      const store = await MemoryStore.open(server.url, "bench", new HashEmbedder(512));
      const events = syntheticEvents(n);
      const t0 = performance.now();
      for (let i = 0; i < events.length; i += 5000) await store.putEvents(events.slice(i, i + 5000));
      const upsertS = (performance.now() - t0) / 1000;
      const embedT0 = performance.now();
      await new HashEmbedder(512).embed(events.slice(0, 5000).map((e) => e.description));
      const embedPerS = 5000 / ((performance.now() - embedT0) / 1000);

      const queries = syntheticEvents(60).map((e) => e.description.replace(/#\d+$/, ""));
      const plain: number[] = [];
      const filtered: number[] = [];
      for (const [i, q] of queries.entries()) {
        const emb = (await store.embedder.embed([q]))[0]!;
        let t = performance.now();
        await store.searchEvents({ embedding: emb, asOf: "2016-01-01", k: 10 });
        if (i >= 10) plain.push(performance.now() - t); // first 10 warm up
        t = performance.now();
        await store.searchEvents({
          embedding: emb,
          asOf: "2015-06-01",
          ticker: TICKERS[i % 8],
          from: "2015-05-20",
          to: "2015-05-29",
          k: 10,
        });
        if (i >= 10) filtered.push(performance.now() - t);
      }
      lines.push(
        `memory  n=${n}: upsert ${fmt(n / upsertS, 0)} events/s (${fmt(upsertS)} s incl. embedding; hash embedding alone ${fmt(embedPerS, 0)}/s); ` +
          `top-10 query median ${fmt(median(plain), 2)} ms (asOf only), ${fmt(median(filtered), 2)} ms (ticker + 10-day window)`,
      );
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}

/**
 * Pipeline benchmarks: offline run throughput (ticker-days per second, real Chroma), and the model
 * calls per ticker-day of the LLM path, counted on a sample day with a scripted model that answers
 * every agent validly (one event per news item, as a real extractor roughly does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { graph as ingestGraph } from "../graphs/ingest.ts";
import { graph as predictGraph } from "../graphs/predict.ts";
import { executeRun } from "../src/cli/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { dayContext, seriesOf } from "../src/data/day-context.ts";
import { loadMarketData } from "../src/data/load.ts";
import { startChroma } from "../src/memory/chroma-server.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { validAnswer } from "../tests/helpers/answers.ts";
import { Usage } from "../src/models/usage.ts";
import { reflectDay } from "../src/pipeline/reflect.ts";
import { registerResources, resourcesFor, unregisterResources } from "../src/pipeline/resources.ts";
import { fmt } from "./stats.ts";

export async function benchPipeline(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "stockmem-bench-run-"));
  const server = await startChroma({ path: join(dir, "chroma") });
  process.env.CHROMA_URL = server.url;
  process.env.STOCKMEM_DATA_DIR = dir;
  try {
    // 1. offline run throughput: all sample tickers, train 2015-09, test 2015-10
    const t0 = performance.now();
    const res = await executeRun({ ctx: runContext({ run: "bench" }), dataDir: SAMPLE_DATA_DIR, train: { from: "2015-09-01", to: "2015-09-30" }, test: { from: "2015-10-01", to: "2015-10-30" }, quiet: true });
    const s = (performance.now() - t0) / 1000;
    const tickerDays = 4 * (21 + 22);
    lines.push(`pipeline offline run: ${tickerDays} ticker-days (4 tickers, 2015-09..10) in ${fmt(s)} s = ${fmt(tickerDays / s, 1)} ticker-days/s; ${res.scores.at(-1)!.predicted} predictions`);

    // 2. LLM path: model calls per ticker-day on a busy AAPL day (after an offline week of memory)
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["AAPL"] });
    const store = await MemoryStore.open(server.url, "bench-llm", new HashEmbedder(512));
    const offline = { ctx: runContext({ run: "bench-llm" }), data, store, embedder: store.embedder, usage: new Usage() };
    registerResources(offline);
    const cal = seriesOf(data, "AAPL").calendar;
    const week = cal.dates.filter((d) => d >= "2015-09-28" && d <= "2015-10-06");
    for (const [k, d] of week.entries()) {
      if (k > 0) await reflectDay(offline, "AAPL", week[k - 1]!, cal.closes[cal.indexOf(d)!]!);
      await ingestGraph.invoke({ ticker: "AAPL", date: d }, { context: offline.ctx as never });
    }
    const day = "2015-10-07";
    const usage = new Usage();
    registerResources({ ...offline, ctx: runContext({ run: "bench-llm", model: "openai:scripted" }), usage, chatModel: (_spec, agent) => new ScriptedChatModel((m) => validAnswer(agent, m)) });
    const llm = await resourcesFor({ run: "bench-llm" });
    await ingestGraph.invoke({ ticker: "AAPL", date: day }, { context: llm.ctx as never });
    await predictGraph.invoke({ ticker: "AAPL", date: day }, { context: llm.ctx as never });
    await reflectDay(llm, "AAPL", day, cal.closes[cal.indexOf(day)! + 1]!);
    const per = [...usage.byAgent].map(([a, u]) => `${a} ${u.calls}`).join(", ");
    lines.push(`pipeline LLM path: ${usage.calls} model calls for one ticker-day (AAPL ${day}, ${dayContext(data, "AAPL", day).items.length} items, batch 8): ${per}`);
    unregisterResources("bench-llm");
  } finally {
    delete process.env.CHROMA_URL;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

import { graph as ingestGraph } from "../../graphs/ingest.ts";
import { reflectDay } from "../../graphs/steps/reflect.ts";
import { type RunContext, runContext } from "../../src/config/context.ts";
import { seriesOf } from "../../src/data/day-context.ts";
import type { MarketData } from "../../src/data/load.ts";
import { HashEmbedder } from "../../src/memory/embeddings.ts";
import { MemoryStore } from "../../src/memory/store.ts";
import { Usage } from "../../src/models/usage.ts";
import type { AgentRuntime } from "../../src/runtime/agent-runtime.ts";
import { limiterFor, type Resources, withResources } from "../../src/runtime/resources.ts";

/** Resources for a run on a given Chroma server (hand them to a graph with withResources). */
export async function resources(
  url: string,
  data: MarketData,
  ctx: Partial<RunContext>,
  chatModel?: AgentRuntime["chatModel"],
  extra: Partial<Resources> = {},
): Promise<Resources> {
  const c = runContext(ctx);
  const store = await MemoryStore.open(url, c.run, new HashEmbedder(c.embeddingDim));
  return {
    ctx: c,
    data,
    store,
    embedder: store.embedder,
    usage: new Usage({ maxCalls: c.budgetCalls ?? undefined }),
    limiter: limiterFor(c),
    chatModel,
    ...extra,
  };
}

/** Ingests and reflects a ticker's days in [from, to] (reflections as soon as each label is known). */
export async function prepare(r: Resources, ticker: string, from: string, to: string): Promise<void> {
  const s = seriesOf(r.data, ticker);
  const dates = s.calendar.dates.filter((d) => d >= from && d <= to);
  for (const d of dates) {
    const i = s.calendar.indexOf(d)!;
    const prev = s.calendar.dates[i - 1];
    if (prev && prev >= from) await reflectDay(r, ticker, prev, s.calendar.closes[i]!);
    await ingestGraph.invoke({ ticker, date: d }, withResources(r));
  }
}

/**
 * What graph nodes work with besides their state: the run context, the market data, the memory
 * store, the embedder and the usage counter. The CLI and tests register them per run; in LangGraph
 * Studio they are created on first use from the graph's context (and the memory's Chroma server is
 * started then, and stopped when the server process exits).
 */
import { z } from "zod";
import type { AgentRuntime } from "../../agents/kit.ts";
import { RunContext } from "../config/context.ts";
import { join } from "node:path";
import { marketDataDir, stateDir } from "../config/paths.ts";
import { ResponseCache } from "../models/cache.ts";
import { loadMarketData, type MarketData } from "../data/load.ts";
import type { Embedder } from "../memory/embeddings.ts";
import { connectChroma } from "../memory/chroma-server.ts";
import { createEmbedder } from "../memory/embeddings.ts";
import { MemoryStore } from "../memory/store.ts";
import { Usage } from "../models/usage.ts";

/** The context every graph takes: the run context plus where the market data is. */
export const GraphContext = RunContext.extend({
  dataDir: z.string().optional().describe("market data dir (default: STOCKMEM_MARKET_DATA or the bundled sample)"),
});
export type GraphContext = z.infer<typeof GraphContext>;

export interface Resources {
  ctx: RunContext;
  data: MarketData;
  store: MemoryStore;
  embedder: Embedder;
  usage: Usage;
  chatModel?: AgentRuntime["chatModel"];
  /** the response cache (absent with --no-cache) */
  cache?: ResponseCache;
  /** day summaries of the summary ablation, computed once per ticker-day */
  summaries?: Map<string, string>;
}

const registry = new Map<string, Promise<Resources>>();

export function registerResources(r: Resources): Resources {
  registry.set(r.ctx.run, Promise.resolve(r));
  return r;
}

export function unregisterResources(run: string): void {
  registry.delete(run);
}

export function resourcesFor(context: unknown): Promise<Resources> {
  const ctx = GraphContext.parse(context ?? {});
  let r = registry.get(ctx.run);
  if (!r) {
    r = (async () => {
      const data = await loadMarketData(marketDataDir(ctx.dataDir), { maxItemsPerDay: ctx.maxItemsPerDay, maxTextChars: ctx.maxTextChars, labelThreshold: ctx.labelThreshold });
      const endpoint = await connectChroma(stateDir());
      try {
        return await openResources(endpoint.url, ctx, data);
      } catch (e) {
        await endpoint.stop();
        throw e;
      }
    })();
    registry.set(ctx.run, r);
    r.catch(() => registry.delete(ctx.run));
  }
  return r;
}

/** A run's resources on a Chroma server: its memory store (with the context's embedder), usage (with its budget) and cache. */
export async function openResources(url: string, ctx: RunContext, data: MarketData, chatModel?: AgentRuntime["chatModel"]): Promise<Resources> {
  const store = await MemoryStore.open(url, ctx.run, createEmbedder(ctx.embeddings, { dim: ctx.embeddingDim }));
  return { ctx, data, store, embedder: store.embedder, usage: usageFor(ctx), cache: cacheFor(ctx), chatModel };
}

export function agentRuntime(r: Resources, config?: AgentRuntime["config"], scope?: AgentRuntime["scope"]): AgentRuntime {
  return { ctx: r.ctx, embedder: r.embedder, usage: r.usage, chatModel: r.chatModel, config, cache: r.cache, scope };
}

/** The run's response cache under the state dir, unless the context turns it off. */
export function cacheFor(ctx: RunContext): ResponseCache | undefined {
  return ctx.cache ? new ResponseCache(join(stateDir(), "cache")) : undefined;
}

export function usageFor(ctx: RunContext): Usage {
  return new Usage({ maxCalls: ctx.budgetCalls ?? undefined, maxTokens: ctx.budgetTokens ?? undefined });
}

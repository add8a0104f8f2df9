/**
 * What graph nodes work with besides their state: the run context, the market data, the memory
 * port, the embedder, the usage counter, the model-call limiter and the response cache.
 *
 * They are passed in, never looked up in a global registry: the CLI, the bench and the tests open
 * them and hand them to a graph with `withResources` (they travel in the run's `configurable`, which
 * is never checkpointed, and reach subgraphs with the config). A graph run without them (LangGraph
 * Studio) opens them from its context on every run, so a context edit takes effect at once; only the
 * expensive, context-independent parts are shared by the process: the market data per data dir and
 * load options, one Chroma server per state dir, and the store per (server, run, embedder).
 */

import { join } from "node:path";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { RunContext } from "../config/context.ts";
import { stateDir } from "../config/paths.ts";
import { studioBudgetCalls } from "../config/studio.ts";
import type { MarketData } from "../data/load.ts";
import type { SeriesEvent } from "../domain/events.ts";
import { type ChromaEndpoint, connectChroma } from "../memory/chroma-server.ts";
import { createEmbedder, type Embedder } from "../memory/embeddings.ts";
import type { MemoryPort } from "../memory/port.ts";
import { MemoryStore, requireStoredRun } from "../memory/store.ts";
import { ResponseCache } from "../models/cache.ts";
import { Usage } from "../models/usage.ts";
import type { AgentRuntime } from "./agent-runtime.ts";
import { exitWithAncestors } from "./ancestors.ts";
import { type Limiter, rankedLimiter } from "./limiter.ts";
import { marketDirOf, readMarket } from "./market.ts";

/** The context every graph takes: the run context plus where the market data is. */
export const GraphContext = RunContext.extend({
  dataDir: z.string().optional().describe("market data dir (default: STOCKMEM_MARKET_DATA or the bundled sample)"),
});
export type GraphContext = z.infer<typeof GraphContext>;

export interface Resources {
  ctx: RunContext;
  data: MarketData;
  store: MemoryPort;
  embedder: Embedder;
  usage: Usage;
  limiter: Limiter;
  chatModel?: AgentRuntime["chatModel"];
  /** the response cache (absent with --no-cache) */
  cache?: ResponseCache;
  /** the days of the summary and cluster-opinion ablations, computed once per ticker-day */
  summaries?: Map<string, SeriesEvent[]>;
  /** set by a dry run: calls are counted, not sent */
  dryRun?: boolean;
}

const KEY = "stockmem_resources";

/**
 * A graph config that hands `r` to every node (and subgraph) of the run. Its context is `r.ctx` (typed
 * `never` so that it fits every graph's context type: each graph parses what it reads).
 */
export function withResources(
  r: Resources,
  config: LangGraphRunnableConfig = {},
): Omit<LangGraphRunnableConfig, "context"> & { context: never } {
  return {
    ...config,
    context: { ...(config.context ?? {}), ...r.ctx } as never,
    configurable: { ...config.configurable, [KEY]: r },
  };
}

/**
 * The resources of a node's run: those passed in, else opened from its context (Studio). `stored`: the graph only
 * reads a run (predict, chat), so a run without memory is an error naming the runs that have one, not an empty run.
 */
export function resourcesOf(
  config: LangGraphRunnableConfig | undefined,
  o: { stored?: boolean } = {},
): Promise<Resources> {
  const injected = config?.configurable?.[KEY] as Resources | undefined;
  if (injected) return Promise.resolve(injected);
  const runId = String(config?.configurable?.run_id ?? (config as { runId?: string } | undefined)?.runId ?? "");
  return fromContext(config?.context, runId, o.stored ?? false);
}

/** A run's resources on a memory port (usage with its budget, the limiter, the cache). */
export function resourcesOn(
  store: MemoryPort,
  ctx: RunContext,
  data: MarketData,
  chatModel?: AgentRuntime["chatModel"],
): Resources {
  return {
    ctx,
    data,
    store,
    embedder: store.embedder,
    usage: usageFor(ctx),
    limiter: limiterFor(ctx),
    cache: cacheFor(ctx),
    chatModel,
  };
}

/** A run's resources on a Chroma server. */
export async function openResources(
  url: string,
  ctx: RunContext,
  data: MarketData,
  chatModel?: AgentRuntime["chatModel"],
): Promise<Resources> {
  return resourcesOn(
    await MemoryStore.open(url, ctx.run, createEmbedder(ctx.embeddings, { dim: ctx.embeddingDim })),
    ctx,
    data,
    chatModel,
  );
}

export function agentRuntime(
  r: Resources,
  config?: AgentRuntime["config"],
  scope?: AgentRuntime["scope"],
): AgentRuntime {
  return {
    ctx: r.ctx,
    embedder: r.embedder,
    usage: r.usage,
    limiter: r.limiter,
    chatModel: r.chatModel,
    config,
    cache: r.cache,
    scope,
    dryRun: r.dryRun,
  };
}

/** The run's response cache under the state dir, unless the context turns it off. */
function cacheFor(ctx: RunContext): ResponseCache | undefined {
  return ctx.cache ? new ResponseCache(join(stateDir(), "cache")) : undefined;
}

function usageFor(ctx: RunContext): Usage {
  return new Usage({ maxCalls: ctx.budgetCalls ?? undefined, maxTokens: ctx.budgetTokens ?? undefined });
}

/** Bounds the model calls in flight: one per run, shared by every agent and ticker. */
export function limiterFor(ctx: RunContext): Limiter {
  return rankedLimiter(ctx.maxConcurrency);
}

// ---- opened from a context (graphs run by LangGraph Studio / the dev server) ----------------------

const shared = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  let p = shared.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}

/**
 * The Chroma server of a state dir, one per process, shared by every graph it serves. It stops when
 * the process exits (even by SIGKILL: its launcher watches us), and this process exits when the
 * process that started it (the dev server) dies.
 */
function chromaFor(dir: string = stateDir()): Promise<ChromaEndpoint> {
  exitWithAncestors();
  process.umask(0o077); // the graph-serving process (the dev server) writes owner-only, as the CLI does
  return once(`chroma ${dir} ${process.env.CHROMA_URL ?? ""}`, () => connectChroma(dir));
}

const recent = new Map<string, Promise<Resources>>();
/** the graph runs whose run was found to have memory (see `resourcesOf`'s `stored`) */
const checked = new Set<string>();

async function fromContext(context: unknown, runId: string, stored: boolean): Promise<Resources> {
  const gctx = GraphContext.parse(context ?? {});
  const key = `${runId} ${JSON.stringify(gctx)}`;
  if (stored && !checked.has(key)) {
    const how = (run: string) =>
      `set context.run to one of them, or build "${run}" first (the run graph, or \`stockmem run --run ${run}\`)`;
    await requireStoredRun((await chromaFor()).url, gctx.run, how);
    checked.add(key);
    while (checked.size > 64) checked.delete(checked.values().next().value!);
  }
  let r = recent.get(key);
  if (!r) {
    r = (async () => {
      const { dataDir, ...rest } = gctx;
      // a graph run from the dev server: only the project's data dirs, and a budget unless the context sets one
      const ctx = RunContext.parse({ ...rest, budgetCalls: rest.budgetCalls ?? studioBudgetCalls() });
      const dir = marketDirOf({ dataDir, caller: "studio" });
      const limits = [ctx.maxItemsPerDay, ctx.maxTextChars, ctx.labelThreshold];
      const data = await once(`data ${dir} ${JSON.stringify(limits)}`, () => readMarket({ dataDir: dir, ctx }));
      const { url } = await chromaFor();
      const store = await once(`store ${url} ${ctx.run} ${ctx.embeddings} ${ctx.embeddingDim}`, () =>
        MemoryStore.open(url, ctx.run, createEmbedder(ctx.embeddings, { dim: ctx.embeddingDim })),
      );
      return resourcesOn(store, ctx, data);
    })();
    recent.set(key, r);
    r.catch(() => recent.delete(key));
    while (recent.size > 16) recent.delete(recent.keys().next().value!);
  }
  return r;
}

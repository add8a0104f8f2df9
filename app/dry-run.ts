/**
 * `--dry-run`: what a run would cost before it starts. The run is rehearsed on a throwaway in-process
 * memory and state dir: every agent call renders the exact prompt the model would receive and is
 * counted (prompt tokens from its size), then answered by the offline analyst so the pipeline goes on
 * (its answer's size stands in for the model's output). Nothing is sent, nothing of the user's state
 * is touched, embeddings are the local hashed ones. The calls that depend on the answers (how many
 * events an item holds, how many clusters need merging) follow the baseline's answers: an estimate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentName } from "../src/domain/agents.ts";
import { createEmbedder } from "../src/memory/embeddings.ts";
import { InMemoryMemory } from "../src/memory/in-memory.ts";
import type { Usage } from "../src/models/usage.ts";
import { resourcesOn } from "../src/runtime/resources.ts";
import { executeRun, type RunOptions, runData } from "./run.ts";

export interface AgentEstimate {
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface CostEstimate {
  byAgent: Map<AgentName, AgentEstimate>;
  total: AgentEstimate;
  /** ticker-days that would call a model */
  tickerDays: number;
}

/** Prices per 1M tokens, in the user's currency. */
export interface Prices {
  input: number;
  output: number;
}

/** A dry run's counts, from the usage meter its rehearsal filled (agents in name order). */
function estimateOf(usage: Usage): CostEstimate {
  const byAgent = new Map<AgentName, AgentEstimate>();
  for (const [agent, t] of [...usage.byAgent].sort(([x], [y]) => x.localeCompare(y)))
    byAgent.set(agent as AgentName, { calls: t.calls, inputTokens: t.inputTokens, outputTokens: t.outputTokens });
  const sum = (f: (a: AgentEstimate) => number) => [...byAgent.values()].reduce((n, a) => n + f(a), 0);
  return {
    byAgent,
    total: {
      calls: sum((a) => a.calls),
      inputTokens: sum((a) => a.inputTokens),
      outputTokens: sum((a) => a.outputTokens),
    },
    tickerDays: usage.byTickerDay.size,
  };
}

/** Cost of some tokens at prices per 1M tokens. */
export const costOf = (a: AgentEstimate, p: Prices): number =>
  (a.inputTokens * p.input + a.outputTokens * p.output) / 1e6;

/** Rehearses the run the options describe and returns its expected model calls and tokens per agent. */
export async function estimateRun(o: Omit<RunOptions, "resources" | "fresh" | "chatModel">): Promise<CostEstimate> {
  const data = await runData(o);
  const dir = mkdtempSync(join(tmpdir(), "stockmem-dry-"));
  const saved = process.env.STOCKMEM_DATA_DIR;
  process.env.STOCKMEM_DATA_DIR = dir; // the rehearsal's checkpoints, lock and trace live and die here
  try {
    const ctx = { ...o.ctx, cache: false, budgetCalls: null, budgetTokens: null, embeddings: "offline:hash" };
    const store = new InMemoryMemory(ctx.run, createEmbedder(ctx.embeddings, { dim: ctx.embeddingDim }));
    const resources = { ...resourcesOn(store, ctx, data), dryRun: true };
    const res = await executeRun({ ...o, ctx, data, resources, fresh: true, quiet: true, onProgress: undefined });
    return estimateOf(res.usage);
  } finally {
    if (saved === undefined) delete process.env.STOCKMEM_DATA_DIR;
    else process.env.STOCKMEM_DATA_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** All agents by name: the one place that knows which prompt and model each one uses. */
import type { RunContext } from "../src/config/context.ts";
import { AGENT_NAMES, type AgentName } from "../src/domain/agents.ts";
import { critic } from "./critic/index.ts";
import { extractor } from "./extractor/index.ts";
import { type AgentDef, modelIdFor, promptFor } from "./kit.ts";
import { merger } from "./merger/index.ts";
import { predictor } from "./predictor/index.ts";
import { reflector } from "./reflector/index.ts";
import { retrieverJudge } from "./retriever-judge/index.ts";
import { reviser } from "./reviser/index.ts";
import { summarizer } from "./summarizer/index.ts";
import { tracker, trackerBatch, trackerDelta, trackerLink } from "./tracker/index.ts";

/**
 * Every agent of the domain's table (src/domain/agents.ts) under its own name: a missing, extra or
 * misspelt agent, or one filed under another's name, is a compile error. The pipeline's agents, the
 * summarizer of the "summary instead of events" ablation, and SEP-Memory's critic and reviser.
 */
const AGENT_DEFS = {
  extractor,
  merger,
  tracker,
  "tracker-batch": trackerBatch,
  "tracker-link": trackerLink,
  "tracker-delta": trackerDelta,
  reflector,
  "retriever-judge": retrieverJudge,
  predictor,
  summarizer,
  critic,
  reviser,
} satisfies { [N in AgentName]: AgentDef<never, unknown, N> };

/** The agents in the table's order (pipeline order). */
export const AGENTS: readonly AgentDef<never, unknown>[] = AGENT_NAMES.map((name) => AGENT_DEFS[name]);

/** Prompt version of every agent under a run context, for prediction records, traces and experiment names. */
export function promptVersions(ctx: RunContext): Record<string, string> {
  return Object.fromEntries(AGENTS.map((a) => [a.name, promptFor(a, ctx).version]));
}

/** Model id of every agent under a run context. */
export function modelIds(ctx: RunContext): Record<string, string> {
  return Object.fromEntries(AGENTS.map((a) => [a.name, modelIdFor(ctx, a.name)]));
}

/** All agents, in pipeline order: the one place that knows which prompt and model each one uses. */
import type { RunContext } from "../src/config/context.ts";
import { AGENT_NAMES } from "../src/domain/agents.ts";
import { extractor } from "./extractor/index.ts";
import { modelIdFor, promptFor, type AgentDef } from "./kit.ts";
import { merger } from "./merger/index.ts";
import { predictor } from "./predictor/index.ts";
import { reflector } from "./reflector/index.ts";
import { retrieverJudge } from "./retriever-judge/index.ts";
import { summarizer } from "./summarizer/index.ts";
import { critic } from "./critic/index.ts";
import { reviser } from "./reviser/index.ts";
import { tracker, trackerBatch, trackerDelta, trackerLink } from "./tracker/index.ts";

/** The pipeline's agents, the summarizer of the "summary instead of events" ablation, and SEP-Memory's critic and reviser. */
export const AGENTS: readonly AgentDef<never, unknown>[] = [
  extractor,
  merger,
  tracker,
  trackerBatch,
  trackerLink,
  trackerDelta,
  reflector,
  retrieverJudge,
  predictor,
  summarizer,
  critic,
  reviser,
] as never;

// The registry holds exactly the agents of the domain's table (the one list of names), in its order.
if (AGENTS.map((a) => a.name).join() !== AGENT_NAMES.join()) {
  throw new Error(`agents/registry.ts and src/domain/agents.ts disagree: ${AGENTS.map((a) => a.name).join(", ")} vs ${AGENT_NAMES.join(", ")}`);
}

/** Prompt version of every agent under a run context, for prediction records, traces and experiment names. */
export function promptVersions(ctx: RunContext): Record<string, string> {
  return Object.fromEntries(AGENTS.map((a) => [a.name, promptFor(a, ctx).version]));
}

/** Model id of every agent under a run context. */
export function modelIds(ctx: RunContext): Record<string, string> {
  return Object.fromEntries(AGENTS.map((a) => [a.name, modelIdFor(ctx, a.name)]));
}

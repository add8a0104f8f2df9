/**
 * The agents by name: the one table of their names and the initials experiment names use. The agent
 * registry (agents/registry.ts) holds exactly these, each under its own name (checked by the compiler); the run context
 * keys
 * its per-agent models and prompt versions by them, so a misspelt agent fails with the list.
 */
import { z } from "zod";

const AGENT_TABLE = [
  ["extractor", "x"],
  ["merger", "m"],
  ["tracker", "t"],
  ["tracker-batch", "tb"],
  ["tracker-link", "tl"],
  ["tracker-delta", "td"],
  ["reflector", "r"],
  ["retriever-judge", "j"],
  ["predictor", "p"],
  ["summarizer", "s"],
  ["critic", "c"],
  ["reviser", "v"],
] as const;

export type AgentName = (typeof AGENT_TABLE)[number][0];
export const AGENT_NAMES: readonly AgentName[] = AGENT_TABLE.map(([name]) => name);
export const AgentNameSchema = z.enum(AGENT_NAMES as [AgentName, ...AgentName[]], {
  error: (i) => `unknown agent "${String(i.input)}" (agents: ${AGENT_NAMES.join(", ")})`,
});

/** The initials of each agent in experiment names (x1.1.0-m1.0.1-...). */
export const AGENT_INITIALS: Readonly<Record<AgentName, string>> = Object.fromEntries(AGENT_TABLE) as Record<
  AgentName,
  string
>;

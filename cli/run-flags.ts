/** The flags of a run and of an experiment, shared by the commands that run agents, with their parsers. */

import type { z } from "zod";
import type { Prices } from "../app/dry-run.ts";
import { DEFAULT_RUN, ModelTarget } from "../src/config/context.ts";
import { AgentNameSchema } from "../src/domain/agents.ts";
import { calendarDate, DATA_OPTIONS } from "./data-flags.ts";
import { UsageError } from "./errors.ts";
import type { FlagSpecs } from "./flags.ts";

export const RUN_DEFAULTS = {
  run: DEFAULT_RUN,
  train: "2015-07-01:2015-09-30",
  test: "2015-10-01:2015-12-31",
} as const;

/** `--dry-run`, with `--price-in` / `--price-out` (per 1M tokens). */
export const DRY_RUN_OPTIONS = {
  "dry-run": { type: "boolean", description: "send nothing: print the expected model calls and tokens per agent" },
  "price-in": { type: "string", arg: "PRICE", description: "with --dry-run: price per 1M input tokens" },
  "price-out": { type: "string", arg: "PRICE", description: "with --dry-run: price per 1M output tokens" },
} as const satisfies FlagSpecs;

export function parseWindow(v: string, name: string, o: { openEnd?: boolean } = {}): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})?$/.exec(v);
  if (!m || (!m[2] && !o.openEnd))
    throw new UsageError(
      `--${name} expects FROM:TO dates, e.g. 2015-07-01:2015-09-30${o.openEnd ? " (or FROM: through the data's last close)" : ""} (got "${v}")`,
    );
  const [from, to] = [m[1]!, m[2] ?? ""];
  if (!to) return { from: calendarDate(from, `--${name}`), to };
  for (const d of [from, to]) calendarDate(d, `--${name}`);
  if (from > to)
    throw new UsageError(`--${name} ${from}:${to} ends before it starts: give FROM:TO with FROM on or before TO`);
  return { from, to };
}

/** `--agent-model extractor=openai:gpt-4o-mini` (repeatable) -> per-agent overrides. */
export function agentModels(specs: readonly string[]): Record<string, string> {
  return perAgent(specs, "--agent-model", "AGENT=MODEL", ModelTarget, /^([a-z-]+)=(.+)$/);
}

/** `AGENT=VALUE` flags (repeatable) -> a map by agent; the agent is checked against `names`, the value by `re`. */
function perAgent(
  specs: readonly string[],
  flag: string,
  shape: string,
  names: z.ZodEnum,
  re: RegExp,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = re.exec(spec);
    const agent = m && names.safeParse(m[1]);
    if (!m || !agent?.success)
      throw new UsageError(`${flag} expects ${shape} with AGENT one of ${names.options.join(", ")} (got "${spec}")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function pricesOf(values: { "price-in"?: string; "price-out"?: string }): Prices | undefined {
  const price = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(x))
      throw new UsageError(`--${name} expects a price per 1M tokens, e.g. 0.15 (got "${v}")`);
    return x;
  };
  const input = price(values["price-in"], "price-in");
  const output = price(values["price-out"], "price-out");
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

/** The model flags of every command that runs agents. */
export const MODEL_OPTIONS = {
  model: {
    type: "string",
    arg: "M",
    description:
      "model of every agent: offline (default, the offline analyst, not an LLM), openai:<model>, ollama:<model>",
  },
  "agent-model": {
    type: "string",
    multiple: true,
    arg: "AGENT=M",
    description: "one agent's model, e.g. predictor=openai:gpt-4o",
  },
  embeddings: {
    type: "string",
    arg: "E",
    description:
      "embedding model: offline:hash (default), openai:<model>, ollama:<model> (ollama:bge-m3 is the paper's)",
  },
} as const satisfies FlagSpecs;

export const RUN_OPTIONS = {
  ...DATA_OPTIONS,
  run: {
    type: "string",
    arg: "NAME",
    description: `run name: its memory, checkpoint and files (default ${RUN_DEFAULTS.run})`,
  },
  train: { type: "string", arg: "FROM:TO", description: `training window (default ${RUN_DEFAULTS.train})` },
  test: { type: "string", arg: "FROM:TO", description: `test window (default ${RUN_DEFAULTS.test})` },
  ...MODEL_OPTIONS,
  fresh: { type: "boolean", description: "start the run over (forget its checkpoint and memory) instead of resuming" },
  "same-ticker": { type: "boolean", description: "references from the same company only (an ablation)" },
  layered: { type: "boolean", description: "SEP-Memory's layered memory on" },
  "no-cache": { type: "boolean", description: "do not read or write the response cache" },
  concurrency: { type: "string", arg: "N", description: "model calls in flight at most (default 8)" },
  "model-timeout": { type: "string", arg: "SECONDS", description: "timeout of one model call attempt (default 60)" },
  "budget-calls": { type: "string", arg: "N", description: "stop before sending more than N model calls" },
  "budget-tokens": { type: "string", arg: "N", description: "stop before spending more than N tokens" },
  rpm: { type: "string", arg: "N", description: "at most N requests a minute to each model (the provider's limit)" },
  tpm: { type: "string", arg: "N", description: "at most N tokens a minute to each model (the provider's limit)" },
  "allow-gaps": { type: "boolean", description: "score predictions whose label spans missing price rows" },
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

export const DATASET = {
  dataset: { type: "string", arg: "NAME", description: "the eval dataset (build one with `stockmem eval dataset`)" },
} as const satisfies FlagSpecs;
export const SEED = {
  seed: { type: "string", arg: "N", description: "seed of the bootstrap intervals" },
} as const satisfies FlagSpecs;

/** `--prompt-version AGENT=V` (repeatable) -> per-agent prompt versions. */
export function promptVersionsOf(specs: readonly string[] = []): Record<string, string> {
  return perAgent(
    specs,
    "--prompt-version",
    "AGENT=VERSION (e.g. predictor=1.2.1)",
    AgentNameSchema,
    /^([a-z-]+)=(\d+\.\d+\.\d+)$/,
  );
}

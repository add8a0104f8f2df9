/**
 * `stockmem eval ab`: a prompt or model change as one command. A is the base configuration, B the same
 * with the change; both run on the dataset (the response cache is shared, so the calls B has in common
 * with A cost nothing), then the comparison: deltas with a paired interval and every flipped example.
 */
import { modelIdFor } from "../agents/kit.ts";
import { RunContext } from "../src/config/context.ts";
import { AGENT_NAMES, type AgentName } from "../src/domain/agents.ts";
import { isOffline } from "../src/models/provider.ts";
import { type Comparison, compare } from "./compare.ts";
import { type ExperimentResult, runExperiment } from "./runner.ts";

export interface AbChange {
  prompts?: Record<string, string>;
  models?: Record<string, string>;
}

/**
 * Why the change cannot move any prediction, or undefined when it can: a prompt version read only by
 * agents that run on the offline analyst (which reads no prompt) changes nothing.
 */
export function unaffectedBy(base: Partial<RunContext>, change: AbChange): string | undefined {
  if (Object.keys(change.models ?? {}).length > 0) return undefined;
  const b = RunContext.parse({ ...base, prompts: { ...base.prompts, ...change.prompts } });
  const agents = Object.keys(change.prompts ?? {}).filter((a): a is AgentName =>
    (AGENT_NAMES as readonly string[]).includes(a),
  );
  const offline = agents.filter((a) => isOffline(modelIdFor(b, a)));
  if (agents.length === 0 || offline.length < agents.length) return undefined;
  return `${offline.join(", ")} run${offline.length === 1 ? "s" : ""} on the offline analyst, which reads no prompt: a prompt version cannot change its answers, expect +0.000 everywhere. A/B a prompt with a model: --model openai:<model> (or --agent-model ${offline[0]}=...).`;
}

export async function runAb(o: {
  dataset: string;
  base: Partial<RunContext>;
  change: AbChange;
  seed?: number;
  quiet?: boolean;
}): Promise<{ a: ExperimentResult; b: ExperimentResult; comparison: Comparison; warning?: string }> {
  const warning = unaffectedBy(o.base, o.change);
  const a = (await runExperiment({ dataset: o.dataset, context: o.base, seed: o.seed, quiet: o.quiet })).result;
  const b = (
    await runExperiment({
      dataset: o.dataset,
      seed: o.seed,
      quiet: o.quiet,
      context: {
        ...o.base,
        prompts: { ...o.base.prompts, ...o.change.prompts },
        models: { ...o.base.models, ...o.change.models },
      },
    })
  ).result;
  return { a, b, comparison: compare(a, b), warning };
}

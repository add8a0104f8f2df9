/** `stockmem eval ab`: A and B runs compared. */

import { runAb, unaffectedBy } from "../../evals/ab.ts";
import { formatComparison } from "../../evals/compare.ts";
import { painter } from "../colour.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { agentModels, DATASET, MODEL_OPTIONS, promptVersionsOf, SEED } from "../run-flags.ts";

const EVAL_AB_OPTIONS = {
  ...DATASET,
  model: MODEL_OPTIONS.model,
  "prompt-version": {
    type: "string",
    multiple: true,
    arg: "AGENT=V",
    description: "B: this agent's prompt version (A: the default)",
  },
  "agent-model": { type: "string", multiple: true, arg: "AGENT=M", description: "B: this agent's model (A: --model)" },
  ...SEED,
} as const satisfies FlagSpecs;

/** `eval ab`: A (the base) and B (with the change) on one dataset, compared. */
async function evalAbCommand(values: ValuesOf<typeof EVAL_AB_OPTIONS>): Promise<void> {
  if (!values.dataset) throw new UsageError("eval ab needs --dataset NAME");
  const change = {
    prompts: promptVersionsOf(values["prompt-version"]),
    models: agentModels(values["agent-model"] ?? []),
  };
  if (!Object.keys(change.prompts).length && !Object.keys(change.models).length)
    throw new UsageError("eval ab needs a change for B: --prompt-version AGENT=V or --agent-model AGENT=M");
  const base = { model: values.model };
  const warning = unaffectedBy(base, change);
  if (warning) console.error(`${painter(process.stderr)("yellow", "warning:")} ${warning}`);
  const { a, b, comparison } = await runAb({
    dataset: values.dataset,
    base,
    change,
    seed: values.seed ? Number(values.seed) : undefined,
  });
  console.log(`\n${formatComparison(comparison)}`);
  console.log(`\nruns: A ${a.run}, B ${b.run} (\`stockmem memory gc\` removes old eval runs)`);
}

export default defineCommand({
  resumable: true,
  words: ["eval", "ab"],
  about:
    "A/B a prompt version or an agent's model: runs A and B, prints deltas with a paired interval and the flipped examples",
  flags: EVAL_AB_OPTIONS,
  run: evalAbCommand,
});

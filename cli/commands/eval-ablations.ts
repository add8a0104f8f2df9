/** `stockmem eval ablations`: the paper's ablations as one table. */

import { ablationTable, estimateAblations, runAblations } from "../../evals/ablations.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { estimateLines } from "../lines.ts";
import { DATASET, DRY_RUN_OPTIONS, MODEL_OPTIONS, pricesOf, SEED } from "../run-flags.ts";

const EVAL_ABLATIONS_OPTIONS = {
  ...DATASET,
  model: MODEL_OPTIONS.model,
  embeddings: MODEL_OPTIONS.embeddings,
  ...SEED,
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

async function evalAblationsCommand(values: ValuesOf<typeof EVAL_ABLATIONS_OPTIONS>): Promise<void> {
  if (!values.dataset) throw new UsageError("eval ablations needs --dataset NAME");
  const ablations = {
    dataset: values.dataset,
    base: { model: values.model, embeddings: values.embeddings },
    seed: values.seed ? Number(values.seed) : undefined,
  };
  if (values["dry-run"]) {
    for (const { ablation, estimate } of await estimateAblations(ablations))
      console.log(`\n${ablation.name}\n${estimateLines(estimate, pricesOf(values))}`);
    return;
  }
  const rows = await runAblations(ablations);
  console.log(`\nablations on ${values.dataset} (model ${rows[0]?.result.models.predictor ?? "?"})\n`);
  console.log(ablationTable(rows));
  console.log("");
  for (const r of rows) console.log(`${r.ablation.name}: ${r.file} (run ${r.result.run})`);
  console.log("`stockmem memory gc` removes old eval runs (memory, traces, checkpoints)");
}

export default defineCommand({
  resumable: true,
  words: ["eval", "ablations"],
  about: "the paper's ablations as one table",
  flags: EVAL_ABLATIONS_OPTIONS,
  run: evalAblationsCommand,
});

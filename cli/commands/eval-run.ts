/** `stockmem eval run`: one experiment, scored. */

import { baselineRows, SCORE_HEADER, scoreRow } from "../../evals/metrics.ts";
import { estimateExperiment, runExperiment } from "../../evals/runner.ts";
import { table } from "../../src/metrics/table.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { estimateLines } from "../lines.ts";
import {
  agentModels,
  DATASET,
  DRY_RUN_OPTIONS,
  MODEL_OPTIONS,
  pricesOf,
  promptVersionsOf,
  SEED,
} from "../run-flags.ts";

const EVAL_RUN_OPTIONS = {
  ...DATASET,
  ...MODEL_OPTIONS,
  "prompt-version": {
    type: "string",
    multiple: true,
    arg: "AGENT=V",
    description: "one agent's prompt version, e.g. predictor=1.2.1",
  },
  "same-ticker": { type: "boolean", description: "references from the same company only" },
  layered: { type: "boolean", description: "SEP-Memory's layered memory on" },
  ...SEED,
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

async function evalRunCommand(values: ValuesOf<typeof EVAL_RUN_OPTIONS>): Promise<void> {
  if (!values.dataset) throw new UsageError("eval run needs --dataset NAME (build one with `stockmem eval dataset`)");
  const prompts = promptVersionsOf(values["prompt-version"]);
  const experiment = {
    dataset: values.dataset,
    seed: values.seed ? Number(values.seed) : undefined,
    context: {
      model: values.model,
      models: agentModels(values["agent-model"] ?? []),
      prompts,
      referenceScope: values["same-ticker"] ? ("same-ticker" as const) : undefined,
      layered: values.layered,
      embeddings: values.embeddings,
    },
  };
  if (values["dry-run"]) {
    console.log(estimateLines(await estimateExperiment(experiment), pricesOf(values)));
    return;
  }
  const { result, file } = await runExperiment(experiment);
  const r = result.report;
  const f = (x: number) => x.toFixed(3);
  console.log(`\nexperiment ${result.experiment}`);
  console.log(table([...SCORE_HEADER], [scoreRow("stockmem", r), ...baselineRows(r)]));
  console.log(
    `\ncoverage ${(100 * r.coverage).toFixed(1)} %; citations after asOf: ${result.citation_violations.length}`,
  );
  console.log(
    table(
      ["ticker", "n", "ACC", "MCC"],
      Object.entries(r.byTicker).map(([t, s]) => [t, s.n, f(s.acc), f(s.mcc)]),
    ),
  );
  console.log(
    `\nresults: ${file}\nrun: ${result.run} (its memory, trace and checkpoint; \`stockmem memory gc\` removes old eval runs)`,
  );
}

export default defineCommand({
  resumable: true,
  words: ["eval", "run"],
  about: "one experiment: ACC/MCC with 95 % intervals beside the baselines",
  flags: EVAL_RUN_OPTIONS,
  run: evalRunCommand,
});

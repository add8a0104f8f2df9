/** `stockmem eval dataset | run | compare`: the eval workflow of a prompt or agent change. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ablationTable, estimateAblations, runAblations } from "../evals/ablations.ts";
import { compare, formatComparison, loadResult } from "../evals/compare.ts";
import { buildDataset, saveDataset, uploadDataset } from "../evals/dataset.ts";
import { reportHtml, reportText } from "../evals/report.ts";
import { estimateExperiment, resultsDir, runExperiment } from "../evals/runner.ts";
import { runAb, unaffectedBy } from "../evals/ab.ts";
import { AgentNameSchema } from "../src/domain/agents.ts";
import { RunContext } from "../src/config/context.ts";
import { loadMarketData } from "../src/data/load.ts";
import { UsageError } from "./errors.ts";
import { table } from "../src/metrics/table.ts";
import { DRY_RUN_OPTIONS, MODEL_OPTIONS, agentModels, estimateLines, parseWindow, perAgent, pricesOf } from "./run.ts";
import type { FlagSpecs, ValuesOf } from "./flags.ts";
import { DATA_OPTIONS, loadOptions } from "./data-flags.ts";
import { SCORE_HEADER, baselineRows, scoreRow } from "../evals/metrics.ts";

export const EVAL_DATASET_OPTIONS = {
  name: { type: "string", arg: "NAME", description: "dataset name (evals/datasets/NAME.json)" },
  train: { type: "string", arg: "FROM:TO", description: "training window" },
  test: { type: "string", arg: "FROM:TO", description: "test window: its labelled days become the examples" },
  ...DATA_OPTIONS,
} as const satisfies FlagSpecs;

export async function evalDatasetCommand(values: ValuesOf<typeof EVAL_DATASET_OPTIONS>): Promise<void> {
  if (!values.name || !values.train || !values.test)
    throw new UsageError("eval dataset needs --name NAME --train FROM:TO --test FROM:TO (and optionally --data DIR --tickers A,B)");
  const { dir, ...load } = loadOptions(values);
  const [train, test] = [parseWindow(values.train, "train"), parseWindow(values.test, "test")];
  if (train.to >= test.from) throw new UsageError(`--train ${train.from}:${train.to} must end before --test ${test.from}:${test.to} starts`);
  const data = await loadMarketData(dir, { ...load, tickers: undefined });
  const tickers = [...(load.tickers ?? data.tickers)];
  const ds = await buildDataset({
    name: values.name,
    data,
    tickers,
    train,
    test,
    labelThreshold: RunContext.parse({}).labelThreshold,
  });
  const file = saveDataset(ds);
  const up = ds.examples.filter((e) => e.outputs.movement === "up").length;
  console.log(
    `dataset ${ds.name}: ${ds.examples.length} scored examples (${up} up, ${ds.examples.length - up} down; flat days excluded) for ${ds.tickers.join(", ")}, test ${ds.test.from}..${ds.test.to} -> ${file}`,
  );
  if (process.env.LANGSMITH_API_KEY) console.log(`uploaded to LangSmith as dataset ${await uploadDataset(ds)}`);
}

const DATASET = {
  dataset: { type: "string", arg: "NAME", description: "the eval dataset (build one with `stockmem eval dataset`)" },
} as const satisfies FlagSpecs;
const SEED = { seed: { type: "string", arg: "N", description: "seed of the bootstrap intervals" } } as const satisfies FlagSpecs;

export const EVAL_RUN_OPTIONS = {
  ...DATASET,
  ...MODEL_OPTIONS,
  "prompt-version": { type: "string", multiple: true, arg: "AGENT=V", description: "one agent's prompt version, e.g. predictor=1.2.1" },
  "same-ticker": { type: "boolean", description: "references from the same company only" },
  layered: { type: "boolean", description: "SEP-Memory's layered memory on" },
  ...SEED,
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

export async function evalRunCommand(values: ValuesOf<typeof EVAL_RUN_OPTIONS>): Promise<void> {
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
  console.log(`\ncoverage ${(100 * r.coverage).toFixed(1)} %; citations after asOf: ${result.citation_violations.length}`);
  console.log(
    table(
      ["ticker", "n", "ACC", "MCC"],
      Object.entries(r.byTicker).map(([t, s]) => [t, s.n, f(s.acc), f(s.mcc)]),
    ),
  );
  console.log(`\nresults: ${file}\nrun: ${result.run} (its memory, trace and checkpoint; \`stockmem memory gc\` removes old eval runs)`);
}

/** `--prompt-version AGENT=V` (repeatable) -> per-agent prompt versions. */
function promptVersionsOf(specs: readonly string[] = []): Record<string, string> {
  return perAgent(specs, "--prompt-version", "AGENT=VERSION (e.g. predictor=1.2.1)", AgentNameSchema, /^([a-z-]+)=(\d+\.\d+\.\d+)$/);
}

export const EVAL_AB_OPTIONS = {
  ...DATASET,
  model: MODEL_OPTIONS.model,
  "prompt-version": { type: "string", multiple: true, arg: "AGENT=V", description: "B: this agent's prompt version (A: the default)" },
  "agent-model": { type: "string", multiple: true, arg: "AGENT=M", description: "B: this agent's model (A: --model)" },
  ...SEED,
} as const satisfies FlagSpecs;

/** `eval ab`: A (the base) and B (with the change) on one dataset, compared. */
export async function evalAbCommand(values: ValuesOf<typeof EVAL_AB_OPTIONS>): Promise<void> {
  if (!values.dataset) throw new UsageError("eval ab needs --dataset NAME");
  const change = { prompts: promptVersionsOf(values["prompt-version"]), models: agentModels(values["agent-model"] ?? []) };
  if (!Object.keys(change.prompts).length && !Object.keys(change.models).length)
    throw new UsageError("eval ab needs a change for B: --prompt-version AGENT=V or --agent-model AGENT=M");
  const base = { model: values.model };
  const warning = unaffectedBy(base, change);
  if (warning) console.error(`warning: ${warning}`);
  const { a, b, comparison } = await runAb({ dataset: values.dataset, base, change, seed: values.seed ? Number(values.seed) : undefined });
  console.log(`\n${formatComparison(comparison)}`);
  console.log(`\nruns: A ${a.run}, B ${b.run} (\`stockmem memory gc\` removes old eval runs)`);
  if (warning) console.log(`\nwarning: ${warning}`);
}

export async function evalCompareCommand(a: string, b: string): Promise<void> {
  console.log(formatComparison(compare(loadResult(a), loadResult(b))));
}

export const EVAL_ABLATIONS_OPTIONS = {
  ...DATASET,
  model: MODEL_OPTIONS.model,
  embeddings: MODEL_OPTIONS.embeddings,
  ...SEED,
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

export async function evalAblationsCommand(values: ValuesOf<typeof EVAL_ABLATIONS_OPTIONS>): Promise<void> {
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

export const REPORT_OPTIONS = {
  experiment: { type: "string", arg: "NAME", description: "an experiment name in evals/results/, or a result file" },
  out: { type: "string", arg: "FILE", description: "where to write the HTML report (default evals/results/<experiment>.html)" },
} as const satisfies FlagSpecs;

export async function reportCommand(values: ValuesOf<typeof REPORT_OPTIONS>): Promise<void> {
  if (!values.experiment) throw new UsageError("report needs --experiment NAME (a name in evals/results/ or a result file)");
  const result = loadResult(values.experiment);
  const out = values.out ?? join(resultsDir(), `${result.experiment}.html`);
  writeFileSync(out, reportHtml(result));
  console.log(reportText(result));
  console.log(`\nHTML report: ${out}`);
}

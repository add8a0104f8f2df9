/**
 * The paper's ablations (RQ2-RQ4) as named configurations of the same run, each an experiment on
 * the same dataset, printed as one table.
 */

import type { CostEstimate } from "../app/dry-run.ts";
import type { RunContext } from "../src/config/context.ts";
import { table } from "../src/metrics/table.ts";
import { baselineRows, SCORE_HEADER, scoreRow } from "./metrics.ts";
import { type ExperimentOptions, type ExperimentResult, estimateExperiment, runExperiment } from "./runner.ts";

export interface Ablation {
  name: string;
  context: Partial<RunContext>;
}

export const ABLATIONS: readonly Ablation[] = [
  { name: "StockMem (full)", context: {} },
  { name: "w/o delta info", context: { useDelta: false } },
  { name: "w/o references", context: { useReferences: false } },
  { name: "recent-period references", context: { referenceMode: "recent" } },
  { name: "same-company references", context: { referenceScope: "same-ticker" } },
  { name: "exclude overlapping windows", context: { excludeOverlapping: true } },
  { name: "summary instead of events", context: { memoryMode: "summary" } },
  { name: "cluster opinion", context: { memoryMode: "clusters" } },
  { name: "cross-item extraction", context: { extractScope: "cross-item" } },
  { name: "layered memory on (SEP)", context: { layered: true } },
  { name: "layered + self-reflection (SEP)", context: { layered: true, selfReflection: true } },
];

interface AblationOptions {
  dataset: string;
  base?: Partial<RunContext>;
  quiet?: boolean;
  seed?: number;
  only?: readonly string[];
}

/** Each chosen ablation with the experiment that runs it: the base context under the ablation's switches. */
const experiments = (o: AblationOptions): { ablation: Ablation; experiment: ExperimentOptions }[] =>
  ABLATIONS.filter((a) => !o.only || o.only.includes(a.name)).map((ablation) => ({
    ablation,
    experiment: { dataset: o.dataset, context: { ...o.base, ...ablation.context }, quiet: o.quiet, seed: o.seed },
  }));

export async function runAblations(o: AblationOptions) {
  const rows: { ablation: Ablation; result: ExperimentResult; file: string }[] = [];
  for (const { ablation, experiment } of experiments(o)) {
    if (!o.quiet) process.stderr.write(`ablation: ${ablation.name}\n`);
    const { result, file } = await runExperiment(experiment);
    rows.push({ ablation, result, file });
  }
  return rows;
}

/** `eval ablations --dry-run`: each ablation's expected model calls and tokens, nothing sent. */
export async function estimateAblations(o: AblationOptions): Promise<{ ablation: Ablation; estimate: CostEstimate }[]> {
  const out: { ablation: Ablation; estimate: CostEstimate }[] = [];
  for (const { ablation, experiment } of experiments(o))
    out.push({ ablation, estimate: await estimateExperiment(experiment) });
  return out;
}

export function ablationTable(rows: readonly { ablation: Ablation; result: ExperimentResult }[]): string {
  const first = rows[0]?.result.report;
  const body = rows.map(({ ablation, result }) => scoreRow(ablation.name, result.report));
  if (first) body.push(...baselineRows(first).map(([name, ...rest]) => [`baseline: ${name}`, ...rest]));
  return table(["configuration", ...SCORE_HEADER.slice(1)], body);
}

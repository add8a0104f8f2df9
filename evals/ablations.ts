/**
 * The paper's ablations (RQ2-RQ4) as named configurations of the same run, each an experiment on
 * the same dataset, printed as one table.
 */
import type { RunContext } from "../src/config/context.ts";
import { table } from "../src/metrics/table.ts";
import { runExperiment, type ExperimentResult } from "./runner.ts";

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
  { name: "layered memory on (SEP)", context: { layered: true } },
  { name: "layered + self-reflection (SEP)", context: { layered: true, selfReflection: true } },
];

export async function runAblations(o: { dataset: string; base?: Partial<RunContext>; quiet?: boolean; seed?: number; only?: readonly string[] }) {
  const rows: { ablation: Ablation; result: ExperimentResult; file: string }[] = [];
  for (const ablation of ABLATIONS.filter((a) => !o.only || o.only.includes(a.name))) {
    if (!o.quiet) process.stderr.write(`ablation: ${ablation.name}\n`);
    const { result, file } = await runExperiment({ dataset: o.dataset, context: { ...o.base, ...ablation.context }, quiet: o.quiet, seed: o.seed });
    rows.push({ ablation, result, file });
  }
  return rows;
}

export function ablationTable(rows: readonly { ablation: Ablation; result: ExperimentResult }[]): string {
  const f = (x: number) => x.toFixed(3);
  const first = rows[0]?.result.report;
  const body = rows.map(({ ablation, result }) => {
    const r = result.report;
    return [ablation.name, r.predicted, f(r.overall.acc), `[${f(r.overall.accCI.low)}, ${f(r.overall.accCI.high)}]`, f(r.overall.mcc), `[${f(r.overall.mccCI.low)}, ${f(r.overall.mccCI.high)}]`];
  });
  if (first) {
    body.push(["always-up baseline", first.n, f(first.baselines.alwaysUp.acc), "", f(first.baselines.alwaysUp.mcc), ""]);
    body.push(["previous-day baseline", first.n, f(first.baselines.previousDay.acc), "", f(first.baselines.previousDay.mcc), ""]);
    if (first.baselines.logistic) body.push(["logistic-regression baseline", first.n, f(first.baselines.logistic.acc), "", f(first.baselines.logistic.mcc), ""]);
  }
  return table(["configuration", "n", "ACC", "ACC 95% CI", "MCC", "MCC 95% CI"], body);
}

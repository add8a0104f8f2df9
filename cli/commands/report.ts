/** `stockmem report --experiment NAME`: backtest and HTML report of an experiment. */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadResult } from "../../evals/compare.ts";
import { reportHtml, reportText } from "../../evals/report.ts";
import { resultsDir } from "../../evals/runner.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const REPORT_OPTIONS = {
  experiment: { type: "string", arg: "NAME", description: "an experiment name in evals/results/, or a result file" },
  out: {
    type: "string",
    arg: "FILE",
    description: "where to write the HTML report (default evals/results/<experiment>.html)",
  },
} as const satisfies FlagSpecs;

async function reportCommand(values: ValuesOf<typeof REPORT_OPTIONS>): Promise<void> {
  if (!values.experiment)
    throw new UsageError("report needs --experiment NAME (a name in evals/results/ or a result file)");
  const result = loadResult(values.experiment);
  const out = values.out ?? join(resultsDir(), `${result.experiment}.html`);
  writeFileSync(out, reportHtml(result));
  console.log(reportText(result));
  console.log(`\nHTML report: ${out}`);
}

export default defineCommand({
  words: ["report"],
  about: "backtest of an experiment as a long/short signal, and an HTML report",
  flags: REPORT_OPTIONS,
  run: reportCommand,
});

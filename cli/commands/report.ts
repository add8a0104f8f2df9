/** `stockmem report --experiment NAME | --run NAME`: backtest and HTML report of an experiment or of any run. */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadResult } from "../../evals/compare.ts";
import { experimentReport, reportHtml, reportText } from "../../evals/report.ts";
import { runReport } from "../../evals/run-report.ts";
import { resultsDir } from "../../evals/runner.ts";
import { RunName } from "../../src/config/context.ts";
import { runDir } from "../../src/config/paths.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const REPORT_OPTIONS = {
  experiment: {
    type: "string",
    arg: "NAME",
    description: "an experiment: its name, short id (eval list), run id, a unique name prefix, or a result file",
  },
  run: { type: "string", arg: "NAME", description: "any run (stockmem run, npm start, daily): its predictions so far" },
  out: {
    type: "string",
    arg: "FILE",
    description: "where to write the HTML report (default evals/results/<experiment>.html, or runs/<run>/report.html)",
  },
} as const satisfies FlagSpecs;

async function reportCommand(values: ValuesOf<typeof REPORT_OPTIONS>): Promise<void> {
  if (Boolean(values.experiment) === Boolean(values.run))
    throw new UsageError("report needs --experiment NAME (an eval experiment) or --run NAME (any run), one of them");
  let input: ReturnType<typeof experimentReport>;
  let out: string;
  if (values.experiment) {
    const result = loadResult(values.experiment);
    input = experimentReport(result);
    out = values.out ?? join(resultsDir(), `${result.experiment}.html`);
  } else {
    const run = RunName.parse(values.run); // a name, never a path (a ZodError is a usage error, exit 2)
    input = await runReport(run);
    out = values.out ?? join(runDir(run), "report.html");
  }
  writeFileSync(out, reportHtml(input));
  console.log(reportText(input));
  console.log(`\nHTML report: ${out}`);
}

export default defineCommand({
  words: ["report"],
  about: "backtest of an experiment or a run as a long/short signal, its calls with their reasons, as an HTML report",
  flags: REPORT_OPTIONS,
  run: reportCommand,
});

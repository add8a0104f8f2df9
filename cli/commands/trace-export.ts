/** `stockmem trace export RUN --format langsmith`: a run's trace as LangSmith run trees. */

import { writeFileSync } from "node:fs";
import { toLangSmithRuns } from "../../src/observability/langsmith-export.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { runTrace } from "../trace.ts";

const TRACE_EXPORT_OPTIONS = {
  format: {
    type: "string",
    arg: "F",
    description: "langsmith (the only format): RunCreate records with trace_id, dotted_order, parent_run_id",
  },
  out: { type: "string", arg: "FILE", description: "output file (default <run>.langsmith.jsonl)" },
} as const satisfies FlagSpecs;

/** `trace export RUN --format langsmith`: the run trees, parents first, one JSON line per run. */
async function traceExportCommand(run: string, values: ValuesOf<typeof TRACE_EXPORT_OPTIONS>): Promise<void> {
  if ((values.format ?? "langsmith") !== "langsmith")
    throw new UsageError(`--format: only langsmith is supported (got "${values.format}")`);
  const runs = toLangSmithRuns(runTrace(run));
  const out = values.out ?? `${run}.langsmith.jsonl`;
  writeFileSync(out, `${runs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const traces = runs.filter((r) => r.id === r.trace_id).length;
  console.log(
    `exported ${runs.length} runs in ${traces} traces (one per ticker-day, and the run's own steps) to ${out}`,
  );
}

export default defineCommand({
  words: ["trace", "export"],
  about: "a run's trace as LangSmith run trees (each ticker-day its own trace), JSON lines",
  flags: TRACE_EXPORT_OPTIONS,
  args: [{ name: "<RUN>", about: "the run name" }],
  run: (v, [run]) => traceExportCommand(run!, v),
});

/** `stockmem trace RUN [--ticker T] [--date D] [--node NAME]`: a readable timeline of one ticker-day. */

import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { dayRecords, runTrace, timeline } from "../trace.ts";

const TRACE_OPTIONS = {
  ticker: { type: "string", arg: "T", description: "the ticker (default: the last ticker-day of the trace)" },
  date: { type: "string", arg: "D", description: "the trading day" },
  node: { type: "string", arg: "NAME", description: "only this node's records" },
  json: { type: "boolean", description: "the records as JSON lines, in full" },
} as const satisfies FlagSpecs;

async function traceCommand(run: string, values: ValuesOf<typeof TRACE_OPTIONS>): Promise<void> {
  const records = runTrace(run);
  // default: the latest ticker-day in the trace
  const last = [...records]
    .filter((r) => r.ticker && r.date)
    .sort((a, b) => a.date!.localeCompare(b.date!) || a.ticker!.localeCompare(b.ticker!))
    .at(-1);
  const ticker = values.ticker?.toUpperCase() ?? last?.ticker;
  const date = values.date ?? last?.date;
  if (!ticker || !date) throw new UsageError(`the trace of ${run} has no ticker-day records`);
  if (values.json) {
    for (const r of dayRecords(records, ticker, date, values.node)) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  console.log(`trace of run "${run}"`);
  console.log(timeline(records, ticker, date, values.node));
}

export default defineCommand({
  words: ["trace"],
  about: "the timeline of one ticker-day: every node's key inputs and outputs, every model call",
  flags: TRACE_OPTIONS,
  args: [{ name: "<RUN>", about: "the run name" }],
  run: (v, [run]) => traceCommand(run!, v),
});

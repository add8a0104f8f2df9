/** `stockmem trace RUN [--ticker T] [--date D] [--node NAME]`: a readable timeline of one ticker-day. */
import { writeFileSync } from "node:fs";
import { toLangSmithRuns } from "../src/observability/langsmith-export.ts";
import type { FlagSpecs, ValuesOf } from "./flags.ts";
import { stateDir } from "../src/config/paths.ts";
import { readTrace, traceFile, type TraceRecord } from "../src/observability/trace.ts";
import { UsageError } from "./errors.ts";

/** Fields that say what a node decided: shown first, and in full length budget, wherever they sit. */
const KEY_FIELDS = [
  "movement",
  "reason",
  "references",
  "cited",
  "label",
  "kept",
  "judged",
  "key_events",
  "verdict",
  "critique",
  "events",
  "candidates",
  "itemCount",
  "asOf",
];

/** One-line summary of a value: its key fields first (a prediction's movement, reason, references), then other scalars and counts. */
export function brief(v: unknown, max = 160): string {
  const str = (x: string, n: number) => JSON.stringify(x.length > n ? `${x.slice(0, n)}…` : x);
  const one = (x: unknown, n = 40): string => {
    if (Array.isArray(x))
      return x.length <= 5 && x.every((y) => typeof y === "string") ? `[${x.map((y) => str(y, 40)).join(", ")}]` : `[${x.length}]`;
    if (typeof x === "string") return str(x, n);
    if (x && typeof x === "object") {
      const entries = Object.entries(x).filter(([, y]) => y !== undefined);
      const keyed = entries.filter(([k]) => KEY_FIELDS.includes(k)).sort(([a], [b]) => KEY_FIELDS.indexOf(a) - KEY_FIELDS.indexOf(b));
      const rest = entries.filter(([k, y]) => !KEY_FIELDS.includes(k) && (typeof y !== "object" || y === null));
      const shown = [...keyed, ...rest].slice(0, 4);
      return `{${shown.map(([k, y]) => `${k}: ${one(y, k === "reason" ? 120 : 24)}`).join(", ")}${entries.length > shown.length ? ", …" : ""}}`;
    }
    return String(x);
  };
  const s = Array.isArray(v)
    ? one(v)
    : v && typeof v === "object"
      ? Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => `${k}: ${one(x)}`)
          .join(", ")
      : one(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A run's trace records from the state dir, a torn last line reported as a note. */
const runTrace = (run: string) => readTrace(traceFile(stateDir(), run), (n) => console.error(`note: ${n}`));

/** The records of one ticker-day (optionally one node), in time order. */
export function dayRecords(records: readonly TraceRecord[], ticker: string, date: string, node?: string): TraceRecord[] {
  return records
    .filter((r) => r.ticker === ticker && r.date === date && (!node || r.node === node))
    .sort((a, b) => a.started_at.localeCompare(b.started_at) || (a.kind === "graph" ? -1 : 1));
}

export function timeline(records: readonly TraceRecord[], ticker: string, date: string, node?: string): string {
  const rows = dayRecords(records, ticker, date, node);
  if (rows.length === 0) return `no trace records for ${ticker} ${date}${node ? ` node ${node}` : ""}`;
  const lines = rows.map((r) => {
    const t = r.started_at.slice(11, 23);
    const where = r.kind === "llm" ? `  model ${r.node}` : r.kind === "graph" ? `[${r.node} graph]` : `${r.graph ?? "?"}/${r.node}`;
    const model =
      r.kind === "llm" ? ` ${r.model ?? "?"} ${r.prompt_version ?? ""}${r.tokens ? ` tokens ${r.tokens.input}/${r.tokens.output}` : ""}` : "";
    const io = r.kind === "graph" ? "" : `\n      in  ${brief(r.inputs)}\n      out ${r.error ? `ERROR ${r.error}` : brief(r.outputs, 320)}`;
    return `${t} ${String(r.duration_ms).padStart(6)} ms  ${where}${model}${io}`;
  });
  return [`${ticker} ${date}: ${rows.length} records`, ...lines].join("\n");
}

export const TRACE_OPTIONS = {
  ticker: { type: "string", arg: "T", description: "the ticker (default: the last ticker-day of the trace)" },
  date: { type: "string", arg: "D", description: "the trading day" },
  node: { type: "string", arg: "NAME", description: "only this node's records" },
  json: { type: "boolean", description: "the records as JSON lines, in full" },
} as const satisfies FlagSpecs;

export async function traceCommand(run: string, values: ValuesOf<typeof TRACE_OPTIONS>): Promise<void> {
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

export const TRACE_EXPORT_OPTIONS = {
  format: { type: "string", arg: "F", description: "langsmith (the only format): RunCreate records with trace_id, dotted_order, parent_run_id" },
  out: { type: "string", arg: "FILE", description: "output file (default <run>.langsmith.jsonl)" },
} as const satisfies FlagSpecs;

/** `trace export RUN --format langsmith`: the run trees, parents first, one JSON line per run. */
export async function traceExportCommand(run: string, values: ValuesOf<typeof TRACE_EXPORT_OPTIONS>): Promise<void> {
  if ((values.format ?? "langsmith") !== "langsmith") throw new UsageError(`--format: only langsmith is supported (got "${values.format}")`);
  const runs = toLangSmithRuns(runTrace(run));
  const out = values.out ?? `${run}.langsmith.jsonl`;
  writeFileSync(out, `${runs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const traces = runs.filter((r) => r.id === r.trace_id).length;
  console.log(`exported ${runs.length} runs in ${traces} traces (one per ticker-day, and the run's own steps) to ${out}`);
}

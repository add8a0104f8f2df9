/** `stockmem trace RUN [--ticker T] [--date D] [--node NAME]`: a readable timeline of one ticker-day. */
import type { FlagSpecs, ValuesOf } from "./flags.ts";
import { stateDir } from "../config/paths.ts";
import { readTrace, traceFile, type TraceRecord } from "../observability/trace.ts";
import { UsageError } from "./errors.ts";

/** One-line summary of a value: keys with array lengths, short strings, numbers. */
export function brief(v: unknown, max = 110): string {
  const one = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.length}]`;
    if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
    if (x && typeof x === "object") {
      const scalars = Object.entries(x).filter(([, y]) => typeof y !== "object" || y === null).slice(0, 3);
      return `{${scalars.map(([k, y]) => `${k}: ${typeof y === "string" ? JSON.stringify(y.length > 24 ? `${y.slice(0, 24)}…` : y) : String(y)}`).join(", ")}${Object.keys(x).length > scalars.length ? ", …" : ""}}`;
    }
    return String(x);
  };
  const s = Array.isArray(v) ? one(v) : v && typeof v === "object" ? Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${one(x)}`).join(", ") : one(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function timeline(records: readonly TraceRecord[], ticker: string, date: string, node?: string): string {
  const rows = records
    .filter((r) => r.ticker === ticker && r.date === date && (!node || r.node === node))
    .sort((a, b) => a.started_at.localeCompare(b.started_at) || (a.kind === "graph" ? -1 : 1));
  if (rows.length === 0) return `no trace records for ${ticker} ${date}${node ? ` node ${node}` : ""}`;
  const lines = rows.map((r) => {
    const t = r.started_at.slice(11, 23);
    const where = r.kind === "llm" ? `  model ${r.node}` : r.kind === "graph" ? `[${r.node} graph]` : `${r.graph ?? "?"}/${r.node}`;
    const model = r.kind === "llm" ? ` ${r.model ?? "?"} ${r.prompt_version ?? ""}${r.tokens ? ` tokens ${r.tokens.input}/${r.tokens.output}` : ""}` : "";
    const io = r.kind === "graph" ? "" : `\n      in  ${brief(r.inputs)}\n      out ${r.error ? `ERROR ${r.error}` : brief(r.outputs)}`;
    return `${t} ${String(r.duration_ms).padStart(6)} ms  ${where}${model}${io}`;
  });
  return [`${ticker} ${date}: ${rows.length} records`, ...lines].join("\n");
}

export const TRACE_OPTIONS = {
  ticker: { type: "string", arg: "T", description: "the ticker (default: the last ticker-day of the trace)" },
  date: { type: "string", arg: "D", description: "the trading day" },
  node: { type: "string", arg: "NAME", description: "only this node's records" },
} as const satisfies FlagSpecs;

export async function traceCommand(run: string, values: ValuesOf<typeof TRACE_OPTIONS>): Promise<void> {
  const records = readTrace(traceFile(stateDir(), run), (n) => console.error(`note: ${n}`));
  // default: the latest ticker-day in the trace
  const last = [...records].filter((r) => r.ticker && r.date).sort((a, b) => a.date!.localeCompare(b.date!) || a.ticker!.localeCompare(b.ticker!)).at(-1);
  const ticker = values.ticker?.toUpperCase() ?? last?.ticker;
  const date = values.date ?? last?.date;
  if (!ticker || !date) throw new UsageError(`the trace of ${run} has no ticker-day records`);
  console.log(`trace of run "${run}"`);
  console.log(timeline(records, ticker, date, values.node));
}

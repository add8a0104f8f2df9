/** A run's trace read for the terminal: one-line summaries and the timeline of one ticker-day (`stockmem trace`). */
import { stateDir } from "../src/config/paths.ts";
import { readTrace, type TraceRecord, traceFile } from "../src/observability/trace.ts";
import { noteLine } from "./colour.ts";

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

/**
 * One-line summary of a value: its key fields first (a prediction's movement, reason, references), then other scalars
 * and counts.
 */
function brief(v: unknown, max = 160): string {
  const str = (x: string, n: number) => JSON.stringify(x.length > n ? `${x.slice(0, n)}…` : x);
  const one = (x: unknown, n = 40): string => {
    if (Array.isArray(x))
      return x.length <= 5 && x.every((y) => typeof y === "string")
        ? `[${x.map((y) => str(y, 40)).join(", ")}]`
        : `[${x.length}]`;
    if (typeof x === "string") return str(x, n);
    if (x && typeof x === "object") {
      const entries = Object.entries(x).filter(([, y]) => y !== undefined);
      const keyed = entries
        .filter(([k]) => KEY_FIELDS.includes(k))
        .sort(([a], [b]) => KEY_FIELDS.indexOf(a) - KEY_FIELDS.indexOf(b));
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
export const runTrace = (run: string) =>
  readTrace(traceFile(stateDir(), run), (n) => console.error(noteLine(n, process.stderr)));

/** The records of one ticker-day (optionally one node), in time order. */
export function dayRecords(
  records: readonly TraceRecord[],
  ticker: string,
  date: string,
  node?: string,
): TraceRecord[] {
  return records
    .filter((r) => r.ticker === ticker && r.date === date && (!node || r.node === node))
    .sort((a, b) => a.started_at.localeCompare(b.started_at) || (a.kind === "graph" ? -1 : 1));
}

export function timeline(records: readonly TraceRecord[], ticker: string, date: string, node?: string): string {
  const rows = dayRecords(records, ticker, date, node);
  if (rows.length === 0) return `no trace records for ${ticker} ${date}${node ? ` node ${node}` : ""}`;
  const lines = rows.map((r) => {
    const t = r.started_at.slice(11, 23);
    const where =
      r.kind === "llm" ? `  model ${r.node}` : r.kind === "graph" ? `[${r.node} graph]` : `${r.graph ?? "?"}/${r.node}`;
    const model =
      r.kind === "llm"
        ? ` ${r.model ?? "?"} ${r.prompt_version ?? ""}${r.tokens ? ` tokens ${r.tokens.input}/${r.tokens.output}` : ""}`
        : "";
    const io =
      r.kind === "graph"
        ? ""
        : `\n      in  ${brief(r.inputs)}\n      out ${r.error ? `ERROR ${r.error}` : brief(r.outputs, 320)}`;
    return `${t} ${String(r.duration_ms).padStart(6)} ms  ${where}${model}${io}`;
  });
  return [`${ticker} ${date}: ${rows.length} records`, ...lines].join("\n");
}

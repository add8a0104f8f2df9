/**
 * A local trace as LangSmith run trees (`stockmem trace export RUN --format langsmith`): every record a
 * run (id, name, run_type, start/end, inputs/outputs, parent_run_id), grouped so that each ticker-day
 * is its own trace under a root named "<TICKER> <date>" with its metadata, and the run's own steps
 * (plan, commit, ...) another. trace_id and dotted_order follow LangSmith's rules, so the runs can be
 * posted as they are (RunCreate of the `langsmith` client).
 */
import type { RunCreate } from "langsmith/schemas";
import type { TraceRecord } from "./trace.ts";
import { stableUuid } from "./uuid.ts";

export type ExportedRun = RunCreate & {
  id: string;
  trace_id: string;
  dotted_order: string;
  start_time: string;
  end_time: string;
};

/** `20231114T221320123000Z<id>`: LangSmith's sortable time stamp (microseconds) followed by the run id. */
function dottedPart(startIso: string, id: string): string {
  return `${startIso.replace(/[-:.]/g, "").slice(0, -1)}000Z${id}`;
}

const asMap = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { output: v };
const endOf = (r: TraceRecord) => new Date(Date.parse(r.started_at) + r.duration_ms).toISOString();

export function toLangSmithRuns(records: readonly TraceRecord[]): ExportedRun[] {
  const byId = new Map(records.map((r) => [r.run_id, r]));
  const dayOf = (r: TraceRecord) => (r.ticker && r.date ? `${r.ticker} ${r.date}` : null);
  // the trace a record belongs to: its ticker-day, or the run's own steps
  const traceKey = (r: TraceRecord) => dayOf(r) ?? "run";
  const roots = new Map<string, ExportedRun>();
  const out: ExportedRun[] = [];
  const rootFor = (key: string, r: TraceRecord): ExportedRun => {
    let root = roots.get(key);
    if (!root) {
      const id = stableUuid("stockmem-trace", r.run, key);
      root = {
        id,
        trace_id: id,
        name: key === "run" ? `run ${r.run}` : key,
        run_type: "chain",
        inputs: key === "run" ? { run: r.run } : { ticker: r.ticker, date: r.date },
        start_time: r.started_at,
        end_time: endOf(r),
        dotted_order: "",
        extra: { metadata: { run: r.run, ...(key === "run" ? {} : { ticker: r.ticker, date: r.date }) } },
        tags: ["stockmem", key === "run" ? "run" : "ticker-day"],
      };
      roots.set(key, root);
      out.push(root);
    }
    if (r.started_at < root.start_time) root.start_time = r.started_at;
    if (endOf(r) > root.end_time) root.end_time = endOf(r);
    return root;
  };
  for (const r of records) rootFor(traceKey(r), r);
  for (const root of roots.values()) root.dotted_order = dottedPart(root.start_time, root.id);

  // parents within the same trace; a record whose parent is elsewhere (or absent) hangs under the trace's root
  const parentIn = (r: TraceRecord) => {
    const p = r.parent_run_id ? byId.get(r.parent_run_id) : undefined;
    return p && traceKey(p) === traceKey(r) ? p : undefined;
  };
  const dotted = new Map<string, string>();
  const dottedOf = (r: TraceRecord): string => {
    const known = dotted.get(r.run_id);
    if (known) return known;
    const p = parentIn(r);
    const d = `${p ? dottedOf(p) : roots.get(traceKey(r))!.dotted_order}.${dottedPart(r.started_at, r.run_id)}`;
    dotted.set(r.run_id, d);
    return d;
  };
  for (const r of records) {
    const root = roots.get(traceKey(r))!;
    const p = parentIn(r);
    out.push({
      id: r.run_id,
      trace_id: root.id,
      parent_run_id: p ? p.run_id : root.id,
      dotted_order: dottedOf(r),
      name: r.kind === "node" && r.graph ? `${r.graph}/${r.node}` : r.node,
      run_type: r.kind === "llm" ? "llm" : "chain",
      start_time: r.started_at,
      end_time: endOf(r),
      inputs: asMap(r.inputs),
      outputs: asMap(r.outputs),
      ...(r.error ? { error: r.error } : {}),
      extra: {
        metadata: {
          run: r.run,
          ticker: r.ticker,
          date: r.date,
          ...(r.model ? { model: r.model, prompt_version: r.prompt_version } : {}),
          ...(r.tokens ? { usage_metadata: { input_tokens: r.tokens.input, output_tokens: r.tokens.output } } : {}),
        },
      },
      tags: ["stockmem", r.kind],
    });
  }
  // parents before children, as LangSmith ingests them
  return out.sort((a, b) => a.dotted_order.localeCompare(b.dotted_order));
}

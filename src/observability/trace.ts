/**
 * The local trace: one JSONL line per graph node run and per model call, under
 * <state dir>/traces/<run>.jsonl, always on (LangSmith tracing is separate, when enabled by env).
 * Model calls keep their payloads (compacted: long strings and arrays cut with a marker); graph and
 * node records keep a summary (scalars, short strings, ids and counts instead of full state copies),
 * so a run's trace stays small. Everything is scrubbed of secrets.
 */

import { existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import type { LLMResult } from "@langchain/core/outputs";
import { messageOf } from "../domain/errors.ts";
import { scrub, secretValues } from "./secrets.ts";

export interface TraceRecord {
  run: string;
  run_id: string;
  parent_run_id: string | null;
  kind: "graph" | "node" | "llm";
  graph: string | null;
  node: string;
  ticker: string | null;
  date: string | null;
  started_at: string;
  duration_ms: number;
  inputs: unknown;
  outputs: unknown;
  error?: string;
  model?: string;
  prompt_version?: string;
  tokens?: { input: number; output: number };
}

const GRAPH_NAMES = new Set(["day", "ingest", "predict", "reflect", "run", "chat"]);

/** Where a state dir keeps the runs' traces, one `<run>.jsonl` each. */
export const tracesDir = (stateDir: string): string => join(stateDir, "traces");

export function traceFile(stateDir: string, run: string): string {
  return join(tracesDir(stateDir), `${run}.jsonl`);
}

type Clean = (s: string) => string;
const asIs: Clean = (s) => s;

/**
 * Cuts long strings and arrays so a trace stays readable (and bounded); `clean` (the secret scrub) runs on each string
 * before it is cut, so no partial secret survives a cut.
 */
export function compact(value: unknown, depth = 0, clean: Clean = asIs): unknown {
  if (typeof value === "string") {
    const v = clean(value);
    return v.length > 1500 ? `${v.slice(0, 1500)}…[${v.length - 1500} more chars]` : v;
  }
  if (Array.isArray(value)) {
    const head = value.slice(0, 40).map((v) => compact(v, depth + 1, clean));
    return value.length > 40 ? [...head, `…[${value.length - 40} more items]`] : head;
  }
  if (value && typeof value === "object") {
    if (depth > 6) return "[…]";
    const msg = value as { lc_kwargs?: { content?: unknown }; content?: unknown; _getType?: () => string };
    if (typeof msg._getType === "function")
      return { type: msg._getType(), content: compact(msg.content, depth + 1, clean) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v, depth + 1, clean)]));
  }
  return value;
}

/**
 * A node's inputs or outputs in brief: scalars and short strings as they are, arrays as a count (with the first ids),
 * nested objects to depth 2; strings cleaned before they are cut.
 */
export function summarize(value: unknown, depth = 0, clean: Clean = asIs): unknown {
  if (typeof value === "string") {
    const v = clean(value);
    return v.length > 300 ? `${v.slice(0, 300)}…[${v.length - 300} more chars]` : v;
  }
  if (Array.isArray(value)) {
    if (value.length <= 5 && value.every((v) => v === null || typeof v !== "object"))
      return value.map((v) => summarize(v, depth + 1, clean));
    const ids = value
      .map((v) => (v && typeof v === "object" ? (v as { id?: unknown }).id : undefined))
      .filter((id): id is string => typeof id === "string");
    return `[${value.length} items${ids.length ? `: ${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""}` : ""}]`;
  }
  if (value && typeof value === "object") {
    if (depth >= 2) return `{${Object.keys(value).length} keys}`;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, summarize(v, depth + 1, clean)]),
    );
  }
  return value;
}

interface Open {
  rec: Omit<TraceRecord, "duration_ms" | "outputs">;
  t0: number;
}

export class LocalTracer extends BaseCallbackHandler {
  name = "stockmem-local-trace";
  private readonly open = new Map<string, Open>();
  private readonly graphOf = new Map<string, string>();
  private readonly secrets = secretValues();
  private readonly clean: Clean = (s) => scrub(s, this.secrets);
  private fd?: number;
  /** bytes in the file: a write that fails (a full disk) is cut back to here, so no record is torn mid-file */
  private size = 0;
  /** the first write error (ENOSPC...): the trace stops there, whole, and the run reports it once */
  failure?: Error;

  constructor(
    readonly file: string,
    readonly run: string,
  ) {
    super();
    mkdirSync(dirname(file), { recursive: true });
  }

  private write(r: TraceRecord): void {
    if (this.failure) return;
    try {
      if (this.fd === undefined) {
        this.fd = openSync(this.file, "a+", 0o600);
        this.size = fstatSync(this.fd).size;
        // a record torn by an earlier crash stays on its own line: the records appended now parse
        if (this.size > 0) {
          const last = Buffer.alloc(1);
          readSync(this.fd, last, 0, 1, this.size - 1);
          if (last[0] !== 10) this.append("\n");
        }
      }
      this.append(`${scrub(JSON.stringify(r), this.secrets)}\n`);
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(messageOf(e));
      if (this.fd !== undefined) {
        try {
          ftruncateSync(this.fd, this.size); // drop the part of the record that made it to disk
        } catch {
          // the cut is best effort; readTrace skips a torn record anyway
        }
      }
    }
  }

  private append(text: string): void {
    const bytes = Buffer.from(text);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
    this.size += bytes.length;
  }

  private start(
    runId: string,
    parentRunId: string | undefined,
    kind: TraceRecord["kind"],
    node: string,
    inputs: unknown,
    metadata?: Record<string, unknown>,
  ): void {
    const graph = kind === "graph" ? node : (parentRunId && this.graphOf.get(parentRunId)) || null;
    this.graphOf.set(runId, graph ?? "");
    const state = (inputs ?? {}) as { ticker?: unknown; date?: unknown };
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    this.open.set(runId, {
      t0: Date.now(),
      rec: {
        run: this.run,
        run_id: runId,
        parent_run_id: parentRunId ?? null,
        kind,
        graph,
        node,
        ticker: str(state.ticker) ?? str(metadata?.ticker),
        date: str(state.date) ?? str(metadata?.date),
        started_at: new Date().toISOString(),
        inputs: kind === "llm" ? compact(inputs, 0, this.clean) : summarize(inputs, 0, this.clean),
        ...(kind === "llm"
          ? {
              model: str(metadata?.model) ?? undefined,
              prompt_version: metadata?.promptId ? `${metadata.promptId}@${metadata.promptVersion}` : undefined,
            }
          : {}),
      },
    });
  }

  private end(runId: string, outputs: unknown, extra: Partial<TraceRecord> = {}): void {
    const o = this.open.get(runId);
    if (!o) return;
    this.open.delete(runId);
    this.write({
      ...o.rec,
      duration_ms: Date.now() - o.t0,
      outputs: o.rec.kind === "llm" ? compact(outputs, 0, this.clean) : summarize(outputs, 0, this.clean),
      ...extra,
    });
  }

  override handleChainStart(
    _chain: Serialized,
    inputs: Record<string, unknown>,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    const name = runName ?? "";
    const node = metadata?.langgraph_node;
    // a subgraph invoked inside a node of the same name (run's node "ingest" calls the ingest graph) inherits
    // that node's metadata: what it is (a compiled graph) tells them apart, so its nodes read ingest/load
    // (a graph's steps called in a run's task say so: steps.ts)
    const id = (_chain as { id?: string[] } | undefined)?.id;
    const compiled = id?.at(-1) === "CompiledStateGraph" || (id?.[0] === "stockmem" && id[1] === "graph");
    if (GRAPH_NAMES.has(name) && (compiled || node !== name))
      this.start(runId, parentRunId, "graph", name, inputs, metadata);
    else if (typeof node === "string" && node === name && !name.startsWith("__"))
      this.start(runId, parentRunId, "node", name, inputs, metadata);
    else if (parentRunId && this.graphOf.has(parentRunId)) this.graphOf.set(runId, this.graphOf.get(parentRunId)!); // pass the graph down through wrappers
  }

  override handleChainEnd(outputs: Record<string, unknown>, runId: string): void {
    this.end(runId, outputs);
  }

  override handleChainError(err: Error, runId: string): void {
    this.end(runId, null, { error: err.message });
  }

  override handleChatModelStart(
    _llm: Serialized,
    messages: unknown[][],
    runId: string,
    parentRunId?: string,
    _extra?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.start(runId, parentRunId, "llm", String(metadata?.agent ?? runName ?? "model"), messages[0], metadata);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const gen = output.generations[0]?.[0] as
      | { text?: string; message?: { usage_metadata?: { input_tokens?: number; output_tokens?: number } } }
      | undefined;
    const u = gen?.message?.usage_metadata;
    this.end(
      runId,
      gen?.text ?? null,
      u ? { tokens: { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0 } } : {},
    );
  }

  override handleLLMError(err: Error, runId: string): void {
    this.end(runId, null, { error: err.message });
  }
}

/**
 * The records of a trace. A record torn by a crash or a full disk (mid-file, when a later run appended
 * after it, or at the end) is left out with a note; a record appended onto a torn one is recovered.
 */
export function readTrace(file: string, onNote?: (note: string) => void): TraceRecord[] {
  if (!existsSync(file))
    throw new Error(`no trace at ${file} (traces are written by \`stockmem run\` and \`stockmem eval run\`)`);
  const out: TraceRecord[] = [];
  const torn: number[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (const [i, l] of lines.entries()) {
    if (!l.trim()) continue;
    const whole = parseRecord(l);
    if (whole) {
      out.push(whole);
      continue;
    }
    torn.push(i + 1);
    const tail = l.lastIndexOf('{"run":'); // a record appended onto the torn one
    const rec = tail > 0 ? parseRecord(l.slice(tail)) : undefined;
    if (rec) out.push(rec);
  }
  if (torn.length)
    onNote?.(
      `${file}: ${torn.length} torn record(s) (a crash or a full disk stopped the writer mid-record) at line ${torn.slice(0, 5).join(", ")}${torn.length > 5 ? ", ..." : ""}, left out`,
    );
  return out;
}

/** A line as a trace record, or undefined when it is not one (torn, or not a record at all). */
function parseRecord(line: string): TraceRecord | undefined {
  try {
    const r = JSON.parse(line) as Partial<TraceRecord> | null;
    return r && typeof r === "object" && typeof r.run === "string" && typeof r.node === "string"
      ? (r as TraceRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

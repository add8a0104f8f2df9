/** `stockmem run` / `npm start`: the StockMem train/test run with progress bars and a score table. */
import { parseArgs } from "node:util";
import { AGENT_NAMES, modelIdFor } from "../../agents/kit.ts";
import { RunContext } from "../config/context.ts";
import { marketDataDir, stateDir } from "../config/paths.ts";
import { loadMarketData } from "../data/load.ts";
import { connectChroma } from "../memory/chroma-server.ts";
import { resetRun } from "../memory/store.ts";
import type { ScoreRow } from "../metrics/summary.ts";
import type { Usage } from "../models/usage.ts";
import { openResources, registerResources, unregisterResources } from "../pipeline/resources.ts";
import { forgetRunFiles, graph as runGraph, runFilesFor } from "../../graphs/run.ts";
import { LocalTracer, traceFile } from "../observability/trace.ts";
import { describeReport } from "./data-report.ts";
import { UsageError } from "./errors.ts";
import { table } from "./format.ts";
import { bar } from "./progress.ts";

export const RUN_DEFAULTS = { run: "sample", train: "2015-07-01:2015-09-30", test: "2015-10-01:2015-12-31" } as const;

export function parseWindow(v: string, name: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$/.exec(v);
  if (!m) throw new UsageError(`--${name} expects FROM:TO dates, e.g. 2015-07-01:2015-09-30 (got "${v}")`);
  return { from: m[1]!, to: m[2]! };
}

/** `--agent-model extractor=openai:gpt-4o-mini` (repeatable) -> per-agent overrides. */
export function agentModels(specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = /^([a-z-]+)=(.+)$/.exec(spec);
    if (!m || !(AGENT_NAMES as readonly string[]).concat("tracker", "chat").includes(m[1]!)) {
      throw new UsageError(`--agent-model expects AGENT=MODEL with AGENT one of ${AGENT_NAMES.join(", ")}, tracker, chat (got "${spec}")`);
    }
    out[m[1]!] = m[2]!;
  }
  return out;
}

export interface RunResult {
  scores: ScoreRow[];
  predictionsFile: string;
  traceFile: string;
  usage: Usage;
}

export interface RunOptions {
  ctx: RunContext;
  dataDir: string;
  tickers?: string[];
  train: { from: string; to: string };
  test: { from: string; to: string };
  fresh?: boolean;
  quiet?: boolean;
  chatModel?: Parameters<typeof registerResources>[0]["chatModel"];
}

/** Runs the run graph with registered resources; used by the CLI, tests and the bench. */
export async function executeRun(o: RunOptions): Promise<RunResult> {
  const data = await loadMarketData(o.dataDir, { tickers: o.tickers, maxItemsPerDay: o.ctx.maxItemsPerDay, maxTextChars: o.ctx.maxTextChars, labelThreshold: o.ctx.labelThreshold });
  if (!o.quiet) for (const line of describeReport(data.report)) console.log(`note: ${line}`);
  const endpoint = await connectChroma(stateDir());
  try {
    if (o.fresh) {
      await resetRun(endpoint.url, o.ctx.run);
      runFilesFor(o.ctx.run).clear();
    }
    const { usage } = registerResources(await openResources(endpoint.url, o.ctx, data, o.chatModel));
    let final: { scores?: unknown } = {};
    const stream = await runGraph.stream(
      { tickers: o.tickers, train: o.train, test: o.test },
      { context: { ...o.ctx, dataDir: o.dataDir }, streamMode: ["custom", "values"], callbacks: [new LocalTracer(traceFile(stateDir(), o.ctx.run), o.ctx.run)] },
    );
    for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
      if (mode === "custom" && chunk.kind === "progress" && !o.quiet) bar(`${chunk.phase} ${chunk.date}`, chunk.done as number, chunk.total as number);
      if (mode === "values") final = chunk;
    }
    return { scores: (final.scores ?? []) as ScoreRow[], predictionsFile: runFilesFor(o.ctx.run).predictionsFile, traceFile: traceFile(stateDir(), o.ctx.run), usage };
  } finally {
    unregisterResources(o.ctx.run);
    forgetRunFiles(o.ctx.run);
    await endpoint.stop();
  }
}

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} expects a positive integer (got "${v}")`);
  return n;
}

/** Model calls, cache hits and tokens per agent, and per ticker-day (mean and maximum). */
export function usageLines(u: Usage): string {
  if (u.calls === 0 && u.cacheHits === 0) return "model calls: 0 (offline analyst)";
  const rows = [...u.byAgent].sort(([a], [b]) => a.localeCompare(b)).map(([agent, t]) => [agent, t.calls, t.cacheHits, t.inputTokens, t.outputTokens]);
  const days = [...u.byTickerDay.values()].map((t) => t.calls);
  const per = days.length ? `; per ticker-day: mean ${(days.reduce((a, b) => a + b, 0) / days.length).toFixed(1)}, max ${Math.max(...days)} calls over ${days.length} ticker-days` : "";
  return `model calls: ${u.calls} (+${u.cacheHits} from the cache), tokens ${u.tokens}${per}\n${table(["agent", "calls", "cache hits", "input tokens", "output tokens"], rows)}`;
}

export function scoreLines(scores: readonly ScoreRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}`;
  return table(
    ["ticker", "predicted", "scored", "ACC %", "MCC", "always-up ACC %"],
    scores.map((s) => [s.ticker, s.predicted, s.scored, pct(s.acc), s.mcc.toFixed(3), pct(s.alwaysUpAcc)]),
  );
}

export async function runCommand(args: string[], defaults: Partial<typeof RUN_DEFAULTS> = {}): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      run: { type: "string" }, data: { type: "string" }, tickers: { type: "string" }, train: { type: "string" }, test: { type: "string" },
      model: { type: "string" }, "agent-model": { type: "string", multiple: true }, embeddings: { type: "string" },
      fresh: { type: "boolean" }, "same-ticker": { type: "boolean" }, "no-cache": { type: "boolean" }, layered: { type: "boolean" },
      "budget-calls": { type: "string" }, "budget-tokens": { type: "string" },
    },
  });
  const ctx = RunContext.parse({
    run: values.run ?? defaults.run ?? RUN_DEFAULTS.run,
    model: values.model, models: agentModels(values["agent-model"] ?? []), embeddings: values.embeddings,
    referenceScope: values["same-ticker"] ? "same-ticker" : undefined, cache: values["no-cache"] ? false : undefined, layered: values.layered,
    budgetCalls: positiveInt(values["budget-calls"], "budget-calls"), budgetTokens: positiveInt(values["budget-tokens"], "budget-tokens"),
  });
  const train = parseWindow(values.train ?? defaults.train ?? RUN_DEFAULTS.train, "train");
  const test = parseWindow(values.test ?? defaults.test ?? RUN_DEFAULTS.test, "test");
  if (train.from > train.to || test.from > test.to || train.to >= test.from) {
    throw new UsageError(`windows must be ordered: --train ${train.from}:${train.to} must end before --test ${test.from}:${test.to} starts`);
  }
  const tickers = values.tickers?.split(",").map((t) => t.trim().toUpperCase()).filter(Boolean);
  const overrides = Object.entries(ctx.models).map(([a, m]) => `${a}=${m}`).join(", ");
  console.log(`stockmem run "${ctx.run}": train ${train.from}..${train.to}, test ${test.from}..${test.to}, model ${ctx.model}${ctx.model === "offline" ? " (the offline analyst: a classical baseline, not an LLM)" : ""}${overrides ? `; overrides ${overrides}` : ""}`);
  if (ctx.layered && modelIdFor(ctx, "predictor") === "offline") console.log("SEP-Memory GRPO sampling: the offline analyst is deterministic, so each training day's group has G = 1 candidate.");
  const t0 = Date.now();
  const res = await executeRun({ ctx, dataDir: marketDataDir(values.data), tickers, train, test, fresh: values.fresh });
  console.log(`\n${scoreLines(res.scores)}`);
  console.log(`\npredictions: ${res.predictionsFile}\ntrace: ${res.traceFile} (stockmem trace ${ctx.run})`);
  console.log(`${usageLines(res.usage)}\n${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** `stockmem run` / `npm start`: the StockMem train/test run with progress bars and a score table. */
import { modelIdFor } from "../agents/kit.ts";
import type { z } from "zod";
import { ModelTarget, RunContext } from "../src/config/context.ts";
import { marketDataDir } from "../src/config/paths.ts";
import type { ScoreRow } from "../src/metrics/summary.ts";
import type { Usage } from "../src/models/usage.ts";
import { executeRun } from "../app/run.ts";
import { UsageError } from "./errors.ts";
import { table } from "../src/metrics/table.ts";
import { runProgress } from "./progress.ts";
import { calendarDate, DATA_OPTIONS, positiveInt, tickersFlag } from "./data-flags.ts";
import type { FlagSpecs, ValuesOf } from "./flags.ts";
import { costOf, estimateRun, type AgentEstimate, type CostEstimate, type Prices } from "../app/dry-run.ts";

export const RUN_DEFAULTS = { run: "sample", train: "2015-07-01:2015-09-30", test: "2015-10-01:2015-12-31" } as const;

/** `--dry-run`, with `--price-in` / `--price-out` (per 1M tokens). */
export const DRY_RUN_OPTIONS = {
  "dry-run": { type: "boolean", description: "send nothing: print the expected model calls and tokens per agent" },
  "price-in": { type: "string", arg: "PRICE", description: "with --dry-run: price per 1M input tokens" },
  "price-out": { type: "string", arg: "PRICE", description: "with --dry-run: price per 1M output tokens" },
} as const satisfies FlagSpecs;

export function parseWindow(v: string, name: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$/.exec(v);
  if (!m) throw new UsageError(`--${name} expects FROM:TO dates, e.g. 2015-07-01:2015-09-30 (got "${v}")`);
  const [from, to] = [m[1]!, m[2]!];
  for (const d of [from, to]) calendarDate(d, `--${name}`);
  if (from > to) throw new UsageError(`--${name} ${from}:${to} ends before it starts: give FROM:TO with FROM on or before TO`);
  return { from, to };
}

/** `--agent-model extractor=openai:gpt-4o-mini` (repeatable) -> per-agent overrides. */
export function agentModels(specs: readonly string[]): Record<string, string> {
  return perAgent(specs, "--agent-model", "AGENT=MODEL", ModelTarget, /^([a-z-]+)=(.+)$/);
}

/** `AGENT=VALUE` flags (repeatable) -> a map by agent; the agent is checked against `names`, the value by `re`. */
export function perAgent(specs: readonly string[], flag: string, shape: string, names: z.ZodEnum, re: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = re.exec(spec);
    const agent = m && names.safeParse(m[1]);
    if (!m || !agent?.success) throw new UsageError(`${flag} expects ${shape} with AGENT one of ${names.options.join(", ")} (got "${spec}")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** Model calls, cache hits and tokens per agent, and per ticker-day (mean and maximum). */
export function usageLines(u: Usage): string {
  if (u.calls === 0 && u.cacheHits === 0) return "model calls: 0 (offline analyst)";
  const rows = [...u.byAgent]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, t]) => [agent, t.calls, t.cacheHits, t.inputTokens, t.outputTokens]);
  const days = [...u.byTickerDay.values()].map((t) => t.calls);
  const per = days.length
    ? `; per ticker-day: mean ${(days.reduce((a, b) => a + b, 0) / days.length).toFixed(1)}, max ${Math.max(...days)} calls over ${days.length} ticker-days`
    : "";
  const est = u.estimatedTokens ? ` (${u.estimatedTokens} of them estimated: some answers carried no usage)` : "";
  return `model calls: ${u.calls} (+${u.cacheHits} from the cache, at most ${u.maxInFlight} in flight), tokens ${u.tokens}${est}${per}\n${table(["agent", "calls", "cache hits", "input tokens", "output tokens"], rows)}`;
}

export function pricesOf(values: { "price-in"?: string; "price-out"?: string }): Prices | undefined {
  const price = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(x)) throw new UsageError(`--${name} expects a price per 1M tokens, e.g. 0.15 (got "${v}")`);
    return x;
  };
  const input = price(values["price-in"], "price-in");
  const output = price(values["price-out"], "price-out");
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

/** The dry run's table: expected calls and tokens per agent, and the cost when prices are given. */
export function estimateLines(est: CostEstimate, prices?: Prices): string {
  if (est.total.calls === 0) return "dry run: no model calls (every agent runs on the offline analyst)";
  const money = (a: AgentEstimate) => (prices ? [costOf(a, prices).toFixed(2)] : []);
  const rows = [...est.byAgent].map(([agent, a]) => [agent, a.calls, a.inputTokens, a.outputTokens, ...money(a)]);
  rows.push(["total", est.total.calls, est.total.inputTokens, est.total.outputTokens, ...money(est.total)]);
  const per = est.tickerDays
    ? `; per ticker-day: ${(est.total.calls / est.tickerDays).toFixed(1)} calls, ${Math.round((est.total.inputTokens + est.total.outputTokens) / est.tickerDays)} tokens over ${est.tickerDays} ticker-days`
    : "";
  return [
    `dry run: nothing was sent. Expected model calls and tokens${per}`,
    table(["agent", "calls", "input tokens", "output tokens", ...(prices ? [`cost (at ${prices.input}/${prices.output} per 1M in/out)`] : [])], rows),
    "Prompt tokens are counted from the prompts this run would send (4 characters a token); the calls that depend on answers and the output tokens follow the offline analyst's answers, so a model that finds more events or writes longer answers costs more. Cache hits are not subtracted.",
  ].join("\n");
}

export function scoreLines(scores: readonly ScoreRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}`;
  return table(
    ["ticker", "predicted", "scored", "ACC %", "MCC", "always-up ACC %"],
    scores.map((s) => [s.ticker, s.predicted, s.scored, pct(s.acc), s.mcc.toFixed(3), pct(s.alwaysUpAcc)]),
  );
}

/** The model flags of every command that runs agents. */
export const MODEL_OPTIONS = {
  model: {
    type: "string",
    arg: "M",
    description: "model of every agent: offline (default, the offline analyst, not an LLM), openai:<model>, ollama:<model>",
  },
  "agent-model": { type: "string", multiple: true, arg: "AGENT=M", description: "one agent's model, e.g. predictor=openai:gpt-4o" },
  embeddings: {
    type: "string",
    arg: "E",
    description: "embedding model: offline:hash (default), openai:<model>, ollama:<model> (ollama:bge-m3 is the paper's)",
  },
} as const satisfies FlagSpecs;

export const RUN_OPTIONS = {
  ...DATA_OPTIONS,
  run: { type: "string", arg: "NAME", description: `run name: its memory, checkpoint and files (default ${RUN_DEFAULTS.run})` },
  train: { type: "string", arg: "FROM:TO", description: `training window (default ${RUN_DEFAULTS.train})` },
  test: { type: "string", arg: "FROM:TO", description: `test window (default ${RUN_DEFAULTS.test})` },
  ...MODEL_OPTIONS,
  fresh: { type: "boolean", description: "start the run over (forget its checkpoint and memory) instead of resuming" },
  "same-ticker": { type: "boolean", description: "references from the same company only (an ablation)" },
  layered: { type: "boolean", description: "SEP-Memory's layered memory on" },
  "no-cache": { type: "boolean", description: "do not read or write the response cache" },
  concurrency: { type: "string", arg: "N", description: "model calls in flight at most (default 8)" },
  "model-timeout": { type: "string", arg: "SECONDS", description: "timeout of one model call attempt (default 60)" },
  "budget-calls": { type: "string", arg: "N", description: "stop before sending more than N model calls" },
  "budget-tokens": { type: "string", arg: "N", description: "stop before spending more than N tokens" },
  "allow-gaps": { type: "boolean", description: "score predictions whose label spans missing price rows" },
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

export async function runCommand(values: ValuesOf<typeof RUN_OPTIONS>, defaults: Partial<typeof RUN_DEFAULTS> = {}): Promise<void> {
  const ctx = RunContext.parse({
    run: values.run ?? defaults.run ?? RUN_DEFAULTS.run,
    model: values.model,
    models: agentModels(values["agent-model"] ?? []),
    embeddings: values.embeddings,
    referenceScope: values["same-ticker"] ? "same-ticker" : undefined,
    cache: values["no-cache"] ? false : undefined,
    layered: values.layered,
    budgetCalls: positiveInt(values["budget-calls"], "budget-calls"),
    budgetTokens: positiveInt(values["budget-tokens"], "budget-tokens"),
    maxConcurrency: positiveInt(values.concurrency, "concurrency"),
    modelTimeoutSeconds: positiveInt(values["model-timeout"], "model-timeout"),
    maxItemsPerDay: positiveInt(values["max-items-per-day"], "max-items-per-day"),
    maxTextChars: positiveInt(values["max-text-chars"], "max-text-chars"),
    allowGaps: values["allow-gaps"],
  });
  const train = parseWindow(values.train ?? defaults.train ?? RUN_DEFAULTS.train, "train");
  const test = parseWindow(values.test ?? defaults.test ?? RUN_DEFAULTS.test, "test");
  if (train.from > train.to || test.from > test.to || train.to >= test.from) {
    throw new UsageError(`windows must be ordered: --train ${train.from}:${train.to} must end before --test ${test.from}:${test.to} starts`);
  }
  const tickers = tickersFlag(values.tickers);
  const overrides = Object.entries(ctx.models)
    .map(([a, m]) => `${a}=${m}`)
    .join(", ");
  console.log(
    `stockmem run "${ctx.run}": train ${train.from}..${train.to}, test ${test.from}..${test.to}, model ${ctx.model}${ctx.model === "offline" ? " (the offline analyst: a classical baseline, not an LLM)" : ""}${overrides ? `; overrides ${overrides}` : ""}`,
  );
  if (ctx.layered && modelIdFor(ctx, "predictor") === "offline")
    console.log("SEP-Memory GRPO sampling: the offline analyst is deterministic, so each training day's group has G = 1 candidate.");
  if (values["dry-run"]) {
    const est = await estimateRun({ ctx, dataDir: marketDataDir(values.data), tickers, train, test, skipInvalid: values["skip-invalid"] });
    console.log(estimateLines(est, pricesOf(values)));
    return;
  }
  const t0 = Date.now();
  const progress = runProgress();
  const res = await executeRun({
    ctx,
    dataDir: marketDataDir(values.data),
    tickers,
    train,
    test,
    fresh: values.fresh,
    skipInvalid: values["skip-invalid"],
    onProgress: progress.update,
    onNote: (n) => progress.note(n),
  });
  progress.end();
  if (res.alreadyDone) console.log(`run "${ctx.run}" had finished already: nothing to do (--fresh starts it over)`);
  console.log(`\n${scoreLines(res.scores)}`);
  console.log(`\npredictions: ${res.predictionsFile}\ntrace: ${res.traceFile} (stockmem trace ${ctx.run})`);
  console.log(`${usageLines(res.usage)}\n${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

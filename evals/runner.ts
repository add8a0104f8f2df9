/**
 * `stockmem eval run`: one experiment = a fresh StockMem run over the dataset's windows, scored on
 * its examples with LangSmith's evaluate() (fully local unless LANGSMITH_API_KEY is set, then the
 * experiment is uploaded too). Results land in evals/results/<experiment>.json.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { evaluate } from "langsmith/evaluation";
import type { Example, Run } from "langsmith/schemas";
import { modelIds, promptVersions } from "../agents/registry.ts";
import { type CostEstimate, estimateRun } from "../app/dry-run.ts";
import { executeRun } from "../app/run.ts";
import { RunContext, variantTags } from "../src/config/context.ts";
import { dayContext } from "../src/data/day-context.ts";
import type { MarketData } from "../src/data/load.ts";
import { AGENT_INITIALS, type AgentName } from "../src/domain/agents.ts";
import { parseRecordId } from "../src/memory/records.ts";
import { scrub } from "../src/observability/secrets.ts";
import { stableUuid } from "../src/observability/uuid.ts";
import { evalRunName } from "../src/runtime/gc.ts";
import { readMarket } from "../src/runtime/market.ts";
import type { Resources } from "../src/runtime/resources.ts";
import { type PredictionRecord, readPredictions } from "../src/runtime/run-files.ts";
import { type Dataset, dataFingerprint, datasetDataDir, evalsDir, loadDataset, uploadDataset } from "./dataset.ts";
import { correctEvaluator, summaryEvaluator } from "./evaluators.ts";
import { logisticPredictions } from "./logistic.ts";
import {
  type CitationViolation,
  citationViolations,
  type Dir,
  type Outcome,
  type Report,
  report,
  scoreOutcomes,
} from "./metrics.ts";

export interface ExampleResult {
  id: string;
  ticker: string;
  date: string;
  label: Dir;
  predicted: Dir | null;
  correct: boolean | null;
  reason: string | null;
  references: string[];
  as_of: string | null;
}

export interface ExperimentResult {
  experiment: string;
  dataset: string;
  created_at: string;
  run: string;
  models: Record<string, string>;
  prompt_versions: Record<string, string>;
  context: Record<string, unknown>;
  report: Report;
  citation_violations: CitationViolation[];
  examples: ExampleResult[];
  /** every prediction of the test window, flat days included, for the backtest */
  test_predictions: { ticker: string; date: string; movement: Dir; next_return: number | null }[];
  langsmith: { uploaded: boolean; experiment: string };
}

/**
 * `<dataset>__<models>__<prompt versions>[__<variant>]__<time>`,
 * e.g. q4__offline__x1.0.0-m1.0.0-...-p1.1.0__no-refs__20261121-164500.
 */
export function experimentName(
  dataset: string,
  models: Record<string, string>,
  prompts: Record<string, string>,
  at = new Date(),
  variant: readonly string[] = [],
): string {
  const m = [...new Set(Object.values(models))].map((x) => x.replace(/[^a-zA-Z0-9.-]+/g, "-")).join("+");
  const p = Object.entries(prompts)
    .map(([a, v]) => `${AGENT_INITIALS[a as AgentName] ?? a}${v}`)
    .join("-");
  const t = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return [dataset, m, p, ...(variant.length ? [variant.join("+")] : []), t].join("__");
}

/** When a cited reflection became readable: the close of the trading day after its date. */
export function referenceAvailability(data: MarketData): (ref: string) => string | null {
  return (ref) => {
    // reflections, error cases and GRPO patterns use the label of D: readable from close(D+1);
    // daily notes and explanations from close(D)
    const id = parseRecordId(ref);
    if (!id || id.kind === "event") return null;
    const usesLabel = id.kind === "reflection" || id.layerKind === "error" || id.layerKind === "pattern";
    const s = data.series.get(id.ticker);
    const i = s?.calendar.indexOf(id.date);
    if (!s || i === undefined) return null;
    return (usesLabel ? s.days[i + 1]?.close_at : s.days[i]?.close_at) ?? null;
  };
}

/**
 * langsmith 0.12 warns "Can not call 'on_end' if currentRunTree is undefined" from its traceable
 * wrapper whenever an evaluation runs without tracing (there is no run tree by design). Local runs
 * drop exactly that message; every other warning passes through.
 */
async function quietLocalTracing<T>(upload: boolean, fn: () => Promise<T>): Promise<T> {
  if (upload) return fn();
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (args[0] === "Can not call 'on_end' if currentRunTree is undefined") return;
    warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

export function resultsDir(env?: NodeJS.ProcessEnv): string {
  return join(evalsDir(env), "results");
}

export interface ExperimentOptions {
  dataset: string;
  /** run context overrides: model, models, prompts, referenceScope, ... */
  context?: Partial<RunContext>;
  dataDir?: string;
  quiet?: boolean;
  env?: NodeJS.ProcessEnv;
  seed?: number;
}

/** The trained classical baseline on the run's own events (read from its memory, point in time). */
async function logisticBaseline(r: Resources, ds: Dataset): Promise<Map<string, Dir>> {
  const { predictions } = await logisticPredictions({
    data: r.data,
    tickers: ds.tickers,
    train: ds.train,
    w: r.ctx.w,
    examples: ds.examples.map((e) => e.inputs),
    eventsOf: async (ticker, dates) => {
      const asOf = dayContext(r.data, ticker, dates.at(-1)!).asOf;
      const events = await r.store.getEvents({ asOf, ticker, from: dates[0], to: dates.at(-1) });
      const by = new Map<string, { group: string; type: string }[]>();
      for (const e of events) by.set(e.date, [...(by.get(e.date) ?? []), e]);
      return by;
    },
  });
  return predictions;
}

function withLogistic(rep: Report, outcomes: readonly Outcome[], preds: Map<string, Dir>): Report {
  return {
    ...rep,
    baselines: {
      ...rep.baselines,
      logistic: scoreOutcomes(outcomes, (o) => preds.get(`${o.ticker} ${o.date}`) ?? "up"),
    },
  };
}

/** The run an experiment makes: its dataset's data (checked against the fingerprint), windows and context. */
async function experimentRun(o: ExperimentOptions, stamp: Date) {
  const ds: Dataset = loadDataset(o.dataset, o.env ?? process.env);
  const dataDir = resolve(o.dataDir ?? datasetDataDir(ds));
  const fp = await dataFingerprint(dataDir);
  if (fp !== ds.data_fingerprint)
    throw new Error(
      `dataset ${ds.name} was built from other data (fingerprint ${ds.data_fingerprint}, ${dataDir} has ${fp}): rebuild it`,
    );
  const ctx = RunContext.parse({ ...o.context, run: evalRunName(stamp), labelThreshold: ds.label_threshold });
  return { ds, dataDir, ctx };
}

/** `eval run --dry-run`: the experiment's expected model calls and tokens, nothing sent. */
export async function estimateExperiment(o: ExperimentOptions): Promise<CostEstimate> {
  const { ds, dataDir, ctx } = await experimentRun(o, new Date());
  return estimateRun({ ctx, dataDir, tickers: ds.tickers, train: ds.train, test: ds.test });
}

export async function runExperiment(o: ExperimentOptions): Promise<{ result: ExperimentResult; file: string }> {
  const env = o.env ?? process.env;
  const stamp = new Date();
  const { ds, dataDir, ctx } = await experimentRun(o, stamp);
  const run = ctx.run;
  const models = modelIds(ctx);
  const prompts = promptVersions(ctx);
  const experiment = experimentName(ds.name, models, prompts, stamp, variantTags(ctx));

  let logistic = new Map<string, Dir>();
  const res = await executeRun({
    ctx,
    dataDir,
    tickers: ds.tickers,
    train: ds.train,
    test: ds.test,
    fresh: true,
    quiet: o.quiet,
    afterRun: async (r) => {
      logistic = await logisticBaseline(r, ds);
    },
  });
  const preds = new Map(readPredictions(res.predictionsFile).map((p) => [`${p.ticker} ${p.date}`, p]));
  const lookup = (ticker: string, date: string): PredictionRecord | undefined => preds.get(`${ticker} ${date}`);

  // LangSmith evaluate(): the target reads the run's prediction of each example.
  const upload = Boolean(env.LANGSMITH_API_KEY);
  if (upload) await uploadDataset(ds);
  const examples: Example[] = ds.examples.map((e) => ({
    id: e.id,
    dataset_id: stableUuid("dataset", ds.name),
    created_at: ds.created_at,
    inputs: e.inputs,
    outputs: e.outputs,
    metadata: e.metadata,
    runs: [],
  })) as unknown as Example[];
  const ls = await quietLocalTracing(upload, () =>
    evaluate(
      async (inputs: { ticker: string; date: string }) => {
        const p = lookup(inputs.ticker, inputs.date);
        return {
          movement: p?.movement ?? null,
          reason: p?.reason ?? null,
          references: p?.references ?? [],
          as_of: p?.as_of ?? null,
        };
      },
      {
        data: upload ? ds.name : examples,
        uploadRuns: upload,
        experimentPrefix: experiment,
        metadata: { models, prompt_versions: prompts, run },
        evaluators: [correctEvaluator],
        summaryEvaluators: [summaryEvaluator(ds.train_labels, o.seed)],
      },
    ),
  );
  const rows = new Map<string, { run: Run; correct: number | null }>();
  for (const row of ls.results) {
    const correct = row.evaluationResults.results.find((x) => x.key === "correct")?.score;
    rows.set(String(row.example.id), { run: row.run, correct: typeof correct === "number" ? correct : null });
  }

  const data = await readMarket({ dataDir, tickers: ds.tickers });
  const outcomes: Outcome[] = ds.examples.map((e) => ({
    ticker: e.inputs.ticker,
    date: e.inputs.date,
    label: e.outputs.movement,
    predicted: lookup(e.inputs.ticker, e.inputs.date)?.movement ?? null,
    prevReturn: e.metadata.prev_return,
  }));
  const scored = ds.examples
    .map((e) => lookup(e.inputs.ticker, e.inputs.date))
    .filter((p): p is PredictionRecord => p !== undefined);
  const result: ExperimentResult = {
    experiment,
    dataset: ds.name,
    created_at: stamp.toISOString(),
    run,
    models,
    prompt_versions: prompts,
    context: {
      model: ctx.model,
      models: ctx.models,
      prompts: ctx.prompts,
      w: ctx.w,
      a: ctx.a,
      K: ctx.K,
      Dmax: ctx.Dmax,
      referenceScope: ctx.referenceScope,
      referenceMode: ctx.referenceMode,
      useDelta: ctx.useDelta,
      useReferences: ctx.useReferences,
      layered: ctx.layered,
      selfReflection: ctx.selfReflection,
      embeddings: ctx.embeddings,
      excludeOverlapping: ctx.excludeOverlapping,
    },
    report: withLogistic(report(outcomes, ds.train_labels, { seed: o.seed }), outcomes, logistic),
    citation_violations: citationViolations(scored, referenceAvailability(data)),
    examples: ds.examples.map((e) => {
      const p = lookup(e.inputs.ticker, e.inputs.date);
      const row = rows.get(e.id);
      return {
        id: e.id,
        ticker: e.inputs.ticker,
        date: e.inputs.date,
        label: e.outputs.movement,
        predicted: p?.movement ?? null,
        correct: row?.correct === null || row?.correct === undefined ? null : row.correct === 1,
        reason: p?.reason ?? null,
        references: p?.references ?? [],
        as_of: p?.as_of ?? null,
      };
    }),
    test_predictions: [...preds.values()]
      .filter((p) => ds.tickers.includes(p.ticker) && p.date >= ds.test.from && p.date <= ds.test.to)
      .sort((a, b) => a.date.localeCompare(b.date) || a.ticker.localeCompare(b.ticker))
      .map((p) => ({ ticker: p.ticker, date: p.date, movement: p.movement, next_return: p.next_return })),
    langsmith: { uploaded: upload, experiment: ls.experimentName },
  };
  mkdirSync(resultsDir(env), { recursive: true });
  const file = join(resultsDir(env), `${experiment}.json`);
  writeFileSync(file, `${scrub(JSON.stringify(result, null, 1))}\n`);
  return { result, file };
}

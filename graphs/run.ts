/**
 * `run`: the StockMem train/test run over trading days, in time order. For each day d:
 *   1. online update: for each ticker, reflect on the previous trading day p (its label, the move
 *      p -> d, became known at close(d)); flat days get no reflection;
 *   2. ingest day d of each ticker (extract -> merge -> track -> store);
 *   3. in the test window, predict day d of each ticker (retrieve -> judge -> predict).
 * Train and test differ only in step 3. Finished phases are recorded in the run's progress file, so
 * a killed run re-run under the same name resumes where it stopped and writes nothing twice.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, START, StateGraph, type Runtime } from "@langchain/langgraph";
import { z } from "zod";
import { stateDir } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";
import { seriesOf } from "../src/data/day-context.ts";
import { IsoDate } from "../src/domain/schemas.ts";
import { scoreTable } from "../src/metrics/summary.ts";
import { GraphContext, resourcesFor } from "../src/pipeline/resources.ts";
import { RunFiles, type PredictionRecord } from "../src/pipeline/run-files.ts";
import { graph as ingestGraph } from "./ingest.ts";
import { graph as predictGraph } from "./predict.ts";
import { graph as reflectGraph } from "./reflect.ts";
import { settle, upkeep, writeDaily, writeExplanation } from "../src/pipeline/layered.ts";
import { groupStep, grpoFileOf } from "../src/pipeline/grpo.ts";

const Window = z.object({ from: IsoDate, to: IsoDate });

export const RunState = z.object({
  tickers: z.array(z.string()).optional().describe("tickers to run (default: all of the data)"),
  train: Window.describe("training window: ingest + reflect"),
  test: Window.describe("test window: ingest + predict + online reflection"),
  dates: z.array(IsoDate).optional(),
  cursor: z.number().int().default(0),
  predicted: z.number().int().default(0),
  scores: z.array(z.any()).optional().describe("ACC/MCC per ticker and overall"),
});
type S = z.infer<typeof RunState>;
type Ctx = Runtime<GraphContext>;

const files = new Map<string, RunFiles>();
export function runFilesFor(run: string): RunFiles {
  let f = files.get(run);
  if (!f) files.set(run, (f = new RunFiles(stateDir(), run)));
  return f;
}
export function forgetRunFiles(run: string): void {
  files.delete(run);
}

async function plan(state: S, runtime: Ctx) {
  const r = await resourcesFor(runtime.context);
  if (state.train.from > state.train.to || state.test.from > state.test.to || state.train.to >= state.test.from) {
    throw new Error(`windows must be ordered: train ${state.train.from}..${state.train.to}, then test ${state.test.from}..${state.test.to}`);
  }
  const tickers = state.tickers?.length ? state.tickers : [...r.data.tickers];
  for (const t of tickers) seriesOf(r.data, t); // unknown tickers fail here, by name
  const dates = [...new Set(tickers.flatMap((t) => seriesOf(r.data, t).calendar.dates))]
    .filter((d) => d >= state.train.from && d <= state.test.to)
    .sort();
  return { tickers, dates, cursor: 0 };
}

async function step(state: S, runtime: Ctx, config?: LangGraphRunnableConfig) {
  const r = await resourcesFor(runtime.context);
  const f = runFilesFor(r.ctx.run);
  const d = state.dates![state.cursor]!;
  const inTest = d >= state.test.from;
  // Subgraph runs share this run's context and callbacks, so traces nest. (The compiled subgraphs'
  // context type wants every optional key spelled out; it is the same object, hence the cast.)
  const child = { context: runtime.context as never, callbacks: config?.callbacks, metadata: { run: r.ctx.run, date: d } };
  let predicted = 0;
  for (const ticker of state.tickers!) {
    const s = seriesOf(r.data, ticker);
    const i = s.calendar.indexOf(d);
    if (i === undefined) continue;
    const prev = s.calendar.dates[i - 1];
    const closeD = new Date(s.calendar.closes[i]!).toISOString();
    if (prev && prev >= state.train.from && !f.isDone(ticker, prev, "reflect")) {
      const out = await reflectGraph.invoke({ ticker, date: prev, knownAt: closeD }, { ...child, tags: ["reflect"] });
      // SEP-Memory: the outcome of yesterday's prediction is known now: reward what it cited
      const pred = f.prediction(ticker, prev);
      if (r.ctx.layered && pred) await settle(r, pred, closeD, out.reflection ?? null);
      f.markDone(ticker, prev, "reflect");
    }
    // SEP-Memory training: G candidates for yesterday's training day, rewarded now that its outcome is known
    if (r.ctx.layered && prev && prev >= state.train.from && prev <= state.train.to && !f.isDone(ticker, prev, "grpo")) {
      await groupStep(r, ticker, prev, closeD, grpoFileOf(f.dir), config);
      f.markDone(ticker, prev, "grpo");
    }
    if (!f.isDone(ticker, d, "ingest")) {
      await ingestGraph.invoke({ ticker, date: d }, { ...child, tags: ["ingest"] });
      if (r.ctx.layered) await writeDaily(r, ticker, d);
      f.markDone(ticker, d, "ingest");
    }
    if (inTest && !f.isDone(ticker, d, "predict")) {
      const out = await predictGraph.invoke({ ticker, date: d }, { ...child, tags: ["predict"] });
      const day = s.days[i]!;
      // The label is attached for scoring only, after the prediction was made without it.
      const record: PredictionRecord = { ...out.prediction!, label: day.label, next_return: day.next_return };
      f.addPrediction(record);
      if (r.ctx.layered) await writeExplanation(r, out.prediction!);
      f.markDone(ticker, d, "predict");
      predicted++;
    }
  }
  // SEP-Memory upkeep, once per trading day (recorded, so a resumed run never decays a day twice)
  if (r.ctx.layered && !f.isDone("*", d, "upkeep")) {
    const rep = await upkeep(r, d, new Date(closeInstantMs(d)).toISOString());
    config?.writer?.({ kind: "upkeep", ...rep });
    f.markDone("*", d, "upkeep");
  }
  config?.writer?.({ kind: "progress", phase: inTest ? "test" : "train", date: d, done: state.cursor + 1, total: state.dates!.length });
  return { cursor: state.cursor + 1, predicted: state.predicted + predicted };
}

const more = (state: S) => (state.cursor < (state.dates?.length ?? 0) ? "step" : "summarize");

async function summarize(state: S, runtime: Ctx) {
  const r = await resourcesFor(runtime.context);
  const preds = runFilesFor(r.ctx.run).predictions().filter((p) => state.tickers!.includes(p.ticker) && p.date >= state.test.from && p.date <= state.test.to);
  return { scores: scoreTable(preds) };
}

export function buildRunGraph() {
  return new StateGraph(RunState, GraphContext)
    .addNode("plan", plan)
    .addNode("step", step)
    .addNode("summarize", summarize)
    .addEdge(START, "plan")
    .addConditionalEdges("plan", more, ["step", "summarize"])
    .addConditionalEdges("step", more, ["step", "summarize"])
    .addEdge("summarize", END);
}

/** One superstep per trading day: allow long runs (two years are ~500 days). */
export const graph = buildRunGraph().compile().withConfig({ recursionLimit: 100_000 });
graph.name = "run";

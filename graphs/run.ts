/**
 * `run`: the StockMem train/test run, one trading day after another. Each phase of a day is a node,
 * fanned out over the tickers with `Send`, and the day loop is an edge:
 *
 *   plan -> [reflect x tickers | ingest x tickers] -> reflected -> ingested
 *        -> [predict x tickers] (test window) -> commit -> (next day: reflect | ingest ...) -> summarize
 *
 *   reflect   the online update: each ticker's previous trading day p, whose label (the move p -> d)
 *             became known at close(d); SEP-Memory's group sampling of p in the training window
 *   ingest    extract -> merge -> track of each ticker's day d, side by side with the reflections: neither
 *             reads what the other finds (reflect reads the days up to p, the tracker only events), and both
 *             are written by the join nodes that follow, in the order the phases always had. On the LLM
 *             path, extract and merge of the next days run ahead of the loop (graphs/steps/ahead.ts)
 *   reflected writes the day's reflections (one batch) and settles yesterday's predictions (SEP
 *             rewards), in ticker order
 *   ingested  writes the day's events of every ticker (one batch) and SEP's daily notes
 *   predict   retrieve -> judge -> predict of each ticker's day d
 *   commit    appends the day's predictions (and groups) to the run's files, writes the explanations,
 *             runs the SEP upkeep, and records the memory's fingerprint and last durable day
 *
 * So a day waits for [reflect | track] -> judge -> predict, three model calls in turn.
 * Every ticker of a phase runs side by side on the same memory: nothing a ticker writes in a phase is
 * readable by another ticker before the next phase, so results never depend on ticker order. With a
 * checkpointer every step is checkpointed; memory writes are write-behind, so a killed run resumes
 * right after its last durable day (app/run.ts).
 */
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, Overwrite, Send, START, StateGraph } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import { grpoFile, predictionsFile } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";
import { seriesOf } from "../src/data/day-context.ts";
import type { StoredEvent } from "../src/domain/events.ts";
import { IsoDate, Ticker } from "../src/domain/scalars.ts";
import { Reflection } from "../src/domain/schemas.ts";
import type { Fingerprint } from "../src/memory/port.ts";
import { ScoreRow, scoreTable } from "../src/metrics/summary.ts";
import { channelsOf, need } from "../src/runtime/graph-state.ts";
import { appendCommitted, describeCut } from "../src/runtime/ledger.ts";
import { GraphContext, type Resources, resourcesOf, withResources } from "../src/runtime/resources.ts";
import { type PredictionRecord, readPredictions } from "../src/runtime/run-files.ts";
import { runSettings } from "../src/runtime/settings.ts";
import { ingestSteps } from "./ingest.ts";
import { predictSteps } from "./predict.ts";
import { reflectSteps } from "./reflect.ts";
import { newsAheadOf, runsAhead } from "./steps/ahead.ts";
import { type GroupRecord, groupStep } from "./steps/grpo.ts";
import { settle, upkeep, writeDaily, writeExplanation } from "./steps/layered.ts";

const Window = z.object({ from: IsoDate, to: IsoDate });

/** What a user sets to start a run. */
const RunInput = z.object({
  tickers: z
    .array(Ticker)
    .optional()
    .describe("tickers to run (default: all of the data); their order does not matter"),
  train: Window.describe("(required) training window: ingest + reflect"),
  test: Window.describe("(required) test window: ingest + predict + online reflection"),
});

const concat = <T>() => ({ reducer: { fn: (a: T[], b: T[]) => a.concat(b) }, default: () => [] as T[] });
const Reflected = z.object({
  ticker: z.string(),
  date: IsoDate,
  knownAt: z.string(),
  reflection: Reflection.nullable(),
  group: z.any().nullable(),
});
type Reflected = z.infer<typeof Reflected>;
const CollectionPrint = z.object({ count: z.number(), hash: z.string() });

const RunState = RunInput.extend({
  settings: z.string().optional().describe("hash of what identifies the run (context, data, tickers, windows)"),
  dates: z.array(IsoDate).default([]).describe("the run's trading days, in order"),
  cursor: z.number().int().default(0).describe("index of the trading day in progress"),
  tickerDays: z.number().int().default(0).describe("ticker-days of the whole run"),
  done: z.number().int().default(0).describe("ticker-days committed"),
  predicted: z.number().int().default(0).describe("predictions committed"),
  /** this day's reflections and groups, from the reflect fan-out */
  dayReflections: z.array(Reflected).register(registry, concat<Reflected>()),
  /** this day's tracked events, from the ingest fan-out (written in one batch by `ingested`) */
  dayEvents: z.array(z.custom<StoredEvent>()).register(registry, concat<StoredEvent>()),
  /** this day's predictions, from the predict fan-out */
  dayPredictions: z.array(z.custom<PredictionRecord>()).register(registry, concat<PredictionRecord>()),
  /** predictions whose outcome is not settled yet (SEP rewards) */
  pending: z.array(z.custom<PredictionRecord>()).default([]),
  /** committed byte lengths of the run's append-only files */
  ledger: z.object({ predictions: z.number().int(), grpo: z.number().int() }).default({ predictions: 0, grpo: 0 }),
  /** the last trading day whose memory writes are known durable (a resume restarts after it) */
  durableThrough: IsoDate.optional(),
  /** the memory this checkpoint relies on: its fingerprint at the close of the last committed day */
  memory: z
    .object({
      at: z.string(),
      print: z.object({ events: CollectionPrint, reflections: CollectionPrint, layers: CollectionPrint }),
    })
    .optional(),
  notes: z.array(z.string()).default([]).describe("what the run reported (cut files, skips)"),
  committedAt: z
    .record(z.string(), z.string())
    .default({})
    .describe("when each trading day was committed: an item first seen later counts from the next open day"),
  scores: z
    .array(ScoreRow)
    .nullable()
    .optional()
    .describe("ACC/MCC per ticker and overall (null while a grown run runs)"),
});
type S = z.infer<typeof RunState>;
type Config = LangGraphRunnableConfig<GraphContext>;

// A ticker-day's phase runs inside one of the run's tasks, its graph's steps as plain calls traced as that graph
// (src/observability/steps.ts); the run's checkpoints cover them (a task is redone whole). They return what they
// found; the phase's join node writes the whole day in one batch per collection.

/** The tickers trading on `d`, with their index in their own calendar. */
function trading(r: Resources, tickers: readonly string[], d: string) {
  return tickers.flatMap((ticker) => {
    const s = seriesOf(r.data, ticker);
    const i = s.calendar.indexOf(d);
    return i === undefined ? [] : [{ ticker, s, i }];
  });
}

function progress(config: Config, state: S, phase: string, r: Resources, extra: Record<string, unknown> = {}) {
  const date = (extra.date as string | undefined) ?? state.dates[state.cursor] ?? null;
  config.writer?.({
    kind: "progress",
    phase,
    window: date && date >= state.test.from ? "test" : "train",
    date,
    day: state.cursor + 1,
    days: state.dates.length,
    done: state.done,
    total: state.tickerDays,
    calls: r.usage.calls,
    cacheHits: r.usage.cacheHits,
    ...extra,
  });
}

async function plan(state: S, config: Config) {
  const r = await resourcesOf(config);
  if (state.train.from > state.train.to || state.test.from > state.test.to || state.train.to >= state.test.from) {
    throw new Error(
      `windows must be ordered: train ${state.train.from}..${state.train.to}, then test ${state.test.from}..${state.test.to}`,
    );
  }
  // sorted and unique: the order a user lists tickers in cannot change anything
  const tickers = [...new Set(state.tickers?.length ? state.tickers : r.data.tickers)].sort();
  for (const t of tickers) seriesOf(r.data, t); // unknown tickers fail here, by name
  const all = [...new Set(tickers.flatMap((t) => seriesOf(r.data, t).calendar.dates))].sort();
  const dates = all.filter((d) => d >= state.train.from && d <= state.test.to);
  // a window without a trading day is a mistake to say, not an empty score table
  if (!dates.some((d) => d >= state.test.from)) {
    throw new Error(
      `the test window ${state.test.from}..${state.test.to} has no trading day of ${tickers.join(", ")} (the data covers ${all[0] ?? "nothing"}..${all.at(-1) ?? "nothing"})`,
    );
  }
  const tickerDays = dates.reduce((n, d) => n + trading(r, tickers, d).length, 0);
  const settings = runSettings({
    ctx: r.ctx,
    dataDir: config.context?.dataDir,
    tickers: state.tickers,
    train: state.train,
    test: state.test,
  });
  const before = state.dates ?? [];
  if (before.length > 0) {
    // a run grown forward (`daily`, `run --test FROM:`): its days so far stay as they were committed,
    // the new ones follow; everything the run recorded carries on
    if (dates.length < before.length || before.some((d, i) => dates[i] !== d))
      throw new Error(
        `run "${r.ctx.run}" cannot grow to ${state.test.to}: its trading days so far (${before[0]}..${before.at(-1)}) are not the start of the new window's (the data changed under the run?)`,
      );
    return { tickers, dates, tickerDays, settings, scores: null };
  }
  return {
    tickers,
    dates,
    cursor: 0,
    tickerDays,
    settings,
    done: 0,
    predicted: 0,
    pending: [],
    ledger: { predictions: 0, grpo: 0 },
    notes: [],
  };
}

/**
 * A day's first phase: every ticker's reflection on its previous trading day (within the run) and every ticker's
 * ingest of the day, side by side; or the summary after the last day.
 */
async function toDay(state: S, config: Config) {
  if (state.cursor >= state.dates.length) return "summarize";
  const r = await resourcesOf(config);
  const d = state.dates[state.cursor]!;
  const tickers = trading(r, need(state.tickers, "tickers (set by plan)"), d);
  progress(config, state, "reflect", r);
  const reflects = tickers.flatMap(({ ticker, s, i }) => {
    const prev = s.calendar.dates[i - 1];
    if (!prev || prev < state.train.from) return [];
    return [
      new Send("reflect", {
        ticker,
        date: prev,
        knownAt: new Date(s.calendar.closes[i]!).toISOString(),
        group: r.ctx.layered && prev <= state.train.to,
      }),
    ];
  });
  progress(config, state, "ingest", r);
  // the run's next trading days, whose news each ticker's ingest starts ahead (LLM path, graphs/steps/ahead.ts)
  const next = runsAhead(r) ? state.dates.slice(state.cursor + 1, state.cursor + 1 + r.ctx.newsAhead) : [];
  const ingests = tickers.map(
    ({ ticker }) => new Send("ingest", { ticker, date: d, ...(next.length ? { next, at: state.cursor } : {}) }),
  );
  return [...reflects, ...ingests]; // never empty: a day is in the run because a ticker trades on it
}

interface ReflectTask {
  ticker: string;
  date: string;
  knownAt: string;
  group: boolean;
}

/**
 * A ticker-day phase as its own trace: the run's callback handlers (the local trace, LangSmith's tracer
 * when LANGSMITH_TRACING is on) without the run's parent run, so each ticker-day phase is a root of its
 * own, tagged and with its metadata, instead of one trace of thousands of runs per CLI run.
 */
function ownTrace(
  r: Resources,
  config: Config,
  phase: "reflect" | "ingest" | "predict",
  task: { ticker: string; date: string },
) {
  const cb = config.callbacks;
  return {
    callbacks: cb instanceof CallbackManager ? cb.handlers : cb,
    tags: ["stockmem", phase, task.ticker],
    metadata: { run: r.ctx.run, phase, ticker: task.ticker, date: task.date },
  };
}

async function reflect(task: ReflectTask, config: Config) {
  const r = await resourcesOf(config);
  const child = withResources(r, ownTrace(r, config, "reflect", task));
  const out = await reflectSteps({ ticker: task.ticker, date: task.date, knownAt: task.knownAt }, child);
  // SEP-Memory training: G candidates for the training day, rewarded now that its outcome is known
  const group: GroupRecord | null = task.group ? await groupStep(r, task.ticker, task.date, task.knownAt, child) : null;
  return {
    dayReflections: [
      { ticker: task.ticker, date: task.date, knownAt: task.knownAt, reflection: out.reflection ?? null, group },
    ],
  };
}

/**
 * Writes the day's reflections (one batch) and settles the predictions whose outcome became known (SEP rewards), in
 * ticker order.
 */
async function reflected(state: S, config: Config) {
  const r = await resourcesOf(config);
  const done = [...state.dayReflections].sort(
    (a, b) => a.ticker.localeCompare(b.ticker) || a.date.localeCompare(b.date),
  );
  const reflections = done.map((x) => x.reflection).filter((x): x is NonNullable<typeof x> => x !== null);
  if (reflections.length) await r.store.putReflections(reflections, { defer: true }); // durable by the next commit
  let pending = state.pending;
  if (r.ctx.layered) {
    for (const x of done) {
      const p = pending.find((q) => q.ticker === x.ticker && q.date === x.date);
      if (p) await settle(r, p, x.knownAt, x.reflection);
    }
    pending = pending.filter((q) => !done.some((x) => x.ticker === q.ticker && x.date === q.date));
  }
  // written: the rest of the day needs only the groups (commit appends them), and every checkpoint
  // until then copies this channel, so the reflections' bodies (their window series) leave the state
  const slim = done.map((x) => ({ ...x, reflection: null }));
  return { dayReflections: new Overwrite(slim), pending };
}

interface IngestTask {
  ticker: string;
  date: string;
  /** the run's next trading days (their news goes ahead), and today's index among the run's days */
  next?: string[];
  at?: number;
}

async function ingest(task: IngestTask, config: Config) {
  const r = await resourcesOf(config);
  const { ticker, date } = task;
  const ahead = newsAheadOf(r);
  if (ahead) {
    const calendar = seriesOf(r.data, ticker).calendar;
    (task.next ?? []).forEach((day, k) => {
      if (calendar.indexOf(day) === undefined) return; // the ticker does not trade that day
      ahead.start(ticker, day, (task.at ?? 0) + 1 + k, async (early) => {
        const out = await ingestSteps(
          "news",
          { ticker, date: day },
          withResources(early, ownTrace(r, config, "ingest", { ticker, date: day })),
        );
        return { asOf: need(out.asOf, "asOf (set by load)"), merged: out.merged ?? [] };
      });
    });
  }
  const child = withResources(r, ownTrace(r, config, "ingest", task));
  const news = ahead?.take(ticker, date);
  const out = news
    ? await ingestSteps("track", { ticker, date, ...(await news) }, child)
    : await ingestSteps("all", { ticker, date }, child);
  return { dayEvents: (out.events ?? []) as StoredEvent[] };
}

/**
 * Writes the day's events of every ticker in one batch (a redone day's old events deleted first), then SEP's daily
 * notes.
 */
async function ingested(state: S, config: Config) {
  const r = await resourcesOf(config);
  const d = state.dates[state.cursor]!;
  const events = [...state.dayEvents].sort((a, b) => a.ticker.localeCompare(b.ticker) || a.id.localeCompare(b.id));
  const tickers = trading(r, need(state.tickers, "tickers (set by plan)"), d).map((x) => x.ticker);
  for (const t of tickers) await r.store.deleteEvents(t, d); // no request unless the day is being redone
  if (events.length) await r.store.putEvents(events, { defer: true }); // readable at once, durable by the next commit
  if (r.ctx.layered) for (const t of tickers) await writeDaily(r, t, d);
  return { dayEvents: new Overwrite([] as StoredEvent[]) };
}

async function toPredict(state: S, config: Config) {
  const d = state.dates[state.cursor]!;
  if (d < state.test.from) return "commit";
  const r = await resourcesOf(config);
  progress(config, state, "predict", r);
  const sends = trading(r, need(state.tickers, "tickers (set by plan)"), d).map(
    ({ ticker }) => new Send("predict", { ticker, date: d }),
  );
  return sends.length ? sends : "commit";
}

async function predict(task: { ticker: string; date: string }, config: Config) {
  const r = await resourcesOf(config);
  const out = await predictSteps(task, withResources(r, ownTrace(r, config, "predict", task)));
  const s = seriesOf(r.data, task.ticker);
  const day = s.days[s.calendar.indexOf(task.date)!]!;
  // The label is attached for scoring only, after the prediction was made without it.
  return {
    dayPredictions: [
      {
        ...out.prediction!,
        label: day.label,
        next_return: day.next_return,
        ...(day.spans_gap ? { spans_gap: true } : {}),
      },
    ],
  };
}

/**
 * Memory writes are write-behind: a day's events and reflections are readable at once and reach
 * Chroma while the next day runs. Each commit awaits the previous day's writes, so a checkpoint knows
 * which day is durable; a resume restarts after that day (see app/run.ts).
 */
const seals = new WeakMap<object, Promise<void>>();

/** The end of a trading day: files, SEP writes and upkeep, the memory's fingerprint, durability, the next day. */
async function commit(state: S, config: Config) {
  const r = await resourcesOf(config);
  const d = state.dates[state.cursor]!;
  const lastDay = state.cursor === state.dates.length - 1;
  await seals.get(r.store); // the previous day's writes: durable from here on
  // the days the run reads events of from here on: the tracker's candidates [t-w, t-1] and their chains of up to
  // Dmax stages, each within w days of the next; older events leave the process once durable (reads reaching them
  // still answer, from Chroma)
  const from = state.dates[state.cursor - r.ctx.w * (r.ctx.Dmax + 1)];
  if (from) r.store.retain(from);
  const close = new Date(closeInstantMs(d)).toISOString();
  const byTicker = (a: { ticker: string; date: string }, b: { ticker: string; date: string }) =>
    a.ticker.localeCompare(b.ticker) || a.date.localeCompare(b.date);
  const preds = [...state.dayPredictions].sort(byTicker);
  const groups = state.dayReflections
    .map((x) => x.group as GroupRecord | null)
    .filter((g): g is GroupRecord => g !== null)
    .sort(byTicker);
  const notes: string[] = [];
  const p = appendCommitted(predictionsFile(r.ctx.run), state.ledger.predictions, preds);
  const g = appendCommitted(grpoFile(r.ctx.run), state.ledger.grpo, groups);
  for (const cut of [p.cut, g.cut]) if (cut) notes.push(describeCut(cut));
  if (r.ctx.layered) {
    for (const x of preds) await writeExplanation(r, x);
    const rep = await upkeep(r, d, close);
    config.writer?.({ kind: "upkeep", ...rep });
  }
  // every write of the day, the layered memory's included (written behind), durable by the next commit
  const seal = r.store.seal();
  seal.catch(() => {}); // awaited by the next commit (or below); a run that fails before then must not die of an unhandled rejection
  seals.set(r.store, seal);
  if (lastDay) await seal;
  const print: Fingerprint = await r.store.fingerprint(close);
  const done = state.done + trading(r, need(state.tickers, "tickers (set by plan)"), d).length;
  const next = { ...state, cursor: state.cursor + 1, done };
  progress(config, next, "commit", r, { date: d, day: state.cursor + 1 }); // the day committed, not the next one
  return {
    cursor: state.cursor + 1,
    done,
    predicted: state.predicted + preds.length,
    dayPredictions: new Overwrite([] as PredictionRecord[]),
    dayReflections: new Overwrite([] as Reflected[]),
    pending: r.ctx.layered
      ? [...state.pending, ...preds].filter((x) => x.date >= (state.dates[state.cursor - 5] ?? ""))
      : [],
    ledger: { predictions: p.length, grpo: g.length },
    memory: { at: close, print },
    durableThrough: lastDay ? d : state.dates[state.cursor - 1],
    committedAt: { ...state.committedAt, [d]: new Date().toISOString() },
    notes: [...state.notes, ...notes],
  };
}

async function summarize(state: S, config: Config) {
  const r = await resourcesOf(config);
  const preds = readPredictions(predictionsFile(r.ctx.run))
    .filter(
      (p) =>
        need(state.tickers, "tickers (set by plan)").includes(p.ticker) &&
        p.date >= state.test.from &&
        p.date <= state.test.to,
    )
    .map((p) => withOutcome(r, p));
  return { scores: scoreTable(preds, { allowGaps: r.ctx.allowGaps }) };
}

/**
 * A prediction with its outcome as the data knows it now: a run grown day by day predicted its last
 * day before that day's label was known (the record keeps what was known then), and scores it later.
 */
function withOutcome(r: Resources, p: PredictionRecord): PredictionRecord {
  const s = seriesOf(r.data, p.ticker);
  const i = s.calendar.indexOf(p.date);
  const day = i === undefined ? undefined : s.days[i];
  if (!day || p.label !== null || day.label === null) return p;
  return { ...p, label: day.label, next_return: day.next_return, ...(day.spans_gap ? { spans_gap: true } : {}) };
}

export function buildRunGraph() {
  return new StateGraph({ state: channelsOf(RunState), input: RunInput, context: GraphContext })
    .addNode("plan", plan)
    .addNode("reflect", reflect)
    .addNode("reflected", reflected)
    .addNode("ingest", ingest)
    .addNode("ingested", ingested)
    .addNode("predict", predict)
    .addNode("commit", commit)
    .addNode("summarize", summarize)
    .addEdge(START, "plan")
    .addConditionalEdges("plan", toDay, ["reflect", "ingest", "summarize"])
    .addEdge("reflect", "reflected")
    .addEdge("ingest", "reflected")
    .addEdge("reflected", "ingested")
    .addConditionalEdges("ingested", toPredict, ["predict", "commit"])
    .addEdge("predict", "commit")
    .addConditionalEdges("commit", toDay, ["reflect", "ingest", "summarize"])
    .addEdge("summarize", END);
}

/** Five supersteps per trading day: allow long runs (two years are ~500 days). */
export const RECURSION_LIMIT = 100_000;
/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildRunGraph().compile({ name: "run" }).withConfig({ recursionLimit: RECURSION_LIMIT });
graph.name = "run";

/**
 * `predict`: one ticker-day's prediction (paper 3.3-3.4).
 *   series (the window's events from memory at asOf) -> retrieve (Jaccard SeqSim over the reflection
 *   memory at asOf) -> judge (keep the comparable references) -> predict ({reason, movement, cited}).
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { critic } from "../agents/critic/index.ts";
import { runAgent } from "../agents/kit.ts";
import { predictor } from "../agents/predictor/index.ts";
import { modelIds, promptVersions } from "../agents/registry.ts";
import { retrieverJudge } from "../agents/retriever-judge/index.ts";
import { reviser } from "../agents/reviser/index.ts";
import type { PredictorInput } from "../prompts/predictor.ts";
import { SeriesDay } from "../src/domain/events.ts";
import { IsoDate, Ticker } from "../src/domain/scalars.ts";
import { Prediction } from "../src/domain/schemas.ts";
import { Reference } from "../src/domain/series.ts";
import { graphSteps } from "../src/observability/steps.ts";
import { leanState, need } from "../src/runtime/graph-state.ts";
import { agentRuntime, GraphContext, resourcesOf } from "../src/runtime/resources.ts";
import { recentReferences, retrieveOptions, retrieveReferences, summaryReferences } from "../tools/retrieval.ts";
import { recallMemories } from "./steps/layered.ts";
import { seriesFor } from "./steps/series.ts";

const PredictState = z.object({
  ticker: Ticker.describe("(required) ticker, e.g. AAPL"),
  date: IsoDate.describe("(required) trading date YYYY-MM-DD: predicts the move from its close to the next close"),
  asOf: z.string().optional(),
  series: z.array(SeriesDay).optional(),
  candidates: z.array(Reference).optional(),
  kept: z.array(Reference).optional(),
  judged: z.array(z.object({ id: z.string(), why: z.string() })).optional(),
  memories: z
    .array(z.object({ id: z.string(), layer: z.string(), date: z.string(), text: z.string(), score: z.number() }))
    .optional()
    .describe("layered memory records recalled for today (layered on)"),
  prediction: Prediction.optional(),
  critique: z
    .object({
      text: z.string(),
      verdict: z.enum(["keep", "reconsider"]),
      missed: z.array(z.string()),
      overweighted: z.array(z.string()),
      lessons: z.array(z.object({ id: z.string(), layer: z.string(), date: z.string(), text: z.string() })),
    })
    .optional()
    .describe("self-reflection: the critique of v1"),
});
/** What a user gives the predict graph: a ticker-day. */
const PredictInput = PredictState.pick({ ticker: true, date: true }).describe(
  "One ticker-day's prediction: event series -> Jaccard references -> judge -> predict {reason, movement}.",
);
type S = z.infer<typeof PredictState>;
type Config = LangGraphRunnableConfig<GraphContext>;

async function series(state: S, config: Config) {
  const r = await resourcesOf(config, { stored: true });
  return seriesFor(r, state.ticker, state.date, config);
}

async function retrieve(state: S, config: Config) {
  const r = await resourcesOf(config);
  const today =
    state.series
      ?.at(-1)
      ?.events.map((e) => e.description)
      .join("\n") ?? "";
  const memories = r.ctx.layered
    ? await recallMemories(
        r,
        state.date,
        need(state.asOf, "asOf (set by load_series)"),
        `${state.ticker} ${today}`,
        r.ctx.memoryK,
      )
    : [];
  if (!r.ctx.useReferences) return { candidates: [], memories };
  const o = retrieveOptions(r.ctx, {
    ticker: state.ticker,
    date: state.date,
    asOf: need(state.asOf, "asOf (set by load_series)"),
    series: state.series ?? [],
  });
  const candidates =
    r.ctx.referenceMode === "recent"
      ? await recentReferences(r.store, o)
      : r.ctx.memoryMode !== "events"
        ? await summaryReferences(r.store, o) // no event types: by text similarity
        : await retrieveReferences(r.store, o);
  return { candidates, memories };
}

async function judge(state: S, config: Config) {
  const r = await resourcesOf(config);
  const candidates = state.candidates ?? [];
  if (candidates.length === 0) return { kept: [], judged: [] };
  const out = await runAgent(
    retrieverJudge,
    { ticker: state.ticker, date: state.date, series: state.series ?? [], candidates },
    agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf }),
  );
  const keep = new Set(out.kept.map((k) => k.id));
  return { kept: candidates.filter((c) => keep.has(c.id)), judged: out.kept };
}

/**
 * What the predictor reads, from a predict run's state: the series, today's events, the kept references and memories.
 */
export function predictorInput(state: Pick<S, "ticker" | "date" | "series" | "kept" | "memories">): PredictorInput {
  const s = state.series ?? [];
  return {
    ticker: state.ticker,
    date: state.date,
    series: s,
    today: s.at(-1) ?? { date: state.date, events: [] },
    references: state.kept ?? [],
    memories: state.memories ?? [],
  };
}

async function predict(state: S, config: Config) {
  const r = await resourcesOf(config);
  const out = await runAgent(
    predictor,
    predictorInput(state),
    agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf }),
  );
  const prediction: Prediction = {
    ticker: state.ticker,
    date: state.date,
    as_of: need(state.asOf, "asOf (set by load_series)"),
    movement: out.movement,
    reason: out.reason,
    references: out.cited,
    models: modelIds(r.ctx),
    prompt_versions: promptVersions(r.ctx),
  };
  return { prediction };
}

/** Self-reflection, step 1: recall lessons (reflection and long-term layers) and critique v1. */
async function critiqueNode(state: S, config: Config) {
  const r = await resourcesOf(config);
  const p = need(state.prediction, "prediction (set by predict)");
  const today = state.series?.at(-1) ?? { date: state.date, events: [] };
  const hits = await r.store.searchLayerRecords({
    text: `${p.reason}\n${today.events.map((e) => e.description).join("\n")}`,
    asOf: need(state.asOf, "asOf (set by load_series)"),
    k: r.ctx.memoryK,
    layers: ["reflection", "long"],
  });
  const lessons = hits.map(({ record: x }) => ({ id: x.id, layer: x.layer, date: x.date, text: x.text }));
  const out = await runAgent(
    critic,
    { ticker: state.ticker, date: state.date, today, v1: { movement: p.movement, reason: p.reason }, lessons },
    agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf }),
  );
  return {
    critique: {
      text: out.critique,
      verdict: out.verdict,
      missed: out.missed,
      overweighted: out.overweighted,
      lessons: lessons.filter((l) => out.lessons_used.includes(l.id)),
    },
  };
}

/** Self-reflection, step 2: the predictor's v2, given v1 and the critique; both versions are kept. */
async function revise(state: S, config: Config) {
  const r = await resourcesOf(config);
  const v1 = need(state.prediction, "prediction (set by predict)");
  const c = need(state.critique, "critique (set by critic)");
  const base = predictorInput(state);
  const memories = [...base.memories!, ...c.lessons.filter((l) => !base.memories!.some((m) => m.id === l.id))];
  const out = await runAgent(
    reviser,
    {
      ...base,
      memories,
      v1: { movement: v1.movement, reason: v1.reason },
      critique: { text: c.text, verdict: c.verdict, missed: c.missed, overweighted: c.overweighted },
    },
    agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf }),
  );
  const prediction: Prediction = {
    ...v1,
    movement: out.movement,
    reason: out.reason,
    references: out.cited,
    prompt_versions: promptVersions(r.ctx),
    self_reflection: { v1: { movement: v1.movement, reason: v1.reason }, critique: c.text, verdict: c.verdict },
  };
  return { prediction };
}

const afterPredict = async (_: S, config: LangGraphRunnableConfig) =>
  GraphContext.parse((config as { context?: unknown }).context ?? {}).selfReflection ? "critic" : END;

/**
 * The predict graph's steps as plain calls in a run's task, traced as the graph (src/observability/steps.ts): what
 * the run and SEP's group sampling do for a ticker-day. Returns the graph's final state.
 */
export function predictSteps(input: { ticker: string; date: string }, config: LangGraphRunnableConfig): Promise<S> {
  return graphSteps(config as Config, "predict", input, async (step) => {
    let s: S = { ...input };
    const chain: [string, (state: S, config: Config) => Promise<Partial<S>>][] = [
      ["load_series", series],
      ["retrieve", retrieve],
      ["judge", judge],
      ["predict", predict],
    ];
    for (const [name, fn] of chain) s = { ...s, ...(await step(name, s, fn)) };
    if ((await afterPredict(s, config)) === END) return s;
    s = { ...s, ...(await step("critic", s, critiqueNode)) };
    return { ...s, ...(await step("revise", s, revise)) };
  });
}

export function buildPredictGraph() {
  return new StateGraph({ ...leanState(PredictState, PredictInput), context: GraphContext })
    .addNode("load_series", series)
    .addNode("retrieve", retrieve)
    .addNode("judge", judge)
    .addNode("predict", predict)
    .addNode("critic", critiqueNode)
    .addNode("revise", revise)
    .addEdge(START, "load_series")
    .addEdge("load_series", "retrieve")
    .addEdge("retrieve", "judge")
    .addEdge("judge", "predict")
    .addConditionalEdges("predict", afterPredict, ["critic", END])
    .addEdge("critic", "revise")
    .addEdge("revise", END);
}

/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildPredictGraph().compile();
graph.name = "predict";

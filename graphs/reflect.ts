/**
 * `reflect`: the reflection of one ticker-day (paper 3.2), once the next close is known. The run
 * calls it as its online update; in Studio it reflects any labelled day (knownAt = close(t+1)).
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { seriesOf } from "../src/data/day-context.ts";
import { IsoDate, Ticker } from "../src/domain/scalars.ts";
import { Reflection } from "../src/domain/schemas.ts";
import { graphSteps } from "../src/observability/steps.ts";
import { leanState } from "../src/runtime/graph-state.ts";
import { GraphContext, resourcesOf } from "../src/runtime/resources.ts";
import { reflectDay } from "./steps/reflect.ts";

const ReflectState = z.object({
  ticker: Ticker.describe("(required) ticker, e.g. AAPL"),
  date: IsoDate.describe("(required) the trading day to reflect on (its label is the move to the next close)"),
  knownAt: z
    .string()
    .optional()
    .describe("the instant this runs at (default: the next close, the first moment the label exists)"),
  reflection: Reflection.nullable().optional().describe("null for a flat day or the last day"),
});
/** What a user gives the reflect graph: a labelled ticker-day (and, optionally, when it runs). */
const ReflectInput = ReflectState.pick({ ticker: true, date: true, knownAt: true }).describe(
  "The reflection of a labelled ticker-day: why the stock moved, and the key events.",
);
type S = z.infer<typeof ReflectState>;
type Config = LangGraphRunnableConfig<GraphContext>;

const reflect = (store: boolean) => async (state: S, config: Config) => {
  const r = await resourcesOf(config);
  const s = seriesOf(r.data, state.ticker);
  const i = s.calendar.indexOf(state.date);
  const knownAt = state.knownAt
    ? Date.parse(state.knownAt)
    : i !== undefined
      ? (s.calendar.closes[i + 1] ?? Date.now())
      : Date.now();
  return { reflection: await reflectDay(r, state.ticker, state.date, knownAt, config, { store }) };
};

/**
 * The reflect graph's step as a plain call in a run's task, traced as the graph (src/observability/steps.ts); the
 * reflection is only returned (the run writes a day's reflections in one batch).
 */
export function reflectSteps(
  input: { ticker: string; date: string; knownAt: string },
  config: LangGraphRunnableConfig,
): Promise<S> {
  return graphSteps(config as Config, "reflect", input, async (step) => ({
    ...input,
    ...(await step("reflect", input, reflect(false))),
  }));
}

/**
 * The reflect graph. With `store: false` the reflection is only returned: the run writes a day's reflections in one
 * batch.
 */
export function buildReflectGraph(o: { store?: boolean } = {}) {
  return new StateGraph({ ...leanState(ReflectState, ReflectInput), context: GraphContext })
    .addNode("reflect", reflect(o.store !== false))
    .addEdge(START, "reflect")
    .addEdge("reflect", END);
}

/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildReflectGraph().compile();
graph.name = "reflect";

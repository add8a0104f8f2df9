/**
 * `day`: what one ticker-day can see at its asOf (the DayContext), as a one-node graph.
 * Handy in LangGraph Studio to check point-in-time alignment before running the agents.
 */
import { END, type Runtime, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { dayContext } from "../src/data/day-context.ts";
import { IsoDate, Ticker } from "../src/domain/scalars.ts";
import { leanState } from "../src/runtime/graph-state.ts";
import { readMarket } from "../src/runtime/market.ts";

const DayState = z.object({
  ticker: Ticker.describe("(required) ticker, e.g. AAPL"),
  date: IsoDate.describe("(required) trading date YYYY-MM-DD"),
  asOf: z.string().optional().describe("close(t): nothing after it is visible"),
  itemCount: z.number().optional(),
  items: z.array(z.object({ id: z.string(), published_at: z.string(), text: z.string() })).optional(),
  previousLabel: z.string().nullable().optional().describe("the last label known at asOf (the move t-2 -> t-1)"),
});

/** What a user gives the day graph: a ticker-day. */
const DayInput = DayState.pick({ ticker: true, date: true }).describe(
  "What one ticker-day can see at its asOf (the DayContext): its news items and the last known label.",
);

const DayGraphContext = z.object({
  dataDir: z.string().optional().describe("market data dir (default: the bundled sample)"),
});

async function loadDay(state: z.infer<typeof DayState>, runtime: Runtime<z.infer<typeof DayGraphContext>>) {
  const data = await readMarket({ dataDir: runtime.context?.dataDir, caller: "studio", tickers: [state.ticker] });
  const ctx = dayContext(data, state.ticker, state.date);
  return {
    asOf: ctx.asOf,
    itemCount: ctx.items.length,
    items: ctx.items.map((i) => ({ id: i.id, published_at: i.published_at, text: i.text })),
    previousLabel: ctx.knownLabels.at(-1)?.label ?? null,
  };
}

function buildDayGraph() {
  return new StateGraph({ ...leanState(DayState, DayInput), context: DayGraphContext })
    .addNode("load_day", loadDay)
    .addEdge(START, "load_day")
    .addEdge("load_day", END);
}

/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildDayGraph().compile();
graph.name = "day";

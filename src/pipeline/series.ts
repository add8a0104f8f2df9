/** The event series of a ticker-day's window, read from memory at that day's asOf. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { runAgent } from "../../agents/kit.ts";
import { summarizer } from "../../agents/summarizer/index.ts";
import { dayContext } from "../data/day-context.ts";
import type { SeriesDay } from "../domain/series.ts";
import { agentRuntime, type Resources } from "./resources.ts";

/**
 * The w trading days ending at `date` (oldest first), each with its stored events; asOf = close(date).
 * In the summary ablation each day is instead one summary of that day's news (from its DayContext,
 * so still nothing after asOf), computed once per ticker-day.
 */
export async function seriesFor(r: Resources, ticker: string, date: string, config?: LangGraphRunnableConfig): Promise<{ series: SeriesDay[]; asOf: string }> {
  const day = dayContext(r.data, ticker, date);
  const dates = [...day.previousDates.slice(-(r.ctx.w - 1)), date];
  if (r.ctx.memoryMode === "summary") {
    r.summaries ??= new Map();
    const series: SeriesDay[] = [];
    for (const d of dates) {
      const key = `${ticker} ${d}`;
      let summary = r.summaries.get(key);
      if (summary === undefined) {
        const items = dayContext(r.data, ticker, d).items.map((i) => ({ id: i.id, published_at: i.published_at, text: i.text }));
        summary = (await runAgent(summarizer, { ticker, date: d, items }, agentRuntime(r, config, { ticker, date: d }))).summary;
        r.summaries.set(key, summary);
      }
      series.push({ date: d, events: [{ id: `sum:${ticker}:${d}`, group: "Summary", type: "Daily news summary", description: summary, delta: null }] });
    }
    return { series, asOf: day.asOf };
  }
  const events = await r.store.getEvents({ asOf: day.asOf, ticker, from: dates[0], to: date });
  const series = dates.map((d) => ({
    date: d,
    events: events.filter((e) => e.date === d).map((e) => ({ id: e.id, group: e.group, type: e.type, description: e.description, delta: e.delta })),
  }));
  return { series, asOf: day.asOf };
}

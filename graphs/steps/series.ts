/** The event series of a ticker-day's window, read from memory at that day's asOf. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { runAgent } from "../../agents/kit.ts";
import { summarizer } from "../../agents/summarizer/index.ts";
import { dayContext } from "../../src/data/day-context.ts";
import type { SeriesDay, SeriesEvent } from "../../src/domain/events.ts";
import { leaderClusters } from "../../src/memory/cluster.ts";
import { cleanText } from "../../src/models/offline/text.ts";
import { agentRuntime, type Resources } from "../../src/runtime/resources.ts";

/**
 * The w trading days ending at `date` (oldest first), each with its stored events; asOf = close(date).
 * In the summary and cluster-opinion ablations each day is instead derived from that day's news
 * (see `newsOpinions`).
 */
export async function seriesFor(
  r: Resources,
  ticker: string,
  date: string,
  config?: LangGraphRunnableConfig,
): Promise<{ series: SeriesDay[]; asOf: string }> {
  const day = dayContext(r.data, ticker, date);
  const dates = [...day.previousDates.slice(-(r.ctx.w - 1)), date];
  if (r.ctx.memoryMode !== "events") {
    const series: SeriesDay[] = [];
    for (const d of dates) series.push({ date: d, events: await newsOpinions(r, ticker, d, config) });
    return { series, asOf: day.asOf };
  }
  const events = await r.store.getEvents({ asOf: day.asOf, ticker, from: dates[0], to: date });
  const series = dates.map((d) => ({
    date: d,
    events: events
      .filter((e) => e.date === d)
      .map((e) => ({
        id: e.id,
        group: e.group,
        type: e.type,
        description: e.description,
        delta: e.delta,
        ...(e.details ? { details: e.details } : {}),
        reports: e.source_ids.length,
      })),
  }));
  return { series, asOf: day.asOf };
}

/** Clusters whose opinion a day keeps in the "cluster opinion" ablation (the largest first). */
const CLUSTER_OPINIONS = 5;

/**
 * A day of the ablations that keep no events, from its DayContext (nothing after its close), computed
 * once per ticker-day: "summary" is one summary of the day's news; "clusters" groups the day's items
 * by embedding (the coarse merge's leader clustering) and keeps a summary of each of the largest
 * clusters, its "opinion". Neither has event types, so their references are found by text similarity.
 */
async function newsOpinions(
  r: Resources,
  ticker: string,
  date: string,
  config?: LangGraphRunnableConfig,
): Promise<SeriesEvent[]> {
  r.summaries ??= new Map();
  const key = `${r.ctx.memoryMode} ${ticker} ${date}`;
  const known = r.summaries.get(key);
  if (known) return known;
  const items = dayContext(r.data, ticker, date).items.map((i) => ({
    id: i.id,
    published_at: i.published_at,
    text: i.text,
  }));
  const rt = agentRuntime(r, config, { ticker, date });
  let events: SeriesEvent[];
  if (r.ctx.memoryMode === "summary") {
    const { summary } = await runAgent(summarizer, { ticker, date, items }, rt);
    events = [
      { id: `sum:${ticker}:${date}`, group: "Summary", type: "Daily news summary", description: summary, delta: null },
    ];
  } else {
    const vectors = await r.embedder.embed(items.map((i) => cleanText(i.text)));
    const clusters = leaderClusters(vectors, r.ctx.mergeThreshold)
      .map((members, first) => ({ members, first }))
      .sort((a, b) => b.members.length - a.members.length || a.first - b.first)
      .slice(0, CLUSTER_OPINIONS);
    events = await Promise.all(
      clusters.map(async (c, k) => {
        const { summary } = await runAgent(summarizer, { ticker, date, items: c.members.map((m) => items[m]!) }, rt);
        return {
          id: `cl:${ticker}:${date}:${k}`,
          group: "Cluster",
          type: `News cluster (${c.members.length} items)`,
          description: summary,
          delta: null,
        };
      }),
    );
  }
  r.summaries.set(key, events);
  return events;
}

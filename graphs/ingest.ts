/**
 * `ingest`: one ticker-day into the event memory (paper 3.1).
 *   load (the DayContext's items, in batches) -> extract (Send fan-out, one task per batch)
 *   -> merge (coarse clustering per group, model for clusters of 2+) -> track (top-K candidates of
 *   [t-w, t-1], predecessor, chain, delta info) -> store (the day's events replace any earlier write).
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, Send, START, StateGraph } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import { extractor } from "../agents/extractor/index.ts";
import { runAgent } from "../agents/kit.ts";
import { merger } from "../agents/merger/index.ts";
import { ExtractorInput } from "../prompts/extractor.ts";
import { dayContext } from "../src/data/day-context.ts";
import { mergeDetails } from "../src/domain/details.ts";
import { MergedEvent, RawEvent, StoredEvent } from "../src/domain/events.ts";
import { IsoDate, Ticker } from "../src/domain/scalars.ts";
import { GROUPS, TYPES } from "../src/domain/taxonomy.ts";
import { leaderClusters } from "../src/memory/cluster.ts";
import { graphSteps } from "../src/observability/steps.ts";
import { leanState, need } from "../src/runtime/graph-state.ts";
import { agentRuntime, GraphContext, resourcesOf } from "../src/runtime/resources.ts";
import { trackDay } from "./steps/track.ts";

const IngestState = z.object({
  ticker: Ticker.describe("(required) ticker, e.g. AAPL"),
  date: IsoDate.describe("(required) trading date YYYY-MM-DD"),
  asOf: z.string().optional(),
  itemCount: z.number().optional(),
  batches: z.array(ExtractorInput).optional(),
  /** raw events of all extraction batches (the Send fan-out), concatenated */
  raw: z.array(RawEvent).register(registry, {
    reducer: { fn: (a: RawEvent[], b: RawEvent[]) => a.concat(b) },
    default: () => [] as RawEvent[],
  }),
  merged: z.array(MergedEvent).optional(),
  events: z.array(StoredEvent).optional().describe("the day's tracked events, as stored"),
});
/** What a user gives the ingest graph: a ticker-day. */
const IngestInput = IngestState.pick({ ticker: true, date: true }).describe(
  "One ticker-day into the event memory: extract (fan-out) -> merge -> track (delta info) -> store.",
);
type S = z.infer<typeof IngestState>;
type Config = LangGraphRunnableConfig<GraphContext>;

async function load(state: S, config: Config) {
  const r = await resourcesOf(config);
  const day = dayContext(r.data, state.ticker, state.date);
  const items = day.items.map((i) => ({
    id: i.id,
    published_at: i.published_at,
    text: i.title ? `${i.title}\n${i.text}` : i.text,
  }));
  const batches: ExtractorInput[] = [];
  // The summary and cluster-opinion ablations keep no events (their series come from the news itself): nothing to
  // extract.
  if (r.ctx.memoryMode !== "events") return { asOf: day.asOf, itemCount: items.length, batches };
  for (let k = 0; k < items.length; k += r.ctx.extractBatch)
    batches.push({
      ticker: state.ticker,
      date: state.date,
      items: items.slice(k, k + r.ctx.extractBatch),
      scope: r.ctx.extractScope,
    });
  return { asOf: day.asOf, itemCount: items.length, batches };
}

function fanOut(state: S) {
  const batches = state.batches ?? [];
  if (batches.length === 0) return "merge";
  return batches.map((batch, index) => new Send("extract", { ...state, batches: [batch], raw: [], batchIndex: index }));
}

async function extract(state: S & { batchIndex?: number }, config: Config) {
  const r = await resourcesOf(config);
  const batch = need(state.batches?.[0], "extract: its Send carries one batch");
  // The model sees each item under a short alias (n1, n2, ...): no third-party id reaches the prompt,
  // and its source_ids are mapped back (the item's own id still names it in errors).
  const shown = { ...batch, items: batch.items.map((n, k) => ({ ...n, id: `n${k + 1}`, source: n.id })) };
  const real = new Map(shown.items.map((n) => [n.id, n.source]));
  const out = await runAgent(
    extractor,
    shown,
    agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf }),
  );
  const b = String(state.batchIndex ?? 0).padStart(4, "0");
  return {
    raw: out.events.map((e, k) => ({
      ...e,
      source_ids: e.source_ids.map((s) => real.get(s)!),
      id: `${state.ticker}:${state.date}:raw:${b}-${String(k).padStart(3, "0")}`,
    })),
  };
}

async function merge(state: S, config: Config) {
  const r = await resourcesOf(config);
  const raw = [...state.raw].sort((a, b) => a.id.localeCompare(b.id));
  const rt = agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf });
  // Coarse clusters per group (pure); the model splits/merges the clusters of 2+ side by side. The
  // merged list keeps the group -> cluster order, whatever order the answers arrive in.
  const jobs: Promise<MergedEvent[]>[] = [];
  for (const group of GROUPS) {
    const members = raw.filter((e) => e.group === group.name);
    if (members.length === 0) continue;
    const vectors = await r.embedder.embed(members.map((e) => e.description));
    const allowedTypes = TYPES.filter((t) => t.groupId === group.id).map((t) => t.name);
    for (const cluster of leaderClusters(vectors, r.ctx.mergeThreshold)) {
      const events = cluster.map((i) => members[i]!);
      if (events.length === 1) {
        const e = events[0]!;
        jobs.push(
          Promise.resolve([
            {
              group: e.group,
              type: e.type,
              description: e.description,
              raw_event_ids: [e.id],
              source_ids: e.source_ids,
              details: mergeDetails([e]),
            },
          ]),
        );
        continue;
      }
      jobs.push(
        runAgent(
          merger,
          {
            ticker: state.ticker,
            date: state.date,
            group: group.name,
            allowedTypes,
            events: events.map((e) => ({ id: e.id, type: e.type, description: e.description })),
          },
          rt,
        ).then((out) =>
          out.events.map((m) => {
            const parts = events.filter((e) => m.merged_ids.includes(e.id));
            return {
              group: group.name,
              type: m.type,
              description: m.description,
              raw_event_ids: parts.map((p) => p.id),
              source_ids: [...new Set(parts.flatMap((p) => p.source_ids))],
              details: mergeDetails(parts),
            };
          }),
        ),
      );
    }
  }
  return { merged: (await Promise.all(jobs)).flat() };
}

async function track(state: S, config: Config) {
  const r = await resourcesOf(config);
  const rt = agentRuntime(r, config, { ticker: state.ticker, date: state.date, asOf: state.asOf });
  return { events: await trackDay(r, rt, { ticker: state.ticker, date: state.date }, state.merged ?? []) };
}

async function store(state: S, config: Config) {
  const r = await resourcesOf(config);
  await r.store.deleteEvents(state.ticker, state.date);
  await r.store.putEvents((state.events ?? []) as StoredEvent[]);
  return {};
}

/**
 * The ingest graph's steps as plain calls in a run's task, traced as the graph (src/observability/steps.ts), in the
 * parts the run uses (see `buildIngestGraph`): `news` (load -> extract -> merge), `track`, or `all` (load -> ... ->
 * track; the run writes the day's events in one batch). Returns the graph's final state.
 */
export function ingestSteps(
  part: "all" | "news" | "track",
  input: { ticker: string; date: string; asOf?: string; merged?: MergedEvent[] },
  config: LangGraphRunnableConfig,
): Promise<S> {
  return graphSteps(config as Config, "ingest", input, async (step) => {
    let s: S = { ...input, raw: [] };
    if (part !== "track") {
      s = { ...s, ...(await step("load", s, load)) };
      const sends = fanOut(s);
      if (sends !== "merge") {
        const found = await Promise.all(sends.map((x) => step(x.node, x.args as S, extract)));
        s = { ...s, raw: found.flatMap((x) => x.raw) };
      }
      s = { ...s, ...(await step("merge", s, merge)) };
      if (part === "news") return s;
    }
    return { ...s, ...(await step("track", s, track)) };
  });
}

/** What the run gives the part of ingest that follows the news-only steps: the day's merged events. */
const TrackInput = IngestState.pick({ ticker: true, date: true, asOf: true, merged: true });

/**
 * The ingest graph, whole (Studio: load -> extract -> merge -> track -> store) or in the parts the run uses:
 * - `news`: load -> extract -> merge, the steps that read nothing but the day's news (the run does them ahead of
 *   the day loop on the LLM path, graphs/steps/ahead.ts); its `asOf` and `merged` are the output;
 * - `all` with `store: false`: load -> ... -> track, its `events` being the output (the run writes every
 *   ticker's events of a day in one batch: one request per day, not per ticker);
 * - `track`: track alone, from the `merged` events of a `news` part.
 * Each part is named `ingest`, so the trace shows a ticker-day's steps under one graph whichever part ran them.
 */
export function buildIngestGraph(o: { part?: "all" | "news" | "track"; store?: boolean } = {}) {
  const part = o.part ?? "all";
  if (part === "track")
    return new StateGraph({ ...leanState(IngestState, TrackInput), context: GraphContext })
      .addNode("track", track)
      .addEdge(START, "track")
      .addEdge("track", END);
  const g = new StateGraph({ ...leanState(IngestState, IngestInput), context: GraphContext })
    .addNode("load", load)
    .addNode("extract", extract)
    .addNode("merge", merge)
    .addEdge(START, "load")
    .addConditionalEdges("load", fanOut, ["extract", "merge"])
    .addEdge("extract", "merge");
  if (part === "news") return g.addEdge("merge", END);
  const t = g.addNode("track", track).addEdge("merge", "track");
  return o.store === false
    ? t.addEdge("track", END)
    : t.addNode("store", store).addEdge("track", "store").addEdge("store", END);
}

/** @public The graph LangGraph Studio loads (langgraph.json). */
export const graph = buildIngestGraph().compile();
graph.name = "ingest";

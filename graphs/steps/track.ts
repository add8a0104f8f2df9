/**
 * Track (paper 3.1.3): each merged event of a ticker-day gets its predecessor among the top-K similar
 * events of [t-w, t-1], its chain and its incremental information. The run context's `trackerMode`
 * picks how the model is asked, one function each: "batch" (the default: up to `trackerBatch` events
 * per call, each with its own candidates), "single" (one call per event: predecessor and delta
 * together), "paper" (the paper's two steps per event: link, then delta against the chain). Offline,
 * all three give the same events. Each event's link and delta depend only on earlier days, so the
 * day's events are tracked side by side, then folded in their merge order (the result never depends
 * on answer timing).
 */
import { runAgent } from "../../agents/kit.ts";
import { tracker, trackerBatch, trackerDelta, trackerLink } from "../../agents/tracker/index.ts";
import { dayContext } from "../../src/data/day-context.ts";
import { mergeDetails } from "../../src/domain/details.ts";
import type { DeltaInfo, MergedEvent, StoredEvent } from "../../src/domain/events.ts";
import { findType } from "../../src/domain/taxonomy.ts";
import { eventId } from "../../src/memory/records.ts";
import type { AgentRuntime } from "../../src/runtime/agent-runtime.ts";
import type { Resources } from "../../src/runtime/resources.ts";

/** The chain of a stored event, oldest first, following predecessor links back up to `depth` stages. */
async function chainOf(
  r: Resources,
  start: StoredEvent,
  asOf: string,
  depth: number,
  cache: Map<string, Promise<StoredEvent | null>>,
): Promise<StoredEvent[]> {
  const chain = [start];
  let cur = start;
  while (chain.length < depth && cur.predecessor_id) {
    const id = cur.predecessor_id;
    let next = cache.get(id);
    if (!next) {
      next = r.store.getEvents({ asOf, ids: [id] }).then((x) => x[0] ?? null);
      cache.set(id, next);
    }
    const prev = await next;
    if (!prev) break;
    chain.unshift(prev);
    cur = prev;
  }
  return chain;
}

type Hit = { record: StoredEvent; similarity: number };
type Tracked = {
  m: MergedEvent;
  pred?: StoredEvent;
  delta: { delta: string; direction: DeltaInfo["direction"] } | null;
};

/** What every mode reads: the day, its events' candidates, and how a candidate is shown. */
interface TrackJob {
  r: Resources;
  rt: AgentRuntime;
  ticker: string;
  date: string;
  asOf: string;
  merged: readonly MergedEvent[];
  /** per merged event, its candidates (most similar first) */
  hits: readonly Hit[][];
  cache: Map<string, Promise<StoredEvent | null>>;
}

/** A candidate as the prompts show it. */
const plain = (h: Hit) => ({
  id: h.record.id,
  date: h.record.date,
  type: h.record.type,
  description: h.record.description,
  similarity: h.similarity,
  ...(h.record.details ? { details: h.record.details } : {}),
});
/** A candidate with its own earlier stages (its stored chain), as the single and batch prompts show it. */
const shown = async (job: TrackJob, h: Hit) => ({
  ...plain(h),
  chain: (await chainOf(job.r, h.record, job.asOf, job.r.ctx.Dmax, job.cache))
    .slice(0, -1)
    .map((c) => ({ date: c.date, description: c.description })),
});
const eventOf = (m: MergedEvent) => ({ group: m.group, type: m.type, description: m.description, details: m.details });

/**
 * "batch": up to trackerBatch events per call, each with its own candidates, the earlier events listed once per call.
 */
async function trackBatched(job: TrackJob): Promise<Tracked[]> {
  const { merged, hits } = job;
  const chunks: number[][] = [];
  for (let i = 0; i < merged.length; i += job.r.ctx.trackerBatch)
    chunks.push(merged.slice(i, i + job.r.ctx.trackerBatch).map((_, j) => i + j));
  const answered = await Promise.all(
    chunks.map(async (idx) => {
      const earlier = new Map<string, Awaited<ReturnType<typeof shown>>>();
      for (const i of idx)
        for (const h of hits[i] ?? []) if (!earlier.has(h.record.id)) earlier.set(h.record.id, await shown(job, h));
      const out = await runAgent(
        trackerBatch,
        {
          ticker: job.ticker,
          date: job.date,
          events: idx.map((i) => ({
            key: `e${i + 1}`,
            ...eventOf(merged[i]!),
            candidates: (hits[i] ?? []).map((h) => ({ id: h.record.id, similarity: h.similarity })),
          })),
          earlier: [...earlier.values()].map(({ similarity: _, ...c }) => c),
        },
        job.rt,
      );
      return idx.map((i): Tracked => {
        const a = out.events.find((e) => e.key === `e${i + 1}`)!;
        return {
          m: merged[i]!,
          pred: hits[i]?.find((h) => h.record.id === a.predecessor_id)?.record,
          delta: { delta: a.delta, direction: a.direction },
        };
      });
    }),
  );
  return answered.flat();
}

/**
 * "single": one call per event, the predecessor and the delta info together, each candidate shown with its own chain.
 */
function trackSingle(job: TrackJob): Promise<Tracked[]> {
  return Promise.all(
    job.merged.map(async (m, i): Promise<Tracked> => {
      const candidates = job.hits[i] ?? [];
      const out = await runAgent(
        tracker,
        {
          ticker: job.ticker,
          date: job.date,
          event: eventOf(m),
          candidates: await Promise.all(candidates.map((h) => shown(job, h))),
        },
        job.rt,
      );
      const pred = candidates.find((h) => h.record.id === out.predecessor_id)?.record;
      return { m, pred, delta: { delta: out.delta, direction: out.direction } };
    }),
  );
}

/**
 * "paper": per event, the link (when there are candidates), then the delta info against the predecessor's stored chain
 * (when delta is on).
 */
function trackTwoStep(job: TrackJob): Promise<Tracked[]> {
  return Promise.all(
    job.merged.map(async (m, i): Promise<Tracked> => {
      const candidates = job.hits[i] ?? [];
      const event = eventOf(m);
      const link = candidates.length
        ? await runAgent(
            trackerLink,
            { ticker: job.ticker, date: job.date, event, candidates: candidates.map(plain) },
            job.rt,
          )
        : { predecessor_id: null };
      const pred = candidates.find((h) => h.record.id === link.predecessor_id)?.record;
      // Reuse the predecessor's chain (its stored links), never recompute it.
      const chain = pred ? await chainOf(job.r, pred, job.asOf, job.r.ctx.Dmax, job.cache) : [];
      const delta = job.r.ctx.useDelta
        ? await runAgent(
            trackerDelta,
            {
              ticker: job.ticker,
              date: job.date,
              event,
              chain: chain.map((c) => ({ date: c.date, description: c.description })),
            },
            job.rt,
          )
        : null;
      return { m, pred, delta };
    }),
  );
}

/**
 * A ticker-day's merged events, tracked and folded into the day's stored events (in merge order; two
 * merged events with one id become one). Without delta info (the ablation) no candidates are searched,
 * so no event links and none gets delta info.
 */
export async function trackDay(
  r: Resources,
  rt: AgentRuntime,
  day: { ticker: string; date: string },
  merged: readonly MergedEvent[],
): Promise<StoredEvent[]> {
  const ctxDay = dayContext(r.data, day.ticker, day.date);
  const window = ctxDay.previousDates.slice(-r.ctx.w);
  const vectors = await r.embedder.embed(merged.map((m) => m.description));
  const hits =
    window.length && r.ctx.useDelta
      ? await r.store.searchEventsBatch({
          embeddings: vectors,
          k: r.ctx.trackerTopK,
          ticker: day.ticker,
          from: window[0],
          to: window.at(-1),
          asOf: ctxDay.asOf,
        })
      : merged.map(() => []);
  const job: TrackJob = { r, rt, ...day, asOf: ctxDay.asOf, merged, hits, cache: new Map() };
  const mode = r.ctx.useDelta ? r.ctx.trackerMode : "paper";
  const tracked = await (mode === "batch"
    ? trackBatched(job)
    : mode === "single"
      ? trackSingle(job)
      : trackTwoStep(job));
  return fold(day, tracked, r.ctx.Dmax, ctxDay.asOf);
}

/**
 * The tracked events as stored, in merge order: two merged events with one id (same group, type and text) become one.
 */
function fold(
  day: { ticker: string; date: string },
  tracked: readonly Tracked[],
  Dmax: number,
  asOf: string,
): StoredEvent[] {
  const events = new Map<string, StoredEvent>();
  for (const { m, pred, delta } of tracked) {
    const id = eventId({
      ticker: day.ticker,
      date: day.date,
      group: m.group,
      type: m.type,
      description: m.description,
    });
    const existing = events.get(id);
    if (existing) {
      existing.raw_event_ids.push(...m.raw_event_ids);
      existing.source_ids = [...new Set([...existing.source_ids, ...m.source_ids])];
      existing.details = mergeDetails([existing.details!, m.details]);
      continue;
    }
    if (!findType(m.group, m.type))
      throw new Error(`${day.ticker} ${day.date}: merged event type "${m.type}" is not in group "${m.group}"`);
    events.set(id, {
      id,
      ticker: day.ticker,
      date: day.date,
      group: m.group,
      type: m.type,
      description: m.description,
      raw_event_ids: [...m.raw_event_ids],
      source_ids: [...m.source_ids],
      predecessor_id: pred?.id ?? null,
      chain_root_id: pred ? pred.chain_root_id || pred.id : id,
      chain_depth: pred ? Math.min(pred.chain_depth + 1, Dmax) : 0,
      delta: delta && { text: delta.delta, direction: delta.direction },
      details: m.details,
      available_at: asOf,
    });
  }
  return [...events.values()];
}

/**
 * Reference retrieval for a prediction (paper 3.3): the current w-day event series against the
 * reflection memory, by SeqSim, among references available at asOf. Also exposed as a LangChain tool.
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { RunContext } from "../src/config/context.ts";
import { epochDay } from "../src/data/calendar.ts";
import type { SeriesDay } from "../src/domain/events.ts";
import type { Reflection } from "../src/domain/schemas.ts";
import type { Reference } from "../src/domain/series.ts";
import { findType } from "../src/domain/taxonomy.ts";
import type { MemoryPort } from "../src/memory/port.ts";
import { reflectionId, toEpochSeconds } from "../src/memory/records.ts";
import { type DaySeq, dayBits, SequenceIndex } from "./jaccard.ts";

/** The series as a w-day sequence of bit vectors, oldest first, padded with empty days at the front. */
export function seriesToSeq(series: readonly SeriesDay[], w: number): DaySeq {
  const days = series.slice(-w).map((d) => {
    const types = d.events.map((e) => findType(e.group, e.type)).filter((t) => t !== undefined);
    return dayBits(
      types.map((t) => t.id),
      types.map((t) => t.groupId),
    );
  });
  while (days.length < w) days.unshift(dayBits([], []));
  return { types: days.map((d) => d.types), groups: days.map((d) => d.groups) };
}

export interface RetrieveOptions {
  ticker: string;
  date: string;
  asOf: string;
  series: readonly SeriesDay[];
  w: number;
  k: number;
  a: number;
  scope: "all" | "same-ticker";
  /** leave out the same ticker's reflections of the query window's days (their windows overlap the query's) */
  excludeOverlapping?: boolean;
}

/** A ticker-day's retrieval as a run's context sets it: its window size, K, a, scope and overlap rule. */
export function retrieveOptions(
  ctx: Pick<RunContext, "w" | "K" | "a" | "referenceScope" | "excludeOverlapping">,
  day: Pick<RetrieveOptions, "ticker" | "date" | "asOf" | "series">,
): RetrieveOptions {
  return {
    ...day,
    w: ctx.w,
    k: ctx.K,
    a: ctx.a,
    scope: ctx.referenceScope,
    excludeOverlapping: ctx.excludeOverlapping,
  };
}

/**
 * The Jaccard index of a memory's reflections, per window size: it grows with the reflections written
 * since it last looked (never re-fetched, never re-decoded); the point in time is the query's.
 */
const indexes = new WeakMap<
  MemoryPort,
  Map<number, { index: SequenceIndex; byId: Map<string, Reflection>; cursor: number }>
>();

async function referenceIndex(store: MemoryPort, w: number) {
  let perW = indexes.get(store);
  if (!perW) {
    perW = new Map();
    indexes.set(store, perW);
  }
  let x = perW.get(w);
  if (!x) {
    x = { index: new SequenceIndex(w, 1024), byId: new Map(), cursor: 0 };
    perW.set(w, x);
  }
  const { reflections, cursor } = await store.reflectionsSince(x.cursor);
  for (const r of reflections) {
    if (r.type_bits.length !== w) continue; // written with another window size: not comparable
    x.index.add(
      { id: r.id, ticker: r.ticker, day: epochDay(r.date), availableAt: toEpochSeconds(r.available_at) },
      { types: r.type_bits, groups: r.group_bits },
    );
    x.byId.set(r.id, r);
  }
  x.cursor = Math.max(x.cursor, cursor);
  return x;
}

/** A reflection offered as a reference, with its similarity to the query (and its window, when stored). */
function referenceOf(r: Reflection, similarity: number): Reference {
  return {
    id: r.id,
    ticker: r.ticker,
    date: r.date,
    similarity,
    label: r.label,
    reason: r.reason,
    key_events: r.key_events,
    ...(r.series ? { series: r.series } : {}),
  };
}

/** Top-K references from the reflection memory at asOf, by SeqSim (only reflections readable at asOf). */
export async function retrieveReferences(store: MemoryPort, o: RetrieveOptions): Promise<Reference[]> {
  const { index, byId } = await referenceIndex(store, o.w);
  const hits = index.query(seriesToSeq(o.series, o.w), {
    k: o.k,
    a: o.a,
    asOfSeconds: toEpochSeconds(o.asOf),
    ticker: o.scope === "same-ticker" ? o.ticker : undefined,
    exclude: o.excludeOverlapping
      ? new Set([...o.series.map((d) => d.date), o.date].map((d) => reflectionId(o.ticker, d)))
      : undefined,
  });
  return hits.map((h) => referenceOf(byId.get(h.id)!, h.similarity));
}

/** The "recent period" ablation: the K most recent reflections available at asOf, each with weight 1. */
export async function recentReferences(
  store: MemoryPort,
  o: Omit<RetrieveOptions, "series" | "w" | "a">,
): Promise<Reference[]> {
  const reflections = await store.getReflections({
    asOf: o.asOf,
    ticker: o.scope === "same-ticker" ? o.ticker : undefined,
  });
  return reflections
    .sort((x, y) => y.date.localeCompare(x.date) || x.id.localeCompare(y.id))
    .slice(0, o.k)
    .map((r) => referenceOf(r, 1));
}

/** The summary ablation's retrieval: reflections whose text is most similar to the window's summaries, at asOf. */
export async function summaryReferences(store: MemoryPort, o: Omit<RetrieveOptions, "w" | "a">): Promise<Reference[]> {
  const text = o.series.flatMap((d) => d.events.map((e) => e.description)).join("\n");
  const hits = await store.searchReflections({
    text,
    asOf: o.asOf,
    ticker: o.scope === "same-ticker" ? o.ticker : undefined,
    k: o.k,
  });
  return hits.map(({ record, similarity }) => referenceOf(record, similarity));
}

/** The retrieval as a LangChain tool (for the chat agent): similar past situations of a ticker-day. */
export function similarSituationsTool(deps: {
  store: MemoryPort;
  seriesOf: (ticker: string, date: string) => Promise<{ series: SeriesDay[]; asOf: string }>;
  w: number;
  a: number;
}) {
  return tool(
    async ({ ticker, date, k, scope }) => {
      const { series, asOf } = await deps.seriesOf(ticker, date);
      const refs = await retrieveReferences(deps.store, { ticker, date, asOf, series, w: deps.w, k, a: deps.a, scope });
      return JSON.stringify(
        refs.map((r) => ({
          id: r.id,
          ticker: r.ticker,
          date: r.date,
          similarity: Number(r.similarity.toFixed(3)),
          moved: r.label,
          reason: r.reason,
        })),
      );
    },
    {
      name: "similar_situations",
      description:
        "Past ticker-days whose event-type sequence over the last w trading days is most similar (Jaccard SeqSim) to the given ticker-day, with how the stock moved next and why. Only uses memory available at that day's close.",
      schema: z.object({
        ticker: z.string().describe("ticker, e.g. AAPL"),
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .describe("trading date YYYY-MM-DD"),
        k: z.number().int().min(1).max(50).default(10),
        scope: z.enum(["all", "same-ticker"]).default("all"),
      }),
    },
  );
}

/** Why a prediction kept no reference, as one plain sentence, and its kind (to report each kind once per run). */
export interface NoReferenceCause {
  kind: "none-readable" | "other-w" | "none-in-scope" | "overlap-only" | "below-bar" | "judge-dropped";
  text: string;
}

/**
 * Why a ticker-day kept no reference: from the reflections in memory (`all`, any time), the query's options, the
 * candidates the retrieval offered, and the judge's bar (offline) or the judge's verdict (an LLM's).
 */
export function explainNoReferences(
  all: readonly Reflection[],
  o: RetrieveOptions,
  candidates: readonly Reference[],
  judge: { minSim: number; offline: boolean },
): NoReferenceCause {
  const asOf = toEpochSeconds(o.asOf);
  const readable = all.filter((r) => toEpochSeconds(r.available_at) <= asOf);
  if (readable.length === 0)
    return {
      kind: "none-readable",
      text: all.length
        ? `no reflection was readable yet (the ${all.length} in memory became readable later: a day's reflection is written once its label is known, at the next close); a longer training window gives the first test days some`
        : "the memory holds no reflection at all (reflections are written on the training window's labelled days: is it empty or shorter than a day?)",
    };
  const sameW = readable.filter((r) => r.type_bits.length === o.w);
  if (sameW.length === 0)
    return {
      kind: "other-w",
      text: `the ${readable.length} readable reflection(s) were written with another window size than this run's w = ${o.w}: their sequences are not comparable (use the w they were made with, or a fresh run)`,
    };
  if (o.scope === "same-ticker" && !sameW.some((r) => r.ticker === o.ticker))
    return {
      kind: "none-in-scope",
      text: `no readable reflection is of ${o.ticker}, and the reference scope is same-ticker (referenceScope "all" would offer the other tickers')`,
    };
  if (candidates.length === 0)
    return {
      kind: "overlap-only",
      text: "the only readable reflections are of the query window's own days, which excludeOverlapping leaves out",
    };
  const best = Math.max(...candidates.map((c) => c.similarity));
  if (!judge.offline)
    return {
      kind: "judge-dropped",
      text: `the judge kept none of the ${candidates.length} candidate(s) it was offered (best event-sequence similarity ${best.toFixed(2)})`,
    };
  const known = seriesToSeq(o.series, o.w).types.some((bits) => bits.some((b) => b !== 0));
  return {
    kind: "below-bar",
    text: known
      ? `the most similar past case scored ${best.toFixed(2)}, under the offline judge's bar (judgeMinSim ${judge.minSim})`
      : `its ${o.w}-day window holds no event of a known type (no stored events, or none the taxonomy knows), so no past case is similar (best ${best.toFixed(2)}, under the offline judge's bar judgeMinSim ${judge.minSim})`,
  };
}

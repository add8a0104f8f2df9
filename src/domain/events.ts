/**
 * The one vocabulary of an event, by pipeline stage (paper 3.1-3.3). Each shape differs in meaning:
 *   extract: EventTuple (the model's tuple), EventDetails (its fields beyond group, type and text),
 *            ExtractedEvent (a tuple citing its news items), RawEvent (one of the day's extracted events, with an id)
 *   merge:   MergedEvent (one event of a day's cluster: its text, its raw events and sources, merged details)
 *   track:   EventToTrack (today's event as the tracker reads it), DeltaInfo, TrackedEvent (with id, chain, delta)
 *   store:   StoredEvent (a tracked event readable from the close of its day)
 *   read:    SeriesEvent / SeriesDay (a window's events as agents read them)
 *   reflect: WindowEvent / WindowSeries (a window's events as a reflection keeps them: no text)
 */
import { z } from "zod";
import { IsoDate, IsoInstant, Ticker } from "./scalars.ts";
import { findType } from "./taxonomy.ts";

const eventTypeRefine = <T extends { group: string; type: string }>(e: T, ctx: z.RefinementCtx) => {
  if (!findType(e.group, e.type)) {
    ctx.addIssue({
      code: "custom",
      message: `"${e.type}" is not a type of group "${e.group}" in the taxonomy`,
      path: ["type"],
    });
  }
};

// extract

/** Extract (paper 3.1.1): the StockMem event tuple, as a model writes it. */
const EventTuple = z.object({
  group: z.string().describe("event group, one of the 13 taxonomy groups"),
  type: z.string().describe("event type, one of the types of that group"),
  time: z.string().describe("when the event happened, as stated or inferred (free text or ISO date)"),
  location: z.string().describe("where it happened; empty if unknown"),
  entities: z.array(z.string()).describe("participating entities (people, organisations, products)"),
  industries: z.array(z.string()).describe("involved industries"),
  companies: z.array(z.string()).describe("involved companies, as tickers or names"),
  attributes: z.record(z.string(), z.string()).describe("open extended attributes, e.g. amount, percentage, product"),
  description: z.string().min(1).describe("one-sentence factual description"),
});
/** The tuple's fields beyond group, type and description: kept through merging and stored (see details.ts). */
export const EventDetails = EventTuple.pick({
  time: true,
  location: true,
  entities: true,
  industries: true,
  companies: true,
  attributes: true,
});
export type EventDetails = z.infer<typeof EventDetails>;

/** A tuple citing the news items it came from (the extractor's answer). */
export const ExtractedEvent = EventTuple.extend({ source_ids: z.array(z.string()).min(1) });
export type ExtractedEvent = z.infer<typeof ExtractedEvent>;

/** One of a ticker-day's extracted events, with its id. */
export const RawEvent = ExtractedEvent.extend({ id: z.string() });
export type RawEvent = z.infer<typeof RawEvent>;

// merge

/** Merge (paper 3.1.2): one event standing for a cluster of the day's raw events. */
export const MergedEvent = z.object({
  group: z.string(),
  type: z.string(),
  description: z.string(),
  raw_event_ids: z.array(z.string()),
  source_ids: z.array(z.string()),
  details: EventDetails,
});
export type MergedEvent = z.infer<typeof MergedEvent>;

// track

/** Today's event as the trackers show it. */
export const EventToTrack = z.object({
  group: z.string(),
  type: z.string(),
  description: z.string(),
  details: EventDetails.optional(),
});

/** Incremental information of an event against its chain (paper 3.1.3). */
export const DeltaInfo = z.object({
  /** What is new against the predecessor chain. */
  text: z.string(),
  /** Whether the news is better, worse, or in line with what the chain led to expect. */
  direction: z.enum(["more_positive", "more_negative", "neutral"]),
});
export type DeltaInfo = z.infer<typeof DeltaInfo>;

/** Track (paper 3.1.3): one event of a day after merging, with its id, its chain and its incremental information. */
export const TrackedEvent = z
  .object({
    id: z.string(),
    ticker: Ticker,
    date: IsoDate,
    group: z.string(),
    type: z.string(),
    description: z.string().min(1),
    /** ids of the raw events merged into this one */
    raw_event_ids: z.array(z.string()),
    source_ids: z.array(z.string()),
    /** id of the direct predecessor event in [t-w, t-1], or null */
    predecessor_id: z.string().nullable(),
    /** id of the first event of the chain this event belongs to */
    chain_root_id: z.string(),
    /** chain depth: 0 for a new chain, capped at D_max */
    chain_depth: z.number().int().nonnegative(),
    delta: DeltaInfo.nullable(),
    /**
     * time, location, entities, industries, companies and attributes of its reports, merged (absent in stores written
     * before 0.4)
     */
    details: EventDetails.optional(),
  })
  .superRefine(eventTypeRefine);
export type TrackedEvent = z.infer<typeof TrackedEvent>;

// store

/** Store: a tracked event as the event memory holds it, readable from `available_at` (the close of its day) on. */
export const StoredEvent = TrackedEvent.safeExtend({ available_at: IsoInstant });
export type StoredEvent = z.infer<typeof StoredEvent>;

// read

export const SeriesEvent = z.object({
  id: z.string(),
  group: z.string(),
  type: z.string(),
  description: z.string(),
  delta: DeltaInfo.nullable(),
  details: EventDetails.optional(),
  /** how many news items reported it (absent in the ablations that keep no events) */
  reports: z.number().int().nonnegative().optional(),
});
export type SeriesEvent = z.infer<typeof SeriesEvent>;

export const SeriesDay = z.object({ date: IsoDate, events: z.array(SeriesEvent) });
export type SeriesDay = z.infer<typeof SeriesDay>;

// reflect

/**
 * One event of a past window as a reflection keeps it (paper 3.2-3.3): what it was and what it added, without its text.
 */
const WindowEvent = z.object({ id: z.string(), group: z.string(), type: z.string(), delta: DeltaInfo.nullable() });
/** The w days of a reflection's window, oldest first, each with its events. */
export const WindowSeries = z.array(z.object({ date: IsoDate, events: z.array(WindowEvent) }));
export type WindowSeries = z.infer<typeof WindowSeries>;

/** A window series as a reflection keeps it, from the full series (the text and details stay in the event memory). */
export function windowOf(series: readonly SeriesDay[]): WindowSeries {
  return series.map((d) => ({
    date: d.date,
    events: d.events.map((e) => ({ id: e.id, group: e.group, type: e.type, delta: e.delta })),
  }));
}

/**
 * Domain schemas: the one home of every record the pipeline reads or writes.
 * Dates are trading dates "YYYY-MM-DD" (America/New_York exchange dates); instants are ISO-8601 UTC.
 */
import { z } from "zod";
import { N_GROUPS, N_TYPES, findType } from "./taxonomy.ts";

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a calendar date");
export const IsoInstant = z.iso.datetime({ offset: true });
export const Ticker = z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/, "expected an upper-case ticker such as AAPL");

/** One news item or social post, as stored in news.jsonl. */
/** What an id shown to a model may be made of: news item ids are checked against it at load (ours are built from it). */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;

export const NewsItem = z.object({
  id: z.string().regex(SAFE_ID, "id must be 1-128 characters of A-Z a-z 0-9 . _ : @ / + - (starting with a letter or digit)"),
  ticker: Ticker,
  published_at: IsoInstant,
  title: z.string().nullable().optional(),
  text: z.string(),
  source: z.string().optional(),
  author: z.string().nullable().optional(),
  is_retweet: z.boolean().optional(),
  lang: z.string().nullable().optional(),
  file_date: z.string().optional(),
});
export type NewsItem = z.infer<typeof NewsItem>;

/** One daily bar of prices.csv. */
export const PriceBar = z.object({
  ticker: Ticker,
  date: IsoDate,
  open: z.number().positive(),
  high: z.number().positive(),
  low: z.number().positive(),
  close: z.number().positive(),
  adj_close: z.number().positive(),
  volume: z.number().nonnegative(),
});
export type PriceBar = z.infer<typeof PriceBar>;

/** SEP-Memory's memory layers, lowest first, and what a layer record is. */
export const MemoryLayer = z.enum(["short", "mid", "long", "reflection"]);
export type MemoryLayer = z.infer<typeof MemoryLayer>;
export const LayerKind = z.enum(["daily", "explanation", "pattern", "error"]);
export type LayerKind = z.infer<typeof LayerKind>;

export const Movement = z.enum(["up", "down"]);
export type Movement = z.infer<typeof Movement>;
export const Label = z.enum(["up", "down", "flat"]);
export type Label = z.infer<typeof Label>;

/** A trading day of one ticker: its close instant and (when t+1 is known) the target of t. */
export const TradingDay = z.object({
  ticker: Ticker,
  date: IsoDate,
  /** 16:00 America/New_York of `date`, as an ISO UTC instant. */
  close_at: IsoInstant,
  /** Adjusted-close return from t to t+1; null on the last day. */
  next_return: z.number().nullable(),
  /** Target of day t (move t -> t+1); null on the last day. */
  label: Label.nullable(),
  /** t and t+1 are more than MAX_GAP_DAYS calendar days apart (price rows missing): the move spans several sessions */
  spans_gap: z.boolean().optional(),
});
export type TradingDay = z.infer<typeof TradingDay>;

const eventTypeRefine = <T extends { group: string; type: string }>(e: T, ctx: z.RefinementCtx) => {
  if (!findType(e.group, e.type)) {
    ctx.addIssue({ code: "custom", message: `"${e.type}" is not a type of group "${e.group}" in the taxonomy`, path: ["type"] });
  }
};

/** The StockMem event model (paper 3.1.1): one structured event extracted from news. */
export const RawEventBody = z.object({
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
export const EventDetails = RawEventBody.pick({ time: true, location: true, entities: true, industries: true, companies: true, attributes: true });
export type EventDetails = z.infer<typeof EventDetails>;

export const RawEvent = RawEventBody.extend({
  ticker: Ticker,
  date: IsoDate,
  /** ids of the news items the event came from */
  source_ids: z.array(z.string()).min(1),
}).superRefine(eventTypeRefine);
export type RawEvent = z.infer<typeof RawEvent>;

/** Incremental information of an event against its chain (paper 3.1.3). */
export const DeltaInfo = z.object({
  /** What is new against the predecessor chain. */
  text: z.string(),
  /** Whether the news is better, worse, or in line with what the chain led to expect. */
  direction: z.enum(["more_positive", "more_negative", "neutral"]),
});
export type DeltaInfo = z.infer<typeof DeltaInfo>;

/** One event of a day after merging (paper 3.1.2), with its tracking result (3.1.3). */
export const MergedEvent = z
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
    /** time, location, entities, industries, companies and attributes of its reports, merged (absent in stores written before 0.4) */
    details: EventDetails.optional(),
  })
  .superRefine(eventTypeRefine);
export type MergedEvent = z.infer<typeof MergedEvent>;

/** An event chain, oldest first, ending at the current event. */
export const EventChain = z.object({
  events: z.array(z.object({ id: z.string(), date: IsoDate, description: z.string() })).min(1),
});
export type EventChain = z.infer<typeof EventChain>;

/** One event of a past window as a reflection keeps it (paper 3.2-3.3): what it was and what it added, without its text. */
export const WindowEvent = z.object({ id: z.string(), group: z.string(), type: z.string(), delta: DeltaInfo.nullable() });
export type WindowEvent = z.infer<typeof WindowEvent>;
/** The w days of a reflection's window, oldest first, each with its events. */
export const WindowSeries = z.array(z.object({ date: IsoDate, events: z.array(WindowEvent) }));
export type WindowSeries = z.infer<typeof WindowSeries>;

const bits = (n: number) => z.array(z.union([z.literal(0), z.literal(1)])).length(n);

/** A reflection of one ticker-day (paper 3.2): why the stock moved as it did, and which events caused it. */
export const Reflection = z.object({
  id: z.string(),
  ticker: Ticker,
  date: IsoDate,
  /** The real move t -> t+1 the reflection explains. */
  label: Movement,
  reason: z.string().min(1),
  key_events: z.array(z.string()),
  /** Daily type/group bit vectors of the w days of the window, oldest first. */
  type_bits: z.array(bits(N_TYPES)),
  group_bits: z.array(bits(N_GROUPS)),
  /** The window's event series (ids, types, groups, delta info) the reflection explains; absent in stores written before 0.4. */
  series: WindowSeries.optional(),
  /** Instant from which the reflection may be read: close of t+1 (it uses the label). */
  available_at: IsoInstant,
});
export type Reflection = z.infer<typeof Reflection>;

/** A prediction of one ticker-day (paper 3.4). */
export const Prediction = z.object({
  ticker: Ticker,
  date: IsoDate,
  as_of: IsoInstant,
  movement: Movement,
  reason: z.string(),
  /** ids of the reflections (or memory records) the prediction relied on */
  references: z.array(z.string()),
  models: z.record(z.string(), z.string()).default({}),
  prompt_versions: z.record(z.string(), z.string()).default({}),
  /** SEP-Memory self-reflection: the first answer and the critique that led to the final one */
  self_reflection: z
    .object({ v1: z.object({ movement: Movement, reason: z.string() }), critique: z.string(), verdict: z.enum(["keep", "reconsider"]) })
    .optional(),
});
export type Prediction = z.infer<typeof Prediction>;

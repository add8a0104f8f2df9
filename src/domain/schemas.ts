/**
 * Domain schemas: the records the pipeline reads or writes besides events (events.ts, by stage) and
 * their scalar values (scalars.ts): news, prices, trading days, reflections, predictions.
 * Dates are trading dates "YYYY-MM-DD" (America/New_York exchange dates); instants are ISO-8601 UTC.
 */
import { z } from "zod";
import { WindowSeries } from "./events.ts";
import { IsoDate, IsoInstant, Ticker } from "./scalars.ts";
import { N_GROUPS, N_TYPES } from "./taxonomy.ts";

/** One news item or social post, as stored in news.jsonl. */
/**
 * What an id shown to a model may be made of: news item ids are checked against it at load (ours are built from it).
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;

export const NewsItem = z.object({
  id: z
    .string()
    .regex(SAFE_ID, "id must be 1-128 characters of A-Z a-z 0-9 . _ : @ / + - (starting with a letter or digit)"),
  ticker: Ticker,
  published_at: IsoInstant,
  title: z.string().nullable().optional(),
  text: z.string(),
  source: z.string().optional(),
  author: z.string().nullable().optional(),
  is_retweet: z.boolean().optional(),
  lang: z.string().nullable().optional(),
  file_date: z.string().optional(),
  /** the item's address, when it has one (a pulled article, a filing) */
  url: z.string().optional(),
  /** when a pull first saw the item (`stockmem data pull`); absent in hand-made data */
  first_seen_at: IsoInstant.optional(),
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
  /**
   * The window's event series (ids, types, groups, delta info) the reflection explains; absent in stores written before
   * 0.4.
   */
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
    .object({
      v1: z.object({ movement: Movement, reason: z.string() }),
      critique: z.string(),
      verdict: z.enum(["keep", "reconsider"]),
    })
    .optional(),
});
export type Prediction = z.infer<typeof Prediction>;

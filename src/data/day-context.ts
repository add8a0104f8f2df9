/**
 * DayContext(ticker, t): everything knowable at asOf = close(t), and nothing more.
 * It is a frozen snapshot (frozen copies cut at t, never views of the loaded data), so no code
 * holding it can reach later data or change what another day sees.
 */
import type { Label, NewsItem, PriceBar } from "../domain/schemas.ts";
import type { MarketData, TickerSeries } from "./load.ts";

export interface DayContext {
  readonly ticker: string;
  readonly date: string;
  /** close(t) as ISO UTC instant and epoch ms */
  readonly asOf: string;
  readonly asOfMs: number;
  /** the day's items: published in (close(t-1), close(t)] */
  readonly items: readonly NewsItem[];
  /** price bars up to and including t */
  readonly history: readonly PriceBar[];
  /** targets already realised at asOf: the labels of days before t (the label of t needs close(t+1)) */
  readonly knownLabels: readonly { readonly date: string; readonly label: Label }[];
  /** the previous trading dates of this ticker, oldest first (so [t-w, t-1] is previousDates.slice(-w)) */
  readonly previousDates: readonly string[];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function seriesOf(data: MarketData, ticker: string): TickerSeries {
  const s = data.series.get(ticker);
  if (!s) throw new Error(`unknown ticker ${ticker} (known: ${data.tickers.join(", ")})`);
  return s;
}

/**
 * A frozen copy of a series' bars, items and realised labels, made once per series: every DayContext
 * then holds frozen slices of it (each slice ends at its own day), so a day's snapshot costs a few
 * array copies instead of a clone of the whole history (which made a long run's cost per day grow
 * with its length).
 */
const frozen = new WeakMap<
  TickerSeries,
  {
    bars: readonly PriceBar[];
    items: readonly (readonly NewsItem[])[];
    labels: readonly { readonly date: string; readonly label: Label }[];
  }
>();

function frozenOf(s: TickerSeries) {
  let f = frozen.get(s);
  if (!f) {
    f = deepFreeze({
      bars: structuredClone(s.bars),
      items: structuredClone(s.itemsByDay),
      labels: s.days.map((d) => ({ date: d.date, label: d.label! })),
    });
    frozen.set(s, f);
  }
  return f;
}

export function dayContext(data: MarketData, ticker: string, date: string): DayContext {
  const s = seriesOf(data, ticker);
  const index = s.calendar.indexOf(date);
  if (index === undefined) throw new Error(`${date} is not a trading day of ${ticker} in ${data.dir}`);
  const asOfMs = s.calendar.closes[index]!;
  const f = frozenOf(s);
  return Object.freeze({
    ticker,
    date,
    asOf: new Date(asOfMs).toISOString(),
    asOfMs,
    items: f.items[index]!,
    history: Object.freeze(f.bars.slice(0, index + 1)),
    knownLabels: Object.freeze(f.labels.slice(0, index)),
    previousDates: Object.freeze(s.calendar.dates.slice(0, index)),
  });
}

/**
 * Point in time, live: an item a pull first saw after its trading day was already committed by a run
 * (published late, or backdated) cannot have informed that day's call. It counts from the first day
 * the run had not committed when the item was first seen, never rewrites a committed day, and is
 * reported. Items without `first_seen_at` (hand-made or bundled data), and every item of a run that
 * commits after the pulls (a backtest), keep their published day.
 */
import type { NewsItem } from "../domain/schemas.ts";
import type { MarketData, TickerSeries } from "./load.ts";

export interface LateItem {
  id: string;
  ticker: string;
  /** the trading day its publication time belongs to */
  published: string;
  /** the day it counts from (null: no day of the data is open yet; it waits) */
  counts: string | null;
}

/** The data as a run with this commit record may read it, and the items that moved. */
export function shiftLateItems(
  data: MarketData,
  committedAt: Readonly<Record<string, string>>,
): { data: MarketData; late: LateItem[] } {
  if (Object.keys(committedAt).length === 0) return { data, late: [] };
  const late: LateItem[] = [];
  const series = new Map<string, TickerSeries>();
  for (const [ticker, s] of data.series) {
    const dates = s.calendar.dates;
    const open = (j: number, seen: string) => {
      const at = committedAt[dates[j]!];
      return at === undefined || at >= seen;
    };
    const byDay: NewsItem[][] = s.itemsByDay.map(() => []);
    s.itemsByDay.forEach((items, i) => {
      for (const item of items) {
        const seen = item.first_seen_at;
        if (!seen || open(i, seen)) {
          byDay[i]!.push(item);
          continue;
        }
        let j = i + 1;
        while (j < dates.length && !open(j, seen)) j++;
        late.push({ id: item.id, ticker, published: dates[i]!, counts: dates[j] ?? null });
        if (j < dates.length) byDay[j]!.push(item);
      }
    });
    for (const day of byDay)
      day.sort((a, b) => a.published_at.localeCompare(b.published_at) || a.id.localeCompare(b.id));
    series.set(ticker, late.some((x) => x.ticker === ticker) ? { ...s, itemsByDay: byDay } : s);
  }
  return { data: late.length ? { ...data, series } : data, late };
}

/** One line for the notes: how many items came late, and where they count. */
export function describeLate(late: readonly LateItem[]): string | undefined {
  if (!late.length) return undefined;
  const shown = late
    .slice(0, 3)
    .map((x) => `${x.ticker} ${x.id} of ${x.published} -> ${x.counts ?? "the next open day"}`)
    .join("; ");
  return `${late.length} item(s) first seen after their day was committed (published late or backdated) count from the first open day instead: ${shown}`;
}

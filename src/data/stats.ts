import type { MarketData } from "./load.ts";

interface TickerStats {
  ticker: string;
  /** items aligned to trading days in the window */
  items: number;
  trading_days: number;
  days_with_items: number;
  /** targets of the days in the window (move t -> t+1); days without a next close are "unlabeled" */
  labels: { up: number; down: number; flat: number; unlabeled: number };
}

export interface DataStats {
  dir: string;
  /** the first and last trading day counted (the asked window met by the data); null when no day is counted */
  from: string | null;
  to: string | null;
  tickers: TickerStats[];
  /** items in the window by their source (a pull's source name; "unknown" when an item names none) */
  sources: Record<string, number>;
  /** items a pull stamped with first_seen_at (the rest came in hand-made or bundled data) */
  pulled: number;
}

export function dataStats(data: MarketData, from?: string, to?: string): DataStats {
  const sources: Record<string, number> = {};
  let pulled = 0;
  let first: string | null = null;
  let last: string | null = null;
  const tickers = data.tickers.map((ticker): TickerStats => {
    const s = data.series.get(ticker)!;
    const st: TickerStats = {
      ticker,
      items: 0,
      trading_days: 0,
      days_with_items: 0,
      labels: { up: 0, down: 0, flat: 0, unlabeled: 0 },
    };
    s.days.forEach((day, i) => {
      if ((from && day.date < from) || (to && day.date > to)) return;
      // The first calendar row only anchors the window of the second (its own items are unknown).
      if (i === 0) return;
      st.trading_days++;
      if (first === null || day.date < first) first = day.date;
      if (last === null || day.date > last) last = day.date;
      const n = s.itemsByDay[i]!.length;
      for (const item of s.itemsByDay[i]!) {
        const src = item.source ?? "unknown";
        sources[src] = (sources[src] ?? 0) + 1;
        if (item.first_seen_at) pulled++;
      }
      st.items += n;
      if (n > 0) st.days_with_items++;
      st.labels[day.label ?? "unlabeled"]++;
    });
    return st;
  });
  return { dir: data.dir, from: first, to: last, tickers, sources, pulled };
}

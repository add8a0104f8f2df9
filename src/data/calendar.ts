/**
 * Exchange-time helpers and the trading calendar.
 *
 * The news of trading day t are the items published in (close(t-1), close(t)], where close is
 * 16:00 America/New_York (DST-aware: 20:00 UTC in summer, 21:00 UTC in winter). The calendar is
 * the set of dates that have a price row, so weekends and exchange holidays are skipped by
 * construction. The first row of the calendar only anchors the window of the second: items at or
 * before its close are "before the price range".
 */

const nyOffset = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeZoneName: "longOffset" });

/**
 * UTC offset of New York on a date, in minutes (e.g. -240 in summer). Taken at noon, well clear of the 02:00 switch.
 */
function newYorkOffsetMinutes(date: string): number {
  const noonUtc = new Date(`${date}T16:00:00Z`);
  const part = nyOffset.formatToParts(noonUtc).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
  if (!m) throw new Error(`cannot read the New York UTC offset for ${date} (got "${part}")`);
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3]));
}

const nyDateFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" });

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export const newYorkDate = (at: Date): string => nyDateFormat.format(at);

/** 16:00 America/New_York on `date`, as epoch milliseconds. */
export function closeInstantMs(date: string): number {
  const wallAsUtc = Date.parse(`${date}T16:00:00Z`);
  if (Number.isNaN(wallAsUtc)) throw new Error(`invalid date "${date}"`);
  return wallAsUtc - newYorkOffsetMinutes(date) * 60_000;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a calendar date (used as a scalar date key in Chroma metadata). */
export function epochDay(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dateOfEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export type Alignment = { kind: "day"; index: number } | { kind: "before-range" } | { kind: "after-range" };

export class TradingCalendar {
  readonly dates: readonly string[];
  readonly closes: readonly number[];
  private readonly indexByDate: Map<string, number>;

  constructor(dates: readonly string[]) {
    const sorted = [...new Set(dates)].sort();
    if (sorted.length === 0) throw new Error("a trading calendar needs at least one date");
    this.dates = sorted;
    this.closes = sorted.map(closeInstantMs);
    this.indexByDate = new Map(sorted.map((d, i) => [d, i]));
  }

  get length(): number {
    return this.dates.length;
  }

  indexOf(date: string): number | undefined {
    return this.indexByDate.get(date);
  }

  /** Which trading day an instant belongs to: the first t with close(t-1) < instant <= close(t). */
  align(instantMs: number): Alignment {
    const closes = this.closes;
    if (instantMs <= closes[0]!) return { kind: "before-range" };
    if (instantMs > closes[closes.length - 1]!) return { kind: "after-range" };
    let lo = 1;
    let hi = closes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (closes[mid]! >= instantMs) hi = mid;
      else lo = mid + 1;
    }
    return { kind: "day", index: lo };
  }
}

/**
 * The New York Stock Exchange's full-day holidays, by rule (NYSE Rule 7.2): what the next trading
 * day after the data's last close is, before its price row exists. Early closes are trading days.
 */
import { dateOfEpochDay, epochDay } from "./calendar.ts";

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const shift = (date: string, days: number) => dateOfEpochDay(epochDay(date) + days);

/** The n-th (1-based; -1 = last) given weekday (0 = Sunday) of a month. */
function nthWeekday(y: number, m: number, day: number, n: number): string {
  if (n > 0) {
    const first = iso(y, m, 1);
    return shift(first, ((day - weekday(first) + 7) % 7) + 7 * (n - 1));
  }
  const last = shift(iso(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1), -1);
  return shift(last, -((weekday(last) - day + 7) % 7));
}

/** Easter Sunday (Gregorian, anonymous algorithm). */
function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  return iso(y, Math.floor((h + l - 7 * m + 114) / 31), ((h + l - 7 * m + 114) % 31) + 1);
}

/** A fixed-date holiday as observed: a Saturday one on the Friday before, a Sunday one on the Monday after. */
const observed = (date: string) =>
  weekday(date) === 6 ? shift(date, -1) : weekday(date) === 0 ? shift(date, 1) : date;

/** The NYSE's full-day holidays of a year. */
export function nyseHolidays(y: number): Set<string> {
  const newYear = iso(y, 1, 1);
  return new Set([
    // New Year's Day on a Saturday is not observed on the Friday before (the year-end close)
    ...(weekday(newYear) === 6 ? [] : [observed(newYear)]),
    nthWeekday(y, 1, 1, 3), // Martin Luther King Jr. Day
    nthWeekday(y, 2, 1, 3), // Washington's Birthday
    shift(easter(y), -2), // Good Friday
    nthWeekday(y, 5, 1, -1), // Memorial Day
    ...(y >= 2022 ? [observed(iso(y, 6, 19))] : []), // Juneteenth
    observed(iso(y, 7, 4)), // Independence Day
    nthWeekday(y, 9, 1, 1), // Labor Day
    nthWeekday(y, 11, 4, 4), // Thanksgiving
    observed(iso(y, 12, 25)), // Christmas
  ]);
}

/** Whether the NYSE trades on a date: a weekday that is not one of its holidays. */
export function isTradingDay(date: string): boolean {
  const w = weekday(date);
  return w !== 0 && w !== 6 && !nyseHolidays(Number(date.slice(0, 4))).has(date);
}

/** The next NYSE trading day after a date. */
export function nextTradingDay(date: string): string {
  let d = shift(date, 1);
  while (!isTradingDay(d)) d = shift(d, 1);
  return d;
}

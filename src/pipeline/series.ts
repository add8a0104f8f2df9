/** The event series of a ticker-day's window, read from memory at that day's asOf. */
import { dayContext } from "../data/day-context.ts";
import type { SeriesDay } from "../domain/series.ts";
import type { Resources } from "./resources.ts";

/** The w trading days ending at `date` (oldest first), each with its stored events; asOf = close(date). */
export async function seriesFor(r: Resources, ticker: string, date: string): Promise<{ series: SeriesDay[]; asOf: string }> {
  const day = dayContext(r.data, ticker, date);
  const dates = [...day.previousDates.slice(-(r.ctx.w - 1)), date];
  const events = await r.store.getEvents({ asOf: day.asOf, ticker, from: dates[0], to: date });
  const series = dates.map((d) => ({
    date: d,
    events: events.filter((e) => e.date === d).map((e) => ({ id: e.id, group: e.group, type: e.type, description: e.description, delta: e.delta })),
  }));
  return { series, asOf: day.asOf };
}

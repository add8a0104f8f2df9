/** The event series of a window, as agents read it: per trading day, its merged events with their delta info. */
import { z } from "zod";
import { DeltaInfo, EventDetails, IsoDate, Movement, WindowSeries } from "./schemas.ts";

export const SeriesEvent = z.object({
  id: z.string(),
  group: z.string(),
  type: z.string(),
  description: z.string(),
  delta: DeltaInfo.nullable(),
  details: EventDetails.optional(),
});
export type SeriesEvent = z.infer<typeof SeriesEvent>;

export const SeriesDay = z.object({ date: IsoDate, events: z.array(SeriesEvent) });
export type SeriesDay = z.infer<typeof SeriesDay>;

/** A past situation offered as a reference: its reflection, and how similar its event sequence is. */
export const Reference = z.object({
  id: z.string(),
  ticker: z.string(),
  date: IsoDate,
  similarity: z.number(),
  label: Movement,
  reason: z.string(),
  key_events: z.array(z.string()),
  /** the reference's own window series (from its reflection), when stored */
  series: WindowSeries.optional(),
});
export type Reference = z.infer<typeof Reference>;

/** A window series as a reflection keeps it, from the full series (the text and details stay in the event memory). */
export function windowOf(series: readonly SeriesDay[]): WindowSeries {
  return series.map((d) => ({ date: d.date, events: d.events.map((e) => ({ id: e.id, group: e.group, type: e.type, delta: e.delta })) }));
}

/** A layered-memory record as agents read it (SEP-Memory): its id, layer, date and text. */
export const MemoryNote = z.object({ id: z.string(), layer: z.string(), date: IsoDate, text: z.string() });
export type MemoryNote = z.infer<typeof MemoryNote>;

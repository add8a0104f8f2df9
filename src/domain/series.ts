/** The event series of a window, as agents read it: per trading day, its merged events with their delta info. */
import { z } from "zod";
import { fence } from "../../prompts/define.ts";
import { detailsText } from "./details.ts";
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

/**
 * Compact text of a series for prompts: one line per event, days oldest first; derived text fenced.
 * `withDetails` adds each event's tuple (time, place, companies, attributes) on its own line.
 */
export function seriesText(series: readonly SeriesDay[], withDelta = true, withDetails = false): string {
  if (series.every((d) => d.events.length === 0)) return "(no events in the window)";
  return series
    .map((d) => {
      const lines = d.events.map((e) => {
        const delta = withDelta && e.delta ? ` | new: ${fence(e.delta.text)} [${e.delta.direction}]` : "";
        const details = withDetails ? detailsText(e.details) : "";
        return `  - [${e.id}] ${e.group} / ${e.type}: ${fence(e.description)}${delta}${details ? `\n      details: ${details}` : ""}`;
      });
      return `${d.date}:\n${lines.length ? lines.join("\n") : "  (no events)"}`;
    })
    .join("\n");
}

/** A window series as a reflection keeps it, from the full series (the text and details stay in the event memory). */
export function windowOf(series: readonly SeriesDay[]): WindowSeries {
  return series.map((d) => ({ date: d.date, events: d.events.map((e) => ({ id: e.id, group: e.group, type: e.type, delta: e.delta })) }));
}

/** A reference's window for prompts: per day its event types, with the incremental information of each. */
export function windowText(series: WindowSeries | undefined): string {
  if (!series) return "    (window not stored)";
  if (series.every((d) => d.events.length === 0)) return "    (no events in its window)";
  return series
    .map((d) => `    ${d.date}: ${d.events.length ? d.events.map((e) => `${e.group} / ${e.type}${e.delta ? ` (new: ${fence(e.delta.text)} [${e.delta.direction}])` : ""}`).join("; ") : "(no events)"}`)
    .join("\n");
}

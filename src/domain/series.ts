/** The event series of a window, as agents read it: per trading day, its merged events with their delta info. */
import { z } from "zod";
import { fence } from "../../prompts/define.ts";
import { DeltaInfo, IsoDate, Movement } from "./schemas.ts";

export const SeriesEvent = z.object({
  id: z.string(),
  group: z.string(),
  type: z.string(),
  description: z.string(),
  delta: DeltaInfo.nullable(),
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
});
export type Reference = z.infer<typeof Reference>;

/** Compact text of a series for prompts: one line per event, days oldest first; derived text fenced. */
export function seriesText(series: readonly SeriesDay[], withDelta = true): string {
  if (series.every((d) => d.events.length === 0)) return "(no events in the window)";
  return series
    .map((d) => {
      const lines = d.events.map((e) => {
        const delta = withDelta && e.delta ? ` | new: ${fence(e.delta.text)} [${e.delta.direction}]` : "";
        return `  - [${e.id}] ${e.group} / ${e.type}: ${fence(e.description)}${delta}`;
      });
      return `${d.date}:\n${lines.length ? lines.join("\n") : "  (no events)"}`;
    })
    .join("\n");
}

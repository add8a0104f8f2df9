/**
 * How series, windows and event details read in a prompt: one home for the text every agent sees of them, derived text
 * fenced.
 */

import type { EventDetails, SeriesDay, WindowSeries } from "../src/domain/events.ts";
import { fence } from "./define.ts";

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

/** A reference's window for prompts: per day its event types, with the incremental information of each. */
export function windowText(series: WindowSeries | undefined): string {
  if (!series) return "    (window not stored)";
  if (series.every((d) => d.events.length === 0)) return "    (no events in its window)";
  return series
    .map(
      (d) =>
        `    ${d.date}: ${d.events.length ? d.events.map((e) => `${e.group} / ${e.type}${e.delta ? ` (new: ${fence(e.delta.text)} [${e.delta.direction}])` : ""}`).join("; ") : "(no events)"}`,
    )
    .join("\n");
}

/** The details as one fenced line for a prompt ("" when there is nothing to show). */
export function detailsText(d: EventDetails | undefined): string {
  if (!d) return "";
  const parts = [
    d.time && `time ${d.time}`,
    d.location && `where ${d.location}`,
    d.companies.length && `companies ${d.companies.join(", ")}`,
    d.entities.length && d.entities.join("|") !== d.companies.join("|") && `entities ${d.entities.join(", ")}`,
    d.industries.length && `industries ${d.industries.join(", ")}`,
    ...Object.entries(d.attributes).map(([k, v]) => `${k}: ${v}`),
  ].filter((p): p is string => typeof p === "string" && p.length > 0);
  return parts.length ? fence(parts.join("; ")) : "";
}

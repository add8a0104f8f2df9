/**
 * The event tuple beyond group, type and description (paper 3.1.1): time, location, participating
 * entities, industries, companies and open attributes (amounts, counterparties, specs). Extracted per
 * raw event, merged with its duplicates, stored with the merged event and shown to tracker and predictor.
 */
import type { EventDetails } from "./events.ts";

/** Bounds on what one event carries (a hostile or verbose extraction cannot bloat every later prompt). */
export const DETAIL_LIMITS = { values: 3, list: 12, keys: 16, keyChars: 40, valueChars: 200 } as const;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Distinct non-empty values in first-seen order (case-insensitive), at most `max`, each clipped. */
function distinct(values: readonly string[], max: number): string[] {
  const seen = new Map<string, string>();
  for (const v of values) {
    const t = clip(v.trim(), DETAIL_LIMITS.valueChars);
    if (t && !seen.has(t.toLowerCase()) && seen.size < max) seen.set(t.toLowerCase(), t);
  }
  return [...seen.values()];
}

/**
 * The details of one merged event from its raw reports, in their order: lists are unions, time and
 * location keep their distinct values (joined by " / "), an attribute keeps every distinct value
 * its reports gave (joined by "; "). Pure and order-stable, so a redone day stores the same record.
 */
export function mergeDetails(parts: readonly EventDetails[]): EventDetails {
  const attributes: Record<string, string> = {};
  const keys = distinct(
    parts.flatMap((p) => Object.keys(p.attributes)).map((k) => clip(k, DETAIL_LIMITS.keyChars)),
    DETAIL_LIMITS.keys,
  );
  for (const k of keys) {
    const values = distinct(
      parts.flatMap((p) =>
        Object.entries(p.attributes)
          .filter(([key]) => clip(key, DETAIL_LIMITS.keyChars).toLowerCase() === k.toLowerCase())
          .map(([, v]) => v),
      ),
      DETAIL_LIMITS.values,
    );
    if (values.length) attributes[k] = values.join("; ");
  }
  return {
    time: distinct(
      parts.map((p) => p.time),
      DETAIL_LIMITS.values,
    ).join(" / "),
    location: distinct(
      parts.map((p) => p.location),
      DETAIL_LIMITS.values,
    ).join(" / "),
    entities: distinct(
      parts.flatMap((p) => p.entities),
      DETAIL_LIMITS.list,
    ),
    industries: distinct(
      parts.flatMap((p) => p.industries),
      DETAIL_LIMITS.list,
    ),
    companies: distinct(
      parts.flatMap((p) => p.companies),
      DETAIL_LIMITS.list,
    ),
    attributes,
  };
}

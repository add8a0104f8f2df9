import { closeInstantMs } from "../../src/data/calendar.ts";
import type { StoredEvent } from "../../src/domain/events.ts";
import type { Reflection } from "../../src/domain/schemas.ts";
import { N_GROUPS, N_TYPES } from "../../src/domain/taxonomy.ts";
import { eventId, reflectionId } from "../../src/memory/records.ts";

export function storedEvent(
  ticker: string,
  date: string,
  description: string,
  over: Partial<StoredEvent> = {},
): StoredEvent {
  const base = { ticker, date, group: "Products and Market", type: "New Product Launch", description };
  return {
    ...base,
    id: eventId({ ...base, ...over }),
    raw_event_ids: ["r1"],
    source_ids: [`${ticker}-1`],
    predecessor_id: null,
    chain_root_id: "",
    chain_depth: 0,
    delta: null,
    available_at: new Date(closeInstantMs(date)).toISOString(),
    ...over,
  };
}

export function reflection(ticker: string, date: string, nextDate: string, label: "up" | "down" = "up"): Reflection {
  const tb = Array.from({ length: N_TYPES }, (_, i) => (i % 5 === 0 ? 1 : 0)) as (0 | 1)[];
  const gb = Array.from({ length: N_GROUPS }, (_, i) => (i === 3 ? 1 : 0)) as (0 | 1)[];
  return {
    id: reflectionId(ticker, date),
    ticker,
    date,
    label,
    reason: `${ticker} moved ${label} after the launch`,
    key_events: ["launch", "upgrade"],
    type_bits: [tb, tb],
    group_bits: [gb, gb],
    available_at: new Date(closeInstantMs(nextDate)).toISOString(),
  };
}

/** What agents read beside a window's events (events.ts): the references and the layered-memory notes. */
import { z } from "zod";
import { WindowSeries } from "./events.ts";
import { IsoDate } from "./scalars.ts";
import { Movement } from "./schemas.ts";

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

/** A layered-memory record as agents read it (SEP-Memory): its id, layer, date and text. */
export const MemoryNote = z.object({ id: z.string(), layer: z.string(), date: IsoDate, text: z.string() });
export type MemoryNote = z.infer<typeof MemoryNote>;

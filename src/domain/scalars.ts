/** The scalar values every record is made of: trading dates, instants, tickers. */
import { z } from "zod";

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "not a calendar date",
  );
export const IsoInstant = z.iso.datetime({ offset: true });
export const Ticker = z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/, "expected an upper-case ticker such as AAPL");

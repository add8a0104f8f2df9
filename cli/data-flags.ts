/**
 * The flags every command that loads market data takes (data stats, run, eval dataset, chat), what they mean for the
 * loader, and the one parser of positive integer flags.
 */

import { SOURCES, type SourceName } from "../src/data/sources/index.ts";
import type { MarketSource } from "../src/data/sources/source.ts";
import { IsoDate } from "../src/domain/scalars.ts";
import type { MarketRequest } from "../src/runtime/market.ts";
import { UsageError } from "./errors.ts";
import type { FlagSpecs, ValuesOf } from "./flags.ts";
import { fileProgress } from "./progress.ts";

export const DATA_OPTIONS = {
  data: {
    type: "string",
    arg: "DIR",
    description:
      "market data dir with news.jsonl and prices.csv (default: STOCKMEM_MARKET_DATA, else the bundled sample)",
  },
  tickers: { type: "string", arg: "A,B", description: "only these tickers (comma-separated)" },
  "skip-invalid": {
    type: "boolean",
    description: "skip and report invalid input lines instead of stopping at the first",
  },
  "max-items-per-day": {
    type: "string",
    arg: "N",
    description: "keep at most N news items per ticker-day (the rest is reported)",
  },
  "max-text-chars": { type: "string", arg: "N", description: "cut news texts longer than N characters (reported)" },
} as const satisfies FlagSpecs;

/** An integer flag of at least `min`, or undefined when it is not given. */
function intFlag(value: string | undefined, name: string, min: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects ${what}, got "${value}"`);
  return n;
}

/** A positive integer flag, or undefined when it is not given. */
export const positiveInt = (value: string | undefined, name: string) => intFlag(value, name, 1, "a positive integer");

/** A non-negative integer flag (0 allowed), or undefined when it is not given. */
export const nonNegativeInt = (value: string | undefined, name: string) =>
  intFlag(value, name, 0, "an integer of 0 or more");

/** A YYYY-MM-DD that is a day of the calendar (not 2015-02-30, not 2015-13-01), or a usage error naming it. */
export function calendarDate(d: string, what: string): string {
  if (!IsoDate.safeParse(d).success) throw new UsageError(`${what}: "${d}" is not a calendar date (YYYY-MM-DD)`);
  return d;
}

/** `--tickers A,B` as upper-case tickers; given but empty (`--tickers ''`) is a mistake to say, not "all". */
export function tickersFlag(v: string | undefined): string[] | undefined {
  if (typeof v !== "string") return undefined;
  const list = v
    .split(",")
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
  if (list.length === 0)
    throw new UsageError(
      "--tickers is empty: give tickers such as AAPL,MSFT, or leave the flag out for every ticker of the data",
    );
  return list;
}

/** What the data flags ask `readMarket` for; a limit not given is the run's or the default. */
export function loadOptions(v: ValuesOf<typeof DATA_OPTIONS>): MarketRequest {
  return {
    dataDir: v.data,
    skipInvalid: Boolean(v["skip-invalid"]),
    maxItemsPerDay: positiveInt(v["max-items-per-day"], "max-items-per-day"),
    maxTextChars: positiveInt(v["max-text-chars"], "max-text-chars"),
    tickers: tickersFlag(v.tickers),
    onProgress: fileProgress,
  };
}

/** `--source a,b` / `--pull a,b`: the named data sources, each checked against the list. */
export function sourcesFlag(v: string | undefined): MarketSource[] {
  const names = Object.keys(SOURCES);
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!(s in SOURCES)) throw new UsageError(`unknown source "${s}" (sources: ${names.join(", ")})`);
      return SOURCES[s as SourceName];
    });
}

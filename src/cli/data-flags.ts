/** The flags every command that loads market data takes (data stats, run, eval dataset, chat), what they mean for the loader, and the one parser of positive integer flags. */
import type { ParseArgsConfig } from "node:util";
import { marketDataDir } from "../config/paths.ts";
import { LOAD_DEFAULTS, type LoadOptions } from "../data/load.ts";
import { UsageError } from "./errors.ts";
import { fileProgress } from "./progress.ts";

export const DATA_OPTIONS = {
  data: { type: "string" },
  tickers: { type: "string" },
  "skip-invalid": { type: "boolean" },
  "max-items-per-day": { type: "string" },
  "max-text-chars": { type: "string" },
} satisfies NonNullable<ParseArgsConfig["options"]>;

/** A positive integer flag, or undefined when it is not given. */
export function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} expects a positive integer, got "${value}"`);
  return n;
}

export function loadOptions(v: Record<string, string | boolean | string[] | undefined>): LoadOptions & { dir: string } {
  return {
    dir: marketDataDir(v.data as string | undefined),
    skipInvalid: Boolean(v["skip-invalid"]),
    maxItemsPerDay: positiveInt(v["max-items-per-day"] as string | undefined, "max-items-per-day") ?? LOAD_DEFAULTS.maxItemsPerDay,
    maxTextChars: positiveInt(v["max-text-chars"] as string | undefined, "max-text-chars") ?? LOAD_DEFAULTS.maxTextChars,
    tickers: typeof v.tickers === "string" ? v.tickers.split(",").map((t) => t.trim().toUpperCase()).filter(Boolean) : undefined,
    onProgress: fileProgress,
  };
}

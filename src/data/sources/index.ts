/** Every data source by the name `--source` takes; a new source is a file here and a line below. */
import { alphaVantage } from "./alpha-vantage.ts";
import { finnhub } from "./finnhub.ts";
import { rss } from "./rss.ts";
import { secEdgar } from "./sec-edgar.ts";
import type { MarketSource } from "./source.ts";
import { tiingo } from "./tiingo.ts";
import { yahoo } from "./yahoo.ts";

export const SOURCES = {
  yahoo,
  tiingo,
  finnhub,
  "alpha-vantage": alphaVantage,
  rss,
  "sec-edgar": secEdgar,
} as const satisfies Record<string, MarketSource>;
export type SourceName = keyof typeof SOURCES;

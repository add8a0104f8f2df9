/**
 * Yahoo Finance daily bars through `yahoo-finance2` (its `chart()`: open, high, low, close, volume and
 * the adjusted close, split- and dividend-adjusted). No key. Version 3.15.4: the 4.x line needs Node 22,
 * stockmem supports Node 20 (3.15.4 warns about Node 20; its chart path is tested here on it).
 * `STOCKMEM_YAHOO_BASE_URL` points it elsewhere (the tests' fake server).
 */
import YahooFinance from "yahoo-finance2";
import type { PriceBar } from "../../domain/schemas.ts";
import { newYorkDate } from "../calendar.ts";
import { SourceError } from "./http.ts";
import type { MarketSource } from "./source.ts";

export const yahoo: MarketSource = {
  name: "yahoo",
  kind: "prices",
  about: "Yahoo Finance daily bars with the adjusted close (yahoo-finance2; no key, unofficial, rate-limited by Yahoo)",
  async pull(ticker, c) {
    const base = c.env.STOCKMEM_YAHOO_BASE_URL?.replace(/\/$/, "");
    const requests: string[] = [];
    const notes: string[] = [];
    const client = new YahooFinance({
      versionCheck: false,
      suppressNotices: ["yahooSurvey", "ripHistorical"],
      logger: {
        info: () => {},
        debug: () => {},
        dir: () => {},
        warn: (...a: unknown[]) => {
          const text = a.map(String).join(" ");
          if (!/Unsupported environment/.test(text)) notes.push(`yahoo: ${text}`);
        },
        error: (...a: unknown[]) => notes.push(`yahoo: ${a.map(String).join(" ")}`),
      },
      fetch: ((url: string, init?: RequestInit) => {
        const to = base ? String(url).replace(/^https:\/\/query[12]\.finance\.yahoo\.com/, base) : String(url);
        requests.push(to);
        return c.fetch(to, init);
      }) as typeof fetch,
    } as ConstructorParameters<typeof YahooFinance>[0]);
    // period2 is exclusive: the day after `to`
    const end = new Date(Date.parse(`${c.to}T00:00:00Z`) + 86_400_000);
    let quotes: {
      date: Date;
      open?: number | null;
      high?: number | null;
      low?: number | null;
      close?: number | null;
      adjclose?: number | null;
      volume?: number | null;
    }[];
    try {
      quotes = (await client.chart(ticker, { period1: c.from, period2: end, interval: "1d", return: "array" })).quotes;
    } catch (e) {
      if (e instanceof SourceError) throw e;
      throw new SourceError(
        `yahoo ${ticker}: ${String((e as Error).message ?? e)
          .replace(/\s+/g, " ")
          .slice(0, 300)}`,
      );
    }
    const bars: PriceBar[] = [];
    for (const q of quotes) {
      const date = newYorkDate(q.date);
      if ([q.open, q.high, q.low, q.close, q.adjclose].some((x) => x === null || x === undefined)) {
        notes.push(`yahoo ${ticker} ${date}: a bar without prices, skipped`);
        continue;
      }
      if (date < c.from || date > c.to) continue;
      bars.push({
        ticker,
        date,
        open: q.open!,
        high: q.high!,
        low: q.low!,
        close: q.close!,
        adj_close: q.adjclose!,
        volume: q.volume ?? 0,
      });
    }
    return { bars, requests, notes };
  },
};

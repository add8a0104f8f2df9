/**
 * Tiingo end-of-day prices (`/tiingo/daily/<ticker>/prices?startDate=&endDate=`, key `TIINGO_API_KEY`
 * in the Authorization header): open, high, low, close, volume and the adjusted close. The keyed price
 * source: an official REST API whose free tier includes adjusted prices and decades of history (about
 * 1,000 requests a day, 500 symbols a month), where Yahoo's is unofficial and may change.
 * `STOCKMEM_TIINGO_BASE_URL` points it elsewhere (the tests' fake server).
 */
import type { PriceBar } from "../../domain/schemas.ts";
import { baseUrl, firstBytes, parseJson, SourceError } from "./http.ts";
import type { MarketSource } from "./source.ts";

interface TiingoBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjClose: number;
}

export const tiingo: MarketSource = {
  name: "tiingo",
  kind: "prices",
  about:
    "Tiingo end-of-day prices with the adjusted close (TIINGO_API_KEY; official API, free tier ~1,000 requests a day)",
  needs: ["TIINGO_API_KEY"],
  async pull(ticker, c) {
    const base = baseUrl(c.env, "TIINGO", "https://api.tiingo.com");
    const url = `${base}/tiingo/daily/${encodeURIComponent(ticker.toLowerCase())}/prices?startDate=${c.from}&endDate=${c.to}&format=json&resampleFreq=daily`;
    const text = await (await c.fetch(url, { headers: { Authorization: `Token ${c.env.TIINGO_API_KEY}` } })).text();
    const rows = parseJson(text, "tiingo", ticker, url);
    if (!Array.isArray(rows))
      throw new SourceError(`tiingo ${ticker}: expected a list of bars from ${url}, got ${firstBytes(text)}`);
    const bars: PriceBar[] = (rows as TiingoBar[]).map((r) => ({
      ticker,
      date: String(r.date).slice(0, 10),
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      adj_close: r.adjClose,
      volume: r.volume,
    }));
    return { bars, requests: [url] };
  },
};

/**
 * Alpha Vantage news and sentiment (`function=NEWS_SENTIMENT`, key `ALPHAVANTAGE_API_KEY`): title,
 * summary, URL, source, publication time, and the provider's own sentiment (kept out of the text: the
 * method reads the news, not another model's verdict). Free tier: 25 requests a day, up to 1000 articles
 * a request. The provider answers a rate limit or a bad key with HTTP 200 and a note: said by name.
 * `STOCKMEM_ALPHAVANTAGE_BASE_URL` points it elsewhere (the tests' fake server).
 */
import { createHash } from "node:crypto";
import { baseUrl, firstBytes, maskUrl, parseJson, SourceError } from "./http.ts";
import type { MarketSource } from "./source.ts";

interface AvFeed {
  feed?: {
    title: string;
    url: string;
    time_published: string;
    summary?: string;
    source?: string;
    authors?: string[];
  }[];
  Information?: string;
  Note?: string;
  "Error Message"?: string;
}

/** "20151015T140500" -> an ISO instant (Alpha Vantage's times are UTC). */
const avTime = (t: string) =>
  `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15) || "00"}Z`;

export const alphaVantage: MarketSource = {
  name: "alpha-vantage",
  kind: "news",
  about: "Alpha Vantage news and sentiment (ALPHAVANTAGE_API_KEY; free tier 25 requests a day)",
  needs: ["ALPHAVANTAGE_API_KEY"],
  async pull(ticker, c) {
    const base = baseUrl(c.env, "ALPHAVANTAGE", "https://www.alphavantage.co");
    const requests: string[] = [];
    // articles per request: the provider's most (a setting only so tests can fill an answer)
    const LIMIT = Number(c.env.STOCKMEM_ALPHAVANTAGE_LIMIT ?? 1000);
    const items: Awaited<ReturnType<MarketSource["pull"]>>["items"] & object = [];
    // the provider has no paging: a full answer (its limit) means more may exist, so the range is halved
    const ask = async (from: string, to: string): Promise<void> => {
      const span = `time_from=${from.replaceAll("-", "")}T0000&time_to=${to.replaceAll("-", "")}T2359`;
      const url = `${base}/query?function=NEWS_SENTIMENT&tickers=${encodeURIComponent(ticker)}&${span}&limit=${LIMIT}&sort=EARLIEST&apikey=${c.env.ALPHAVANTAGE_API_KEY}`;
      const shown = maskUrl(url);
      requests.push(shown);
      const text = await (await c.fetch(url)).text();
      const body = parseJson<AvFeed>(text, "alpha-vantage", ticker, shown);
      const said = body["Error Message"] ?? body.Information ?? body.Note;
      if (!Array.isArray(body.feed))
        throw new SourceError(
          `alpha-vantage ${ticker}: ${said ? `the provider says: ${said}` : `no feed in ${firstBytes(text)}`}`,
        );
      if (body.feed.length >= LIMIT && from < to) {
        const mid = new Date((Date.parse(`${from}T00:00:00Z`) + Date.parse(`${to}T00:00:00Z`)) / 2)
          .toISOString()
          .slice(0, 10);
        const next = new Date(Date.parse(`${mid}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        await ask(from, mid);
        await ask(next, to);
        return;
      }
      for (const f of body.feed) {
        if (!f.title || !f.url || !/^\d{8}T\d{4,6}$/.test(f.time_published)) continue;
        items.push({
          id: `av-${createHash("sha256").update(f.url).digest("hex").slice(0, 24)}`,
          ticker,
          published_at: new Date(avTime(f.time_published)).toISOString(),
          title: f.title,
          text: f.summary?.trim() || f.title,
          source: `alpha-vantage:${f.source ?? "unknown"}`,
          url: f.url,
          ...(f.authors?.[0] ? { author: f.authors[0] } : {}),
        });
      }
    };
    await ask(c.from, c.to);
    return { items, requests };
  },
};

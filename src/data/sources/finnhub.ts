/**
 * Finnhub company news (`/api/v1/company-news?symbol=&from=&to=`, key `FINNHUB_API_KEY`): headline,
 * summary, URL, source and publication time. Free tier: 60 calls a minute, about a year of history.
 * The range is asked a week at a time (an answer holds a bounded number of articles), a request a
 * second at most (under the free tier's 60 a minute).
 * `STOCKMEM_FINNHUB_BASE_URL` points it elsewhere (the tests' fake server).
 */
import { baseUrl, firstBytes, parseJson, SourceError } from "./http.ts";
import type { MarketSource, Pulled } from "./source.ts";

interface FinnhubNews {
  id: number;
  datetime: number;
  headline: string;
  summary?: string;
  source?: string;
  url?: string;
  related?: string;
}

/** Finnhub's free tier allows 60 requests a minute: one a second keeps a long backfill under it. */
const pace = (env: NodeJS.ProcessEnv) =>
  new Promise((r) => setTimeout(r, Number(env.STOCKMEM_FINNHUB_PACE_MS ?? 1000)));

/** [from, to] cut into weeks. */
function weeks(from: string, to: string): [string, string][] {
  const out: [string, string][] = [];
  const day = 86_400_000;
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 7 * day) {
    const end = Math.min(t + 6 * day, Date.parse(`${to}T00:00:00Z`));
    out.push([new Date(t).toISOString().slice(0, 10), new Date(end).toISOString().slice(0, 10)]);
  }
  return out;
}

export const finnhub: MarketSource = {
  name: "finnhub",
  kind: "news",
  about: "Finnhub company news (FINNHUB_API_KEY; free tier 60 calls a minute, about a year back)",
  needs: ["FINNHUB_API_KEY"],
  async pull(ticker, c) {
    const base = baseUrl(c.env, "FINNHUB", "https://finnhub.io");
    const out: Required<Pick<Pulled, "items" | "requests">> = { items: [], requests: [] };
    for (const [k, [from, to]] of weeks(c.from, c.to).entries()) {
      if (k > 0) await pace(c.env);
      const url = `${base}/api/v1/company-news?symbol=${encodeURIComponent(ticker)}&from=${from}&to=${to}`;
      out.requests.push(url);
      // the key goes in a header, never in a URL that could be logged
      const text = await (await c.fetch(url, { headers: { "X-Finnhub-Token": c.env.FINNHUB_API_KEY! } })).text();
      const news = parseJson(text, "finnhub", ticker, url);
      if (!Array.isArray(news))
        throw new SourceError(`finnhub ${ticker}: expected a list of articles from ${url}, got ${firstBytes(text)}`);
      for (const n of news as FinnhubNews[]) {
        if (typeof n.id !== "number" || typeof n.datetime !== "number" || !n.headline) continue;
        out.items.push({
          id: `finnhub-${n.id}`,
          ticker,
          published_at: new Date(n.datetime * 1000).toISOString(),
          title: n.headline,
          text: n.summary?.trim() || n.headline,
          source: `finnhub:${n.source ?? "unknown"}`,
          ...(n.url ? { url: n.url } : {}),
        });
      }
    }
    return out;
  },
};

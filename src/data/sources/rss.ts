/**
 * Any RSS or Atom feed, given as URL templates with `{ticker}` (`--feed URL`, repeatable, or
 * `STOCKMEM_RSS_FEEDS`, comma-separated), parsed by `@rowanmanning/feed-parser`. No key. A feed
 * carries what it carries now (most keep a few days), so it fills recent news, not a backfill; every
 * item up to `to` is kept, whatever its date (`from` does not apply: a feed has no range).
 * Each item: its title, its description or content as text (`html-to-text`, bounded), its link.
 */

import { createHash } from "node:crypto";
import { parseFeed } from "@rowanmanning/feed-parser";
import { htmlText } from "./html.ts";
import { firstBytes, maskUrl, SourceError } from "./http.ts";
import type { MarketSource, Pulled } from "./source.ts";

/** Characters of an item's text kept (the loader bounds texts again at its own cap). */
const MAX_TEXT = 8000;

const feedTemplates = (env: NodeJS.ProcessEnv): string[] =>
  (env.STOCKMEM_RSS_FEEDS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export const rss: MarketSource = {
  name: "rss",
  kind: "news",
  about: "any RSS or Atom feed, as URL templates with {ticker} (--feed, or STOCKMEM_RSS_FEEDS); no key",
  needs: ["STOCKMEM_RSS_FEEDS"],
  async pull(ticker, c) {
    const out: Required<Pick<Pulled, "items" | "requests" | "notes">> = { items: [], requests: [], notes: [] };
    for (const template of feedTemplates(c.env)) {
      const url = template.replaceAll("{ticker}", encodeURIComponent(ticker));
      out.requests.push(maskUrl(url));
      const text = await (await c.fetch(url)).text();
      let feed: ReturnType<typeof parseFeed>;
      try {
        feed = parseFeed(text);
      } catch (e) {
        throw new SourceError(
          `rss ${ticker}: ${maskUrl(url)} is not an RSS or Atom feed (${(e as Error).message}): ${firstBytes(text)}`,
        );
      }
      const host = new URL(url).host;
      let undated = 0;
      for (const item of feed.items) {
        const at = item.published ?? item.updated;
        if (!at) {
          undated++;
          continue;
        }
        const published = at.toISOString();
        const day = published.slice(0, 10);
        // a feed has no range: whatever it carries up to `to` is news to the data dir (a story backdated
        // before `from` too: the pull stores it once, and a run counts it from its first open day)
        if (day > c.to) continue;
        const html = item.content ?? item.description ?? "";
        const body = htmlText(html, MAX_TEXT);
        const title = item.title?.trim() || null;
        const key = item.id ?? item.url ?? `${title}|${published}`;
        out.items.push({
          id: `rss-${createHash("sha256").update(`${ticker}\u0000${key}`).digest("hex").slice(0, 24)}`,
          ticker,
          published_at: published,
          title,
          text: body || title || "",
          source: `rss:${host}`,
          ...(item.url ? { url: item.url } : {}),
          ...(item.authors[0]?.name ? { author: item.authors[0].name } : {}),
        });
      }
      if (undated) out.notes.push(`rss ${ticker}: ${undated} item(s) of ${maskUrl(url)} without a date, skipped`);
    }
    return out;
  },
};

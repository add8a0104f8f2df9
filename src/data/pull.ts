/**
 * `stockmem data pull`: asks each chosen source for each ticker over a date range and merges what comes
 * back into the data dir, which stays the one store every run reads (a reproducible snapshot).
 *
 * - Idempotent: an item seen again, from the same or another source, is stored once (the same id, the
 *   same canonical URL, or the same normalised title on the same ticker-day). A price row already
 *   stored is kept as it was first pulled (a run may have read it); a provider's changed value is
 *   counted, not written.
 * - All or nothing per source and ticker: a source that fails for a ticker adds nothing of that ticker,
 *   says why, and the others go on; the files are replaced whole (written aside, then renamed).
 * - Every item gets `first_seen_at`, the instant this pull saw it. A pull of past dates (a backfill)
 *   trusts `published_at` and says so in the provenance log (`provenance.jsonl`: source, requests
 *   without secrets, fetched_at, counts).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../domain/errors.ts";
import { NewsItem, PriceBar } from "../domain/schemas.ts";
import { scrub } from "../observability/secrets.ts";
import { newYorkDate } from "./calendar.ts";
import { PRICE_HEADER } from "./load.ts";
import { sourceFetch } from "./sources/http.ts";
import type { MarketSource } from "./sources/source.ts";

export interface PullOptions {
  dir: string;
  sources: readonly MarketSource[];
  tickers: readonly string[];
  from: string;
  to: string;
  env?: NodeJS.ProcessEnv;
  /** the pull's clock (first_seen_at, fetched_at, backfill) */
  now?: Date;
  fetch?: typeof fetch;
  /** waits between retries (tests pass a recorder) */
  sleep?: (ms: number) => Promise<void>;
  retries?: number;
  timeoutMs?: number;
}

interface PullOutcome {
  source: string;
  ticker: string;
  /** items or price rows added */
  added: number;
  /** items already stored (same id, URL or title that day), price rows already there */
  duplicates: number;
  /** price rows whose provider values now differ from the stored ones (kept as stored) */
  changed?: number;
  error?: string;
  notes: string[];
}

export interface PullReport {
  dir: string;
  backfill: boolean;
  outcomes: PullOutcome[];
}

/** A source's environment variable that is not set, named before anything is fetched. */
class MissingSettingError extends Error {}

/** An address without what varies for the same article: tracking parameters, fragment, trailing slash, host case. */
function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    u.hash = "";
    for (const k of [...u.searchParams.keys()])
      if (/^(utm_|fbclid|gclid|mc_|ref$|cmpid|src$)/i.test(k)) u.searchParams.delete(k);
    u.host = u.host.toLowerCase();
    return u.toString().replace(/\/(\?|$)/, "$1");
  } catch {
    return url.trim();
  }
}

/** A title as two sources write it alike: lower case, letters and digits only. */
const normalTitle = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/** The keys an item is known by: its id, its canonical URL, its title on its ticker-day (UTC date). */
function keysOf(i: {
  id: string;
  ticker: string;
  published_at: string;
  title?: string | null;
  url?: string;
}): string[] {
  const keys = [`id ${i.id}`];
  if (i.url) keys.push(`url ${canonicalUrl(i.url)}`);
  const title = i.title ? normalTitle(i.title) : "";
  if (title.length >= 12) keys.push(`title ${i.ticker} ${i.published_at.slice(0, 10)} ${title}`);
  return keys;
}

function writeAside(file: string, text: string): void {
  const tmp = `${file}.pull-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

const priceLine = (b: PriceBar) => PRICE_HEADER.map((c) => String(b[c])).join(",");

export async function pullData(o: PullOptions): Promise<PullReport> {
  const env = o.env ?? process.env;
  const now = o.now ?? new Date();
  for (const s of o.sources)
    for (const v of s.needs ?? [])
      if (!env[v]?.trim())
        throw new MissingSettingError(
          `source ${s.name} needs ${v}: set it in the environment or .env${s.name === "rss" ? " (or give --feed URL)" : ""}`,
        );
  mkdirSync(o.dir, { recursive: true });
  const newsFile = join(o.dir, "news.jsonl");
  const priceFile = join(o.dir, "prices.csv");

  // what the data dir holds already
  const known = new Set<string>();
  const newsText = existsSync(newsFile) ? readFileSync(newsFile, "utf8") : "";
  for (const line of newsText.split("\n")) {
    if (!line.trim()) continue;
    try {
      for (const k of keysOf(JSON.parse(line) as NewsItem)) known.add(k);
    } catch {
      // a bad line is the loader's to report (by file:line); it cannot match a new item
    }
  }
  const rows = new Map<string, string>(); // "TICKER date" -> the stored line
  const priceText = existsSync(priceFile) ? readFileSync(priceFile, "utf8") : "";
  for (const line of priceText.split("\n").slice(1)) {
    const [t, d] = line.split(",");
    if (t && d) rows.set(`${t} ${d}`, line.trim());
  }

  const outcomes: PullOutcome[] = [];
  const added: string[] = [];
  const addedRows: string[] = [];
  const backfill = o.to < newYorkDate(now);
  for (const source of o.sources) {
    for (const ticker of o.tickers) {
      const outcome: PullOutcome = { source: source.name, ticker, added: 0, duplicates: 0, notes: [] };
      outcomes.push(outcome);
      const fetch = sourceFetch({
        source: source.name,
        ticker,
        fetch: o.fetch,
        sleep: o.sleep,
        retries: o.retries,
        timeoutMs: o.timeoutMs,
      });
      let requests: string[] = [];
      try {
        const got = await source.pull(ticker, { from: o.from, to: o.to, env, fetch });
        requests = got.requests;
        outcome.notes.push(...(got.notes ?? []));
        // the whole answer is checked before any of it is kept
        const items = (got.items ?? []).map((i) => {
          const parsed = NewsItem.safeParse({ ...i, first_seen_at: now.toISOString() });
          if (!parsed.success)
            throw new Error(
              `${source.name} ${ticker}: item ${JSON.stringify(i.id)} does not fit: ${parsed.error.issues[0]?.message}`,
            );
          return parsed.data;
        });
        const lines: string[] = [];
        const batch = new Set<string>();
        for (const item of items) {
          const keys = keysOf(item);
          if (keys.some((k) => known.has(k) || batch.has(k))) {
            outcome.duplicates++;
            continue;
          }
          for (const k of keys) batch.add(k);
          lines.push(JSON.stringify(item));
        }
        const bars: string[] = [];
        let changed = 0;
        const checked = (got.bars ?? []).map((b) => {
          const parsed = PriceBar.safeParse(b);
          if (!parsed.success)
            throw new Error(
              `${source.name} ${ticker}: a price bar does not fit: ${JSON.stringify(b).slice(0, 120)} (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`,
            );
          return parsed.data;
        });
        for (const b of checked) {
          const line = priceLine(b);
          const stored = rows.get(`${b.ticker} ${b.date}`);
          if (stored === undefined) bars.push(line);
          else if (stored === line) outcome.duplicates++;
          else changed++;
        }
        for (const k of batch) known.add(k);
        added.push(...lines);
        for (const line of bars) rows.set(line.split(",").slice(0, 2).join(" "), line);
        addedRows.push(...bars);
        outcome.added = lines.length + bars.length;
        if (got.bars) outcome.changed = changed;
        if (changed)
          outcome.notes.push(`${changed} price row(s) differ from the stored ones now (kept as first pulled)`);
      } catch (e) {
        outcome.error = scrub(messageOf(e));
        outcome.added = 0;
      }
      appendFileSync(
        join(o.dir, "provenance.jsonl"),
        `${JSON.stringify({
          source: source.name,
          ticker,
          from: o.from,
          to: o.to,
          fetched_at: now.toISOString(),
          backfill,
          requests: requests.map((r) => scrub(r)),
          added: outcome.added,
          duplicates: outcome.duplicates,
          ...(outcome.changed ? { changed: outcome.changed } : {}),
          ...(outcome.error ? { error: outcome.error } : {}),
        })}\n`,
        { mode: 0o600 },
      );
    }
  }
  if (added.length)
    writeAside(newsFile, `${newsText}${newsText && !newsText.endsWith("\n") ? "\n" : ""}${added.join("\n")}\n`);
  else if (!existsSync(newsFile)) writeAside(newsFile, "");
  if (addedRows.length || !existsSync(priceFile)) {
    const all = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, line]) => line);
    writeAside(priceFile, `${PRICE_HEADER.join(",")}\n${all.map((l) => `${l}\n`).join("")}`);
  }
  return { dir: o.dir, backfill, outcomes };
}

/** What the data dir's provenance log says: pulls made, how many were backfills, how many failed. */
export function pullHistory(dir: string): { pulls: number; backfills: number; failed: number } {
  const file = join(dir, "provenance.jsonl");
  const out = { pulls: 0, backfills: 0, failed: 0 };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const p = JSON.parse(line) as { backfill?: boolean; error?: string };
      out.pulls++;
      if (p.backfill) out.backfills++;
      if (p.error) out.failed++;
    } catch {
      // a torn last line of a crashed pull: not a pull
    }
  }
  return out;
}

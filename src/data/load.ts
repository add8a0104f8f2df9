/**
 * Loads a data dir (news.jsonl + prices.csv, see data/sample/README.md) point-in-time safe:
 * validated with zod, duplicates removed by id, items aligned to trading days by the 16:00 New York
 * close, spam bursts capped, oversized texts truncated. Every item that is not kept is counted in
 * the LoadReport: nothing is lost silently.
 */

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RunContext } from "../config/context.ts";
import { messageOf } from "../domain/errors.ts";
import { type Label, NewsItem, PriceBar, type TradingDay } from "../domain/schemas.ts";
import { scrub, secretValues } from "../observability/secrets.ts";
import { closeInstantMs, TradingCalendar } from "./calendar.ts";
import { DataError } from "./errors.ts";
import { labelOf, simpleReturn } from "./labels.ts";
import { type Progress, readLines } from "./read-lines.ts";

/**
 * How a data dir is read. The product reads it only through `readMarket` (src/runtime/market.ts: which dir, who may
 * read it, under which limits), which parses it here; sources never read it, they fill it (`stockmem data pull`).
 */
export interface LoadOptions {
  /** a run context's limits (items per day, text size, label threshold); the fields below win */
  ctx?: Pick<RunContext, "maxItemsPerDay" | "maxTextChars" | "labelThreshold">;
  /** Skip malformed lines (counted in the report) instead of failing on the first one. */
  skipInvalid?: boolean;
  /** Keep at most this many items per ticker-day (evenly spaced in time); the rest are counted as dropped. */
  maxItemsPerDay?: number;
  /** Texts longer than this are cut, with a marker saying how much was cut. */
  maxTextChars?: number;
  /** Only these tickers (others are counted as filtered). */
  tickers?: readonly string[];
  labelThreshold?: number;
  /**
   * Read the data as it stood at the close of this trading date: no price row after it (so its own
   * label is unknown) and no item published after its close. `daily --at` replays a day this way.
   */
  until?: string;
  onProgress?: (file: string) => Progress | undefined;
}

const LOAD_DEFAULTS = { maxItemsPerDay: 200, maxTextChars: 4000, labelThreshold: 0.01 } as const;

interface InvalidLine {
  file: string;
  line: number;
  reason: string;
}

export interface LoadReport {
  newsLines: number;
  priceRows: number;
  invalid: InvalidLine[];
  duplicateIds: number;
  emptyText: number;
  truncatedTexts: number;
  /** "TICKER date -> next date" of consecutive rows more than MAX_GAP_DAYS apart (their label spans the gap) */
  gaps: string[];
  /** price rows repeated to the letter (kept once) */
  identicalDuplicateRows: number;
  /** items whose text held a secret (an env value, a key or token shape), replaced by *** at load */
  scrubbedSecrets: number;
  filteredTickers: Record<string, number>;
  unknownTickers: Record<string, number>;
  beforePriceRange: Record<string, number>;
  afterPriceRange: Record<string, number>;
  /** items dropped by the per-day cap, keyed "TICKER date" */
  droppedBySpamCap: Record<string, number>;
  keptItems: number;
  /** price rows and items after the close of the `until` date (not read: the data as it stood at that close) */
  afterCutoff: number;
}

export interface TickerSeries {
  ticker: string;
  calendar: TradingCalendar;
  bars: readonly PriceBar[];
  days: readonly TradingDay[];
  /** items of each trading day, sorted by published_at then id; index = calendar index */
  itemsByDay: readonly (readonly NewsItem[])[];
}

export interface MarketData {
  dir: string;
  tickers: readonly string[];
  series: ReadonlyMap<string, TickerSeries>;
  report: LoadReport;
}

const INVALID_UTF8 = "invalid UTF-8: bytes that are not text (a Latin-1 file? convert it to UTF-8)";

const TRUNCATION_MARKER = (cut: number) => ` …[truncated ${cut} chars]`;
/** A title longer than this (or than --max-text-chars) is cut; titles are a line, not an article. */
const MAX_TITLE_CHARS = 1000;
/** The other free-text fields of an item (source, author, lang, file_date) are labels: cut past this. */
const MAX_FIELD_CHARS = 200;

/** A price cell: a plain decimal (no hex, no Infinity, no NaN). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

export const PRICE_HEADER = ["ticker", "date", "open", "high", "low", "close", "adj_close", "volume"] as const;

const bump = (rec: Record<string, number>, key: string, by = 1) => {
  rec[key] = (rec[key] ?? 0) + by;
};

function zodReason(err: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`).join("; ");
}

function emptyReport(): LoadReport {
  return {
    newsLines: 0,
    priceRows: 0,
    invalid: [],
    duplicateIds: 0,
    emptyText: 0,
    truncatedTexts: 0,
    scrubbedSecrets: 0,
    identicalDuplicateRows: 0,
    gaps: [],
    filteredTickers: {},
    unknownTickers: {},
    beforePriceRange: {},
    afterPriceRange: {},
    droppedBySpamCap: {},
    keptItems: 0,
    afterCutoff: 0,
  };
}

function fail(report: LoadReport, opts: LoadOptions, file: string, line: number, reason: string): void {
  if (!opts.skipInvalid) throw new DataError(file, line, `${reason} (use --skip-invalid to skip and count such lines)`);
  report.invalid.push({ file, line, reason });
}

async function loadPrices(file: string, report: LoadReport, opts: LoadOptions = {}): Promise<Map<string, PriceBar[]>> {
  const byTicker = new Map<string, Map<string, PriceBar>>();
  for await (const { line, text, invalidUtf8 } of readLines(file, opts.onProgress?.(file))) {
    if (invalidUtf8) {
      fail(report, opts, file, line, INVALID_UTF8);
      continue;
    }
    if (line === 1) {
      const header = text.trim().split(",");
      if (header.join(",") !== PRICE_HEADER.join(",")) {
        throw new DataError(file, 1, `expected the header "${PRICE_HEADER.join(",")}", got "${text.trim()}"`);
      }
      continue;
    }
    if (text.trim() === "") continue;
    report.priceRows++;
    const cells = text.split(",");
    if (cells.length !== PRICE_HEADER.length) {
      fail(report, opts, file, line, `expected ${PRICE_HEADER.length} columns, got ${cells.length}`);
      continue;
    }
    const raw: Record<string, unknown> = {};
    const notDecimal = PRICE_HEADER.find(
      (col, i) => col !== "ticker" && col !== "date" && cells[i]!.trim() !== "" && !DECIMAL.test(cells[i]!.trim()),
    );
    if (notDecimal) {
      fail(
        report,
        opts,
        file,
        line,
        `invalid price row: ${notDecimal}: "${cells[PRICE_HEADER.indexOf(notDecimal)]!.trim().slice(0, 40)}" is not a decimal number`,
      );
      continue;
    }
    PRICE_HEADER.forEach((col, i) => {
      const cell = cells[i]!.trim();
      raw[col] = col === "ticker" || col === "date" ? cell : cell === "" ? undefined : Number(cell);
    });
    const parsed = PriceBar.safeParse(raw);
    if (!parsed.success) {
      fail(report, opts, file, line, `invalid price row: ${zodReason(parsed.error)}`);
      continue;
    }
    const bar = parsed.data;
    if (opts.until && bar.date > opts.until) {
      report.afterCutoff++;
      continue;
    }
    const weekday = new Date(`${bar.date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) {
      fail(
        report,
        opts,
        file,
        line,
        `price row for ${bar.ticker} ${bar.date}: a ${weekday === 0 ? "Sunday" : "Saturday"} is not a trading day`,
      );
      continue;
    }
    const rows = byTicker.get(bar.ticker) ?? new Map<string, PriceBar>();
    byTicker.set(bar.ticker, rows);
    const same = rows.get(bar.date);
    if (same) {
      if (JSON.stringify(same) === JSON.stringify(bar))
        report.identicalDuplicateRows++; // a repeated row: noted, nothing lost
      else
        fail(
          report,
          opts,
          file,
          line,
          `duplicate price row for ${bar.ticker} ${bar.date} with other values than the first`,
        );
      continue;
    }
    rows.set(bar.date, bar);
  }
  return new Map(
    [...byTicker].map(([t, rows]) => [t, [...rows.values()].sort((a, b) => a.date.localeCompare(b.date))]),
  );
}

/** The most calendar days between two consecutive sessions (a holiday beside a weekend: Thursday to Monday). */
const MAX_GAP_DAYS = 4;

/**
 * The trading days of one ticker with the target of each (move t -> t+1); the last day has none. A target across
 * missing rows is marked.
 */
function tradingDays(bars: readonly PriceBar[], calendar: TradingCalendar, threshold: number): TradingDay[] {
  return bars.map((bar, i) => {
    const next = bars[i + 1];
    const nextReturn = next ? simpleReturn(bar.adj_close, next.adj_close) : null;
    const label: Label | null = nextReturn === null ? null : labelOf(nextReturn, threshold);
    const gap = next ? (Date.parse(next.date) - Date.parse(bar.date)) / 86_400_000 > MAX_GAP_DAYS : false;
    return {
      ticker: bar.ticker,
      date: bar.date,
      close_at: new Date(calendar.closes[i]!).toISOString(),
      next_return: nextReturn,
      label,
      ...(gap ? { spans_gap: true } : {}),
    };
  });
}

/** Evenly spaced selection of `cap` items (keeps first and last), deterministic. */
export function capEvenly<T>(items: readonly T[], cap: number): T[] {
  if (items.length <= cap) return [...items];
  if (cap <= 0) return [];
  if (cap === 1) return [items[0]!];
  const step = (items.length - 1) / (cap - 1);
  return Array.from({ length: cap }, (_, k) => items[Math.round(k * step)]!);
}

/** One news line parsed: the item, or the reason it is not one (malformed UTF-8 or JSON, or an invalid item). */
export function parseNewsLine(text: string, invalidUtf8 = false): NewsItem | string {
  if (invalidUtf8) return INVALID_UTF8;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `malformed JSON (${messageOf(e)})`;
  }
  const parsed = NewsItem.safeParse(json);
  return parsed.success ? parsed.data : `invalid news item: ${zodReason(parsed.error)}`;
}

/**
 * Whether a parsed item enters the data, and as what: duplicates, other tickers, unknown tickers and
 * empty items are counted in the report and left out; secrets are scrubbed (before anything can carry
 * them on, and before a cut could leave half of one) and long texts cut with a marker.
 */
function admit(
  item: NewsItem,
  c: {
    seen: Set<string>;
    only?: Set<string>;
    calendars: Map<string, TradingCalendar>;
    secrets: readonly string[];
    maxTextChars: number;
  },
  report: LoadReport,
): NewsItem | null {
  if (c.seen.has(item.id)) {
    report.duplicateIds++;
    return null;
  }
  c.seen.add(item.id);
  if (c.only && !c.only.has(item.ticker)) {
    bump(report.filteredTickers, item.ticker);
    return null;
  }
  if (!c.calendars.has(item.ticker)) {
    bump(report.unknownTickers, item.ticker);
    return null;
  }
  if (item.text.trim() === "" && !(item.title ?? "").trim()) {
    report.emptyText++;
    return null;
  }
  const clean = scrub(item.text, c.secrets);
  const title = item.title ? scrub(item.title, c.secrets) : item.title;
  if (clean !== item.text || title !== item.title) report.scrubbedSecrets++;
  item.text = clean;
  item.title = title;
  // every free-text field is bounded: a 10 MB title is as much a cost bomb as a 10 MB text
  let cut = false;
  const bound = (v: string, max: number) => {
    if (v.length <= max) return v;
    cut = true;
    return v.slice(0, max) + TRUNCATION_MARKER(v.length - max);
  };
  item.text = bound(item.text, c.maxTextChars);
  if (item.title) item.title = bound(item.title, Math.min(c.maxTextChars, MAX_TITLE_CHARS));
  for (const k of ["source", "author", "lang", "file_date"] as const) {
    const v = item[k];
    if (typeof v === "string") item[k] = bound(v, MAX_FIELD_CHARS);
  }
  if (cut) report.truncatedTexts++;
  return item;
}

/** Each ticker's series: its days' items in time order (capped evenly per day), its bars and labelled trading days. */
function buildSeries(
  calendars: Map<string, TradingCalendar>,
  prices: Map<string, PriceBar[]>,
  buckets: Map<string, NewsItem[][]>,
  o: { maxItemsPerDay: number; threshold: number },
  report: LoadReport,
): Map<string, TickerSeries> {
  const series = new Map<string, TickerSeries>();
  for (const [t, cal] of calendars) {
    const itemsByDay = buckets.get(t)!.map((items, i) => {
      items.sort((a, b) => a.published_at.localeCompare(b.published_at) || a.id.localeCompare(b.id));
      const kept = capEvenly(items, o.maxItemsPerDay);
      if (kept.length < items.length) report.droppedBySpamCap[`${t} ${cal.dates[i]}`] = items.length - kept.length;
      report.keptItems += kept.length;
      return kept;
    });
    const bars = prices.get(t)!;
    const days = tradingDays(bars, cal, o.threshold);
    days.forEach((d, i) => {
      if (d.spans_gap) report.gaps.push(`${t} ${d.date} -> ${bars[i + 1]!.date}`);
    });
    series.set(t, { ticker: t, calendar: cal, bars, days, itemsByDay });
  }
  return series;
}

export async function loadMarketData(dir: string, opts: LoadOptions = {}): Promise<MarketData> {
  const newsFile = join(dir, "news.jsonl");
  const priceFile = join(dir, "prices.csv");
  for (const f of [newsFile, priceFile]) {
    if (!existsSync(f))
      throw new Error(`data dir ${dir} has no ${f.slice(dir.length + 1)} (expected news.jsonl and prices.csv)`);
    // a FIFO would block the reader forever, a directory fails with a bare EISDIR: say which file and what it is
    const st = statSync(f);
    if (!st.isFile())
      throw new Error(
        `${f} is ${st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO" : "not a regular file"}: the data dir needs news.jsonl and prices.csv as files`,
      );
  }
  const maxItemsPerDay = opts.maxItemsPerDay ?? opts.ctx?.maxItemsPerDay ?? LOAD_DEFAULTS.maxItemsPerDay;
  const maxTextChars = opts.maxTextChars ?? opts.ctx?.maxTextChars ?? LOAD_DEFAULTS.maxTextChars;
  const threshold = opts.labelThreshold ?? opts.ctx?.labelThreshold ?? LOAD_DEFAULTS.labelThreshold;
  const only = opts.tickers ? new Set(opts.tickers) : undefined;
  const report = emptyReport();

  const prices = await loadPrices(priceFile, report, opts);
  if (prices.size === 0) throw new DataError(priceFile, 1, "no price rows: every ticker needs its daily prices");
  const calendars = new Map<string, TradingCalendar>();
  for (const [t, bars] of prices) {
    if (only && !only.has(t)) continue;
    calendars.set(t, new TradingCalendar(bars.map((b) => b.date)));
  }
  if (only) {
    for (const t of only)
      if (!calendars.has(t))
        throw new Error(`ticker ${t} has no rows in ${priceFile} (known: ${[...prices.keys()].join(", ")})`);
  }

  const buckets = new Map<string, NewsItem[][]>();
  for (const [t, cal] of calendars)
    buckets.set(
      t,
      Array.from({ length: cal.length }, () => []),
    );
  const seen = new Set<string>();
  const secrets = secretValues();

  for await (const { line, text, invalidUtf8 } of readLines(newsFile, opts.onProgress?.(newsFile))) {
    if (text.trim() === "") continue;
    report.newsLines++;
    const parsed = parseNewsLine(text, invalidUtf8);
    if (typeof parsed === "string") {
      fail(report, opts, newsFile, line, parsed);
      continue;
    }
    const item = admit(parsed, { seen, only, calendars, secrets, maxTextChars }, report);
    if (!item) continue;
    const at = calendars.get(item.ticker)!.align(Date.parse(item.published_at));
    if (at.kind === "before-range") bump(report.beforePriceRange, item.ticker);
    else if (at.kind === "after-range") {
      if (opts.until && Date.parse(item.published_at) > closeInstantMs(opts.until)) report.afterCutoff++;
      else bump(report.afterPriceRange, item.ticker);
    } else buckets.get(item.ticker)![at.index]!.push(item);
  }

  const series = buildSeries(calendars, prices, buckets, { maxItemsPerDay, threshold }, report);
  return { dir, tickers: [...series.keys()].sort(), series, report };
}

/**
 * A synthetic market of many tickers for the scale benches (issue 22, item 4): deterministic for a seed. News volume
 * per ticker-day is drawn from the bundled sample's own distribution, and texts are the sample's, retold about the
 * synthetic company. Prices are a random walk with realistic daily volatility (1 to 3 % a day, drawn per ticker) on
 * the NYSE's trading days. What a bench needs of a universe (width, volume, prices that move) without a data licence.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";
import { nextTradingDay } from "../src/data/exchange-holidays.ts";
import { loadMarketData } from "../src/data/load.ts";
import { lcg } from "./random.ts";

export interface UniverseOptions {
  tickers: number;
  /** trading days with news (one more, before them, anchors the first one's news window) */
  days: number;
  /** the first trading day with news, or the next one after it */
  from?: string;
  seed?: number;
}

/** The sample's companies, as its texts name them: retold about the synthetic company. */
const NAMES: Record<string, RegExp> = {
  AAPL: /\$AAPL\b|\bApple\b|\biPhone\b|\bTim Cook\b/gi,
  MSFT: /\$MSFT\b|\bMicrosoft\b|\bWindows\b|\bNadella\b/gi,
  INTC: /\$INTC\b|\bIntel\b|\bKrzanich\b/gi,
  ORCL: /\$ORCL\b|\bOracle\b|\bLarry Ellison\b/gi,
};

const tickerName = (i: number) => `U${String(i).padStart(3, "0")}`;

/** Writes `news.jsonl` and `prices.csv` of a synthetic universe into `dir`; returns what it drew. */
export async function writeUniverse(
  dir: string,
  o: UniverseOptions,
): Promise<{ tickers: string[]; dates: string[]; items: number }> {
  const rand = lcg(o.seed ?? 1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const sample = await loadMarketData(SAMPLE_DATA_DIR);
  // the sample's items per ticker-day (days after each series' anchor), and its texts with the company they are about
  const counts: number[] = [];
  const texts: { ticker: string; text: string }[] = [];
  for (const s of sample.series.values())
    s.itemsByDay.forEach((items, i) => {
      if (i === 0) return;
      counts.push(items.length);
      for (const it of items) texts.push({ ticker: s.ticker, text: it.text });
    });
  const dates = [o.from ?? "2015-10-01"];
  while (dates.length < o.days + 1) dates.push(nextTradingDay(dates.at(-1)!));
  const tickers = Array.from({ length: o.tickers }, (_, i) => tickerName(i));
  const prices = ["ticker,date,open,high,low,close,adj_close,volume"];
  const news: string[] = [];
  for (const t of tickers) {
    const vol = 0.01 + 0.02 * rand();
    let close = 20 + 180 * rand();
    dates.forEach((date, i) => {
      const prev = close;
      if (i > 0) close = prev * Math.exp(vol * normal());
      const [hi, lo] = [
        Math.max(prev, close) * (1 + vol * rand() * 0.5),
        Math.min(prev, close) * (1 - vol * rand() * 0.5),
      ];
      const f = (x: number) => x.toFixed(4);
      prices.push(
        [t, date, f(prev), f(hi), f(lo), f(close), f(close), 1_000_000 + Math.floor(rand() * 9_000_000)].join(","),
      );
      if (i === 0) return;
      const [open, shut] = [closeInstantMs(dates[i - 1]!), closeInstantMs(date)];
      const n = counts[Math.floor(rand() * counts.length)]!;
      for (let k = 0; k < n; k++) {
        const src = texts[Math.floor(rand() * texts.length)]!;
        const text = src.text.replace(NAMES[src.ticker] ?? /$^/, (m) => (m.startsWith("$") ? `$${t}` : `Company ${t}`));
        const at = new Date(open + 1000 + Math.floor(rand() * (shut - open - 1000))).toISOString();
        news.push(JSON.stringify({ id: `${t}-${date}-${k}`, ticker: t, published_at: at, text, source: "synthetic" }));
      }
    });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "prices.csv"), `${prices.join("\n")}\n`);
  writeFileSync(join(dir, "news.jsonl"), `${news.join("\n")}\n`);
  return { tickers, dates, items: news.length };
}

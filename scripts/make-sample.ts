/**
 * Rebuilds data/sample/ from the full StockNet ACL18 tech subset:
 *   npx tsx scripts/make-sample.ts ../shared/data/stocknet-acl18-tech
 * Keeps 4 tickers, trading days 2015-06-01..2015-12-31 (+ the anchor row 2015-05-29 and the
 * label row 2016-01-04), and the news published in (close 2015-05-29, close 2015-12-31].
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";

const src = process.argv[2];
if (!src) throw new Error("usage: tsx scripts/make-sample.ts <stocknet-acl18-tech dir>");
const TICKERS = new Set(["AAPL", "MSFT", "INTC", "ORCL"]);
const FIRST_PRICE = "2015-05-29";
const LAST_PRICE = "2016-01-04";
const from = closeInstantMs(FIRST_PRICE);
const to = closeInstantMs("2015-12-31");

const prices = readFileSync(join(src, "prices.csv"), "utf8").trim().split("\n");
const keptPrices = prices.filter((row, i) => {
  if (i === 0) return true;
  const [t, d] = row.split(",");
  return TICKERS.has(t!) && d! >= FIRST_PRICE && d! <= LAST_PRICE;
});
writeFileSync(join(SAMPLE_DATA_DIR, "prices.csv"), `${keptPrices.join("\n")}\n`);

const news = readFileSync(join(src, "news.jsonl"), "utf8").trim().split("\n");
const keptNews = news.filter((line) => {
  const item = JSON.parse(line) as { ticker: string; published_at: string };
  const at = Date.parse(item.published_at);
  return TICKERS.has(item.ticker) && at > from && at <= to;
});
writeFileSync(join(SAMPLE_DATA_DIR, "news.jsonl"), `${keptNews.join("\n")}\n`);
copyFileSync(join(src, "LICENSE"), join(SAMPLE_DATA_DIR, "LICENSE"));
console.log(`sample: ${keptPrices.length - 1} price rows, ${keptNews.length} news items -> ${SAMPLE_DATA_DIR}`);

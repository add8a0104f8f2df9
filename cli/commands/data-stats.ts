/** `stockmem data stats`: items, trading days and labels per ticker. */

import { pullHistory } from "../../src/data/pull.ts";
import { describeReport } from "../../src/data/report.ts";
import { dataStats } from "../../src/data/stats.ts";
import { table } from "../../src/metrics/table.ts";
import { marketDirOf, readMarket } from "../../src/runtime/market.ts";
import { noteLine } from "../colour.ts";
import { defineCommand } from "../command.ts";
import { calendarDate, DATA_OPTIONS, loadOptions } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const dateFlag = (v: unknown, name: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v))
    throw new UsageError(`--${name} expects a date YYYY-MM-DD, got "${String(v)}"`);
  return calendarDate(v, `--${name}`);
};

const DATA_STATS_OPTIONS = {
  ...DATA_OPTIONS,
  from: { type: "string", arg: "D", description: "first trading day counted" },
  to: { type: "string", arg: "D", description: "last trading day counted" },
  json: { type: "boolean", description: "the figures and the full load report as JSON" },
} as const satisfies FlagSpecs;

async function dataStatsCommand(values: ValuesOf<typeof DATA_STATS_OPTIONS>): Promise<void> {
  const opts = loadOptions(values);
  const [from, to] = [dateFlag(values.from, "from"), dateFlag(values.to, "to")];
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}: nothing to count`);
  const dir = marketDirOf(opts);
  const data = await readMarket({ ...opts, dataDir: dir });
  const stats = dataStats(data, from, to);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...stats, pulls: pullHistory(dir), report: data.report }, null, 2)}\n`);
    return;
  }
  console.log(
    `data: ${stats.dir}   days: ${stats.from === null ? "none in the window" : `${stats.from} .. ${stats.to}`}   (label of day t = move t -> t+1, ±1 %)`,
  );
  console.log(
    table(
      ["ticker", "items", "trading days", "days with items", "up", "down", "flat", "unlabeled"],
      stats.tickers.map((t) => [
        t.ticker,
        t.items,
        t.trading_days,
        t.days_with_items,
        t.labels.up,
        t.labels.down,
        t.labels.flat,
        t.labels.unlabeled,
      ]),
    ),
  );
  const bySource = Object.entries(stats.sources).sort(([a], [b]) => a.localeCompare(b));
  if (bySource.length) console.log(`items by source: ${bySource.map(([s, n]) => `${s} ${n}`).join(", ")}`);
  const pulls = pullHistory(dir);
  if (pulls.pulls)
    console.log(
      `pulled: ${stats.pulled} items by ${pulls.pulls} source-ticker pulls (provenance.jsonl)${pulls.backfills ? `; ${pulls.backfills} were backfills of past dates, whose published_at is trusted` : ""}${pulls.failed ? `; ${pulls.failed} failed` : ""}`,
    );
  for (const line of describeReport(data.report)) console.log(noteLine(line));
}

export default defineCommand({
  words: ["data", "stats"],
  about: "items, trading days and labels per ticker",
  flags: DATA_STATS_OPTIONS,
  run: dataStatsCommand,
});

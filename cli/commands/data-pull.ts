/** `stockmem data pull --source NAME[,NAME] --tickers A,B --from D [--to D] [--data DIR] [--feed URL]`. */
import { marketDataDir } from "../../src/config/paths.ts";
import { pullData } from "../../src/data/pull.ts";
import { SOURCES, type SourceName } from "../../src/data/sources/index.ts";
import { table } from "../../src/metrics/table.ts";
import { noteLine } from "../colour.ts";
import { defineCommand } from "../command.ts";
import { calendarDate, sourcesFlag, tickersFlag } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const names = Object.keys(SOURCES) as SourceName[];

const PULL_OPTIONS = {
  source: {
    type: "string",
    arg: "NAME[,NAME]",
    description: `the sources: ${names.map((n) => `${n} (${SOURCES[n].about})`).join("; ")}`,
  },
  tickers: { type: "string", arg: "A,B", description: "the tickers to pull" },
  from: { type: "string", arg: "D", description: "first date" },
  to: { type: "string", arg: "D", description: "last date (default: today)" },
  data: {
    type: "string",
    arg: "DIR",
    description: "the data dir to fill (default: STOCKMEM_MARKET_DATA, else the sample)",
  },
  feed: {
    type: "string",
    multiple: true,
    arg: "URL",
    description: "an RSS or Atom feed for the rss source, with {ticker} in it",
  },
} as const satisfies FlagSpecs;

async function pullCommand(v: ValuesOf<typeof PULL_OPTIONS>): Promise<void> {
  const chosen = sourcesFlag(v.source);
  if (!chosen.length) throw new UsageError(`data pull needs --source NAME (sources: ${names.join(", ")})`);
  const tickers = tickersFlag(v.tickers);
  if (!tickers?.length) throw new UsageError("data pull needs --tickers A,B");
  if (!v.from) throw new UsageError("data pull needs --from D");
  const from = calendarDate(v.from, "--from");
  const to = v.to ? calendarDate(v.to, "--to") : new Date().toISOString().slice(0, 10);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const env = v.feed?.length ? { ...process.env, STOCKMEM_RSS_FEEDS: v.feed.join(",") } : process.env;
  const dir = marketDataDir(v.data);
  const r = await pullData({ dir, sources: chosen, tickers, from, to, env });
  console.log(`data pull into ${r.dir}, ${from}..${to}${r.backfill ? " (a backfill: published_at is trusted)" : ""}`);
  console.log(
    table(
      ["source", "ticker", "added", "already there", "failed"],
      r.outcomes.map((x) => [x.source, x.ticker, x.added, x.duplicates, x.error ?? ""]),
    ),
  );
  for (const x of r.outcomes) for (const n of x.notes) console.log(noteLine(n));
  const failed = r.outcomes.filter((x) => x.error).length;
  if (failed)
    throw new Error(`${failed} of ${r.outcomes.length} source-ticker pulls failed (above); the others were kept`);
}

export default defineCommand({
  resumable: true,
  words: ["data", "pull"],
  about: `pull prices, news or filings into the data dir (sources: ${names.join(", ")})`,
  flags: PULL_OPTIONS,
  run: pullCommand,
});

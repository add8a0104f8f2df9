/**
 * `stockmem daily --run NAME [--at DATE]`: grows a run through the latest trading day whose close is in
 * its data and prints the calls for the next trading day, with their reasons, key events and references.
 */
import { estimateDaily, executeDaily } from "../../app/daily.ts";
import { SOURCES } from "../../src/data/sources/index.ts";
import { painter } from "../colour.ts";
import { defineCommand } from "../command.ts";
import { calendarDate, sourcesFlag } from "../data-flags.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { estimateLines, usageLines } from "../lines.ts";
import { runProgress } from "../progress.ts";
import { DRY_RUN_OPTIONS, pricesOf } from "../run-flags.ts";

const DAILY_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "the run to grow (started once with `stockmem run`)" },
  at: {
    type: "string",
    arg: "DATE",
    description: "replay as if DATE were today: only data available by its close is read",
  },
  json: { type: "boolean", description: "the day's report as JSON" },
  pull: {
    type: "string",
    arg: "NAME[,NAME]",
    description: `pull these sources into the run's data dir first (${Object.keys(SOURCES).join(", ")}; see data pull)`,
  },
  feed: {
    type: "string",
    multiple: true,
    arg: "URL",
    description: "an RSS or Atom feed for --pull rss, with {ticker}",
  },
  ...DRY_RUN_OPTIONS,
} as const satisfies FlagSpecs;

async function dailyCommand(values: ValuesOf<typeof DAILY_OPTIONS>): Promise<void> {
  if (!values.run) throw new UsageError("daily needs --run NAME (a run started once with `stockmem run`)");
  const at = values.at === undefined ? undefined : calendarDate(values.at, "--at");
  if (values["dry-run"]) {
    const { days, estimate } = await estimateDaily({ run: values.run, at });
    console.log(
      days.length
        ? `the next daily grows run "${values.run}" by ${days.join(", ")}`
        : `run "${values.run}" is up to date: no new trading day`,
    );
    console.log(estimateLines(estimate, pricesOf(values)));
    return;
  }
  const progress = values.json ? undefined : runProgress();
  const pull = sourcesFlag(values.pull);
  const res = await executeDaily({
    run: values.run,
    pull,
    env: values.feed?.length ? { ...process.env, STOCKMEM_RSS_FEEDS: values.feed.join(",") } : undefined,
    at,
    quiet: values.json,
    onProgress: progress?.update,
    onNote: (n) => progress?.note(n),
    onCalls: (c) => progress?.calls(c),
  });
  progress?.end();
  const r = res.report;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const paint = painter(process.stdout);
  console.log(
    `\nrun "${r.run}": calls for ${r.for}, made at the close of ${r.date}${r.at ? ` (data as of ${r.at})` : ""}`,
  );
  for (const c of r.calls) {
    console.log(
      `\n${paint("bold", c.ticker)}  ${paint(c.movement === "up" ? "green" : "red", c.movement.toUpperCase())}  ${c.reason}`,
    );
    for (const e of c.key_events.slice(0, 3))
      console.log(`  event: ${e.description}${e.chain_depth ? ` (stage ${e.chain_depth + 1} of its story)` : ""}`);
    if (c.references.length) console.log(`  references: ${c.references.join(", ")}`);
  }
  const all = r.scores.find((s) => s.ticker === "ALL");
  if (all)
    console.log(
      `\nrecord so far: ${all.scored} scored calls, ACC ${(100 * all.acc).toFixed(1)} %, MCC ${all.mcc.toFixed(3)} (always up ${(100 * all.alwaysUpAcc).toFixed(1)} %)`,
    );
  const e = r.equity;
  if (e.days)
    console.log(
      `as a signal (long on up, short on down, no costs) over ${e.days} day(s): ${(100 * e.signal).toFixed(1)} %, buy-and-hold ${(100 * e.buyHold).toFixed(1)} %`,
    );
  console.log(`report: ${res.html}${res.run ? `\n${usageLines(res.run.usage)}` : ""}`);
}

export default defineCommand({
  resumable: true,
  words: ["daily"],
  about: "grow a run through the latest close in its data and print the calls for the next trading day",
  flags: DAILY_OPTIONS,
  run: dailyCommand,
});

/**
 * The daily loop (`stockmem daily`): a run grown through the latest trading day whose close is in its
 * data, and the calls it makes for the next trading day, kept as `runs/<run>/daily/<date>.json` and
 * `.html`. With `at`, the data is read as it stood at the close of that date (a replay: tests, demos).
 * Growing a run day by day gives the same predictions as one run over the whole window: the days are
 * the same days, each seen as of its own close.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dailyDir, predictionsFile, runRecordFile } from "../src/config/paths.ts";
import { closeInstantMs } from "../src/data/calendar.ts";
import { nextTradingDay } from "../src/data/exchange-holidays.ts";
import type { MarketData } from "../src/data/load.ts";
import { pullData } from "../src/data/pull.ts";
import type { MarketSource } from "../src/data/sources/source.ts";
import type { AgentName } from "../src/domain/agents.ts";
import type { StoredEvent } from "../src/domain/events.ts";
import { parseRecordId } from "../src/memory/records.ts";
import { backtest } from "../src/metrics/backtest.ts";
import type { AgentRuntime } from "../src/runtime/agent-runtime.ts";
import type { Resources } from "../src/runtime/resources.ts";
import {
  type PredictionRecord,
  type RunRecord,
  readPredictions,
  readRunRecord,
  writeWhole,
} from "../src/runtime/run-files.ts";
import { type DailyCall, type DailyReport, dailyHtml } from "./daily-report.ts";
import { type AgentEstimate, type CostEstimate, estimateRun } from "./dry-run.ts";
import { executeRun, lastTradingDay, type RunOptions, type RunResult, runData, tradingDaysOf } from "./run.ts";

export interface DailyOptions {
  run: string;
  /** pull these sources into the run's data dir first, from its last close through today (or `at`) */
  pull?: readonly MarketSource[];
  /** the environment the sources read (keys, feeds, base URLs); default: the process's */
  env?: NodeJS.ProcessEnv;
  /** replay as if this date were today: only data available by its close is read */
  at?: string;
  quiet?: boolean;
  chatModel?: AgentRuntime["chatModel"];
  onProgress?: RunOptions["onProgress"];
  onNote?: (note: string) => void;
  onCalls?: RunOptions["onCalls"];
}

export interface DailyResult {
  report: DailyReport;
  /** the run's result when it ran (grew, or found nothing new); absent when the day asked is behind the run */
  run?: RunResult;
  /** the day's report files */
  json: string;
  html: string;
  notes: string[];
}

/** The run's record, or an error saying how to start the run. */
function runRecordOf(run: string): RunRecord {
  const record = readRunRecord(runRecordFile(run));
  if (!record)
    throw new Error(
      `run "${run}" has not been started here (no ${runRecordFile(run)}): start it once with \`stockmem run --run ${run} --train FROM:TO --test FROM:TO\`, then \`stockmem daily --run ${run}\` grows it`,
    );
  return record;
}

export async function executeDaily(o: DailyOptions): Promise<DailyResult> {
  const record = runRecordOf(o.run);
  const notes: string[] = [];
  const note = (n: string) => {
    notes.push(n);
    o.onNote?.(n);
  };
  const base = { ctx: record.ctx, dataDir: record.dataDir, tickers: record.tickers };
  if (o.pull?.length) {
    const before = await runData(base);
    const from = lastTradingDay(before, record.tickers) ?? record.testFrom;
    const to = o.at ?? new Date().toISOString().slice(0, 10);
    const pulled = await pullData({
      dir: record.dataDir,
      sources: o.pull,
      tickers: record.tickers?.length ? record.tickers : before.tickers,
      from,
      to,
      env: o.env,
    });
    for (const x of pulled.outcomes)
      note(
        x.error
          ? `pull ${x.source} ${x.ticker} failed, the run goes on with the data it has: ${x.error}`
          : `pull ${x.source} ${x.ticker}: ${x.added} added, ${x.duplicates} already there`,
      );
  }
  const data = await runData({ ...base, until: o.at });
  const tickers = record.tickers?.length ? record.tickers : data.tickers;
  const last = lastTradingDay(data, tickers);
  if (!last || last < record.testFrom)
    throw new Error(
      `the data in ${record.dataDir} has no trading day from ${record.testFrom} on${o.at ? ` by the close of ${o.at}` : ""} (last: ${last ?? "none"}): nothing to predict yet`,
    );
  if (o.at && !tickers.some((t) => data.series.get(t)?.calendar.indexOf(o.at!) !== undefined))
    note(`${o.at} is not a trading day in the data (its last close is ${last}): the calls of ${last} stand`);
  const recorded = readPredictions(predictionsFile(o.run)).filter((p) => tickers.includes(p.ticker));
  const through = lastPredicted(recorded, tickers);
  if (through > last)
    return pastDay(
      o.run,
      last,
      o.at,
      recorded,
      through,
      notes,
      equityOf(
        recorded.filter((p) => p.date <= last),
        data,
      ),
    );
  const dayEvents = new Map<string, DailyCall["key_events"]>();
  let predictions: PredictionRecord[] = [];
  const reflections = new Map<string, { id: string; label: string; reason: string }>();
  const run = await executeRun({
    ...base,
    train: record.train,
    test: { from: record.testFrom, to: last },
    data,
    quiet: o.quiet,
    chatModel: o.chatModel,
    onProgress: o.onProgress,
    onNote: note,
    onCalls: o.onCalls,
    afterRun: async (r) => {
      const asOf = new Date(closeInstantMs(last)).toISOString();
      for (const t of tickers) {
        const picked = keyEvents(await r.store.getEvents({ asOf, ticker: t, from: last, to: last }));
        dayEvents.set(t, await Promise.all(picked.map((e) => withChain(r.store, asOf, e))));
      }
      // the run's predictions once it is done (read once: the calls, their citations, the record)
      predictions = readPredictions(predictionsFile(o.run)).filter((p) => tickers.includes(p.ticker));
      // the reflections the day's calls cited, as the memory held them at the call
      const cited = predictions.flatMap((p) => (p.date === last ? p.references : []));
      for (const id of new Set(cited)) {
        const ref = parseRecordId(id);
        if (ref?.kind !== "reflection") continue;
        const [f] = await r.store.getReflections({ asOf, ticker: ref.ticker, from: ref.date, to: ref.date });
        if (f) reflections.set(id, { id, label: f.label, reason: f.reason });
      }
    },
  });
  const preds = predictions.filter((p) => p.date === last);
  const report: DailyReport = {
    run: o.run,
    date: last,
    for: nextTradingDay(last),
    ...(o.at ? { at: o.at } : {}),
    calls: callsOf(preds, (p) => ({
      key_events: dayEvents.get(p.ticker) ?? [],
      reflections: p.references.flatMap((id) => reflections.get(id) ?? []),
    })),
    scores: run.scores,
    equity: equityOf(predictions, data),
  };
  const json = join(dailyDir(o.run), `${last}.json`);
  const html = join(dailyDir(o.run), `${last}.html`);
  writeWhole(json, `${JSON.stringify(report, null, 2)}\n`);
  writeWhole(html, dailyHtml(report));
  return { report, run, json, html, notes: [...notes, ...run.notes.filter((n) => !notes.includes(n))] };
}

/**
 * A replay of a day the run has already gone past: the report that day's call wrote, or else its
 * calls as recorded (the run is never rewound; its memory has moved on, so no key events are read).
 */
function pastDay(
  run: string,
  day: string,
  at: string | undefined,
  recorded: readonly PredictionRecord[],
  through: string,
  notes: string[],
  equity: DailyReport["equity"],
): DailyResult {
  notes.push(`run "${run}" has run through ${through}: these are the calls it recorded at the close of ${day}`);
  const json = join(dailyDir(run), `${day}.json`);
  const html = join(dailyDir(run), `${day}.html`);
  if (existsSync(json)) return { report: JSON.parse(readFileSync(json, "utf8")) as DailyReport, json, html, notes };
  const report: DailyReport = {
    run,
    date: day,
    for: nextTradingDay(day),
    ...(at ? { at } : {}),
    calls: callsOf(
      recorded.filter((p) => p.date === day),
      () => ({ key_events: [], reflections: [] }),
    ),
    scores: [],
    equity,
  };
  writeWhole(json, `${JSON.stringify(report, null, 2)}\n`);
  writeWhole(html, dailyHtml(report));
  return { report, json, html, notes };
}

/** The last day a run predicted for these tickers ("" before its first). */
const lastPredicted = (preds: readonly PredictionRecord[], tickers: readonly string[]): string =>
  preds.reduce((d, p) => (tickers.includes(p.ticker) && p.date > d ? p.date : d), "");

/** A day's predictions as calls, in ticker order, with what memory adds to each. */
function callsOf(
  preds: readonly PredictionRecord[],
  more: (p: PredictionRecord) => Pick<DailyCall, "key_events" | "reflections">,
): DailyCall[] {
  return [...preds]
    .sort((a, b) => a.ticker.localeCompare(b.ticker))
    .map((p) => ({
      ticker: p.ticker,
      date: p.date,
      movement: p.movement,
      reason: p.reason,
      references: p.references,
      ...more(p),
    }));
}

/** The calls so far whose next close is known, as a signal beside buy-and-hold (src/metrics/backtest.ts). */
function equityOf(preds: readonly PredictionRecord[], data: MarketData): DailyReport["equity"] {
  const signals = preds.map((p) => {
    const s = data.series.get(p.ticker);
    const i = s?.calendar.indexOf(p.date);
    return {
      ticker: p.ticker,
      date: p.date,
      movement: p.movement,
      next_return: i === undefined ? null : (s!.days[i]?.next_return ?? null),
    };
  });
  const { portfolio } = backtest(signals);
  return {
    days: portfolio.strategy.days,
    signal: portfolio.strategy.cumulativeReturn,
    buyHold: portfolio.buyHold.cumulativeReturn,
    curve: { dates: portfolio.curve.dates, signal: portfolio.curve.strategy, buyHold: portfolio.curve.buyHold },
  };
}

/** The day's events worth reading first: the longest stories, then those with news against their chain. */
function keyEvents(events: readonly StoredEvent[], max = 5): StoredEvent[] {
  const seen = new Set<string>();
  return [...events]
    .sort(
      (a, b) =>
        b.chain_depth - a.chain_depth ||
        Number(b.delta !== null && b.delta.direction !== "neutral") -
          Number(a.delta !== null && a.delta.direction !== "neutral") ||
        a.id.localeCompare(b.id),
    )
    .filter((e) => !seen.has(e.description) && seen.add(e.description))
    .slice(0, max);
}

/** A key event with the earlier stages of its story (its stored predecessor links), oldest first. */
async function withChain(
  store: Resources["store"],
  asOf: string,
  e: StoredEvent,
): Promise<DailyCall["key_events"][number]> {
  const chain: { date: string; description: string }[] = [];
  let at = e.predecessor_id;
  while (at && chain.length < 4) {
    const [prev] = await store.getEvents({ asOf, ids: [at] });
    if (!prev) break;
    chain.unshift({ date: prev.date, description: prev.description });
    at = prev.predecessor_id;
  }
  return {
    id: e.id,
    type: e.type,
    description: e.description,
    chain_depth: e.chain_depth,
    delta: e.delta ? `${e.delta.direction}: ${e.delta.text}` : null,
    chain,
  };
}

/**
 * `daily --dry-run`: the model calls and tokens the next `daily` would spend, nothing sent. The run is
 * rehearsed twice on throwaway memory (app/dry-run.ts), through its last committed day and through the
 * data's last close: the difference is what the new days cost (the rehearsal is deterministic).
 */
export async function estimateDaily(
  o: Pick<DailyOptions, "run" | "at">,
): Promise<{ days: string[]; estimate: CostEstimate }> {
  const record = runRecordOf(o.run);
  const base = { ctx: record.ctx, dataDir: record.dataDir, tickers: record.tickers };
  const data = await runData({ ...base, until: o.at });
  const tickers = record.tickers?.length ? record.tickers : data.tickers;
  const last = lastTradingDay(data, tickers) ?? record.testFrom;
  const through = lastPredicted(readPredictions(predictionsFile(o.run)), tickers);
  const days = tradingDaysOf(data, tickers, through).filter((d) => d <= last);
  const rehearse = (to: string) =>
    estimateRun({ ...base, train: record.train, test: { from: record.testFrom, to }, data });
  const zero = { calls: 0, inputTokens: 0, outputTokens: 0 };
  if (!days.length) return { days, estimate: { byAgent: new Map(), total: zero, tickerDays: 0 } };
  const [before, after] = [through ? await rehearse(through) : undefined, await rehearse(last)];
  const byAgent = new Map<AgentName, AgentEstimate>();
  for (const [agent, a] of after.byAgent) {
    const b = before?.byAgent.get(agent) ?? zero;
    const d = {
      calls: a.calls - b.calls,
      inputTokens: a.inputTokens - b.inputTokens,
      outputTokens: a.outputTokens - b.outputTokens,
    };
    if (d.calls > 0) byAgent.set(agent, d);
  }
  const total = [...byAgent.values()].reduce(
    (t, a) => ({
      calls: t.calls + a.calls,
      inputTokens: t.inputTokens + a.inputTokens,
      outputTokens: t.outputTokens + a.outputTokens,
    }),
    zero,
  );
  return { days, estimate: { byAgent, total, tickerDays: after.tickerDays - (before?.tickerDays ?? 0) } };
}

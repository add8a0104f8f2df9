/**
 * The news run ahead of the day loop (issue 22, the day's critical path). A ticker-day's load -> extract -> merge read
 * nothing but that day's news: no memory, no label, no other ticker. So on the LLM path the run starts them for a
 * ticker's next `newsAhead` trading days while the day loop is still on today, and the day's ingest picks the merged
 * events up and only tracks them. The day itself then waits for [reflect | track] -> judge -> predict alone.
 *
 * - Same results: the steps are the ingest graph's own (its `news` part), on the same input; the answers are the
 *   same answers, asked earlier.
 * - Same limiter and budget: work ahead takes the slots the day loop's calls leave free (it ranks after them, the
 *   nearer day first), and becomes urgent, rank 0, when its day is reached. A run with a budget does not run ahead, so
 *   that it stops exactly where it would have.
 * - Bounded: at most `newsAhead` days per ticker, held until their day takes them.
 * - Nothing paid for is lost to a kill: every answer is in the response cache the moment it arrives (atomic, one file
 *   per answer), so a resumed run's ingest finds what the killed run received and re-asks nothing. (With --no-cache,
 *   a kill loses what was asked ahead, as it loses the day in flight.)
 * - A failure ahead (a model that keeps answering badly) is the failure of the ticker-day that takes it, with the same
 *   error, at the point of the run it would have come from.
 */

import { modelIdFor } from "../../agents/kit.ts";
import type { MergedEvent } from "../../src/domain/events.ts";
import { isOffline } from "../../src/models/provider.ts";
import type { Resources } from "../../src/runtime/resources.ts";

/** What the news-only steps of a ticker-day give: its asOf and its merged events. */
interface News {
  asOf: string;
  merged: MergedEvent[];
}

interface Job {
  news: Promise<News>;
  /** its day is reached: its calls rank with the day's own from now on */
  hurry(): void;
}

/** Whether a run's news-only steps go ahead of its day loop: a model answers them, and no budget or dry run. */
export function runsAhead(r: Resources): boolean {
  const c = r.ctx;
  return (
    c.newsAhead > 0 &&
    c.memoryMode === "events" &&
    !r.dryRun &&
    c.budgetCalls === null &&
    c.budgetTokens === null &&
    (!isOffline(modelIdFor(c, "extractor")) || !isOffline(modelIdFor(c, "merger")))
  );
}

class NewsAhead {
  private readonly jobs = new Map<string, Job>();
  private stopped = false;

  constructor(private readonly r: Resources) {}

  /**
   * Starts the news-only steps of a ticker-day, unless they were started already; `index` is the day's place among
   * the run's trading days (the nearer day goes first). `run` gets the run's resources with the limiter that ranks its
   * calls.
   */
  start(ticker: string, date: string, index: number, run: (r: Resources) => Promise<News>): void {
    const key = `${ticker} ${date}`;
    if (this.stopped || this.jobs.has(key)) return;
    let urgent = false;
    const rank = () => (urgent ? 0 : 1 + index);
    const ended = () => Promise.reject(new Error(`the run ended before the news of ${key} was needed`));
    const limiter: Resources["limiter"] = (fn) => this.r.limiter(() => (this.stopped ? ended() : fn()), rank);
    const news = run({ ...this.r, limiter });
    news.catch(() => {}); // a failure is the taker's (see `take`); a day never taken must not crash the process
    this.jobs.set(key, { news, hurry: () => (urgent = true) });
  }

  /** The news of a ticker-day started ahead (it is urgent from now on), or undefined: do it now. */
  take(ticker: string, date: string): Promise<News> | undefined {
    const key = `${ticker} ${date}`;
    const job = this.jobs.get(key);
    if (!job) return undefined;
    this.jobs.delete(key);
    job.hurry();
    return job.news;
  }

  /** No more calls ahead: the run ended (finished, failed or stopped). */
  stop(): void {
    this.stopped = true;
    this.jobs.clear();
  }
}

const ahead = new WeakMap<Resources, NewsAhead>();

/** The run's news ahead (one per run's resources), or undefined when the run does not run ahead. */
export function newsAheadOf(r: Resources): NewsAhead | undefined {
  if (!runsAhead(r)) return undefined;
  let a = ahead.get(r);
  if (!a) {
    a = new NewsAhead(r);
    ahead.set(r, a);
  }
  return a;
}

/** Stops a run's work ahead (what is in flight finishes; nothing more is asked). */
export function stopAhead(r: Resources): void {
  ahead.get(r)?.stop();
}

/**
 * Runs the run graph as a durable thread: the entry point of the CLI, the evals and the bench.
 *
 * A run is a LangGraph thread (id = run name) in the checkpointer (SQLite in the state dir, or
 * PostgreSQL). Starting it again resumes the thread where it stopped. Before resuming, the memory
 * is checked against the fingerprint the last checkpoint recorded, and the run's files against their
 * committed lengths: a resume on other memory, or on edited files, stops with a message naming
 * --fresh. One process per run: a lock file with its PID.
 */

import { getMaxListeners, setMaxListeners } from "node:events";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { modelIds } from "../agents/registry.ts";
import { buildRunGraph, RECURSION_LIMIT } from "../graphs/run.ts";
import { stopAhead } from "../graphs/steps/ahead.ts";
import type { RunContext } from "../src/config/context.ts";
import {
  chromaDir,
  grpoFile,
  predictionsFile,
  privateStateDir,
  runDir,
  runRecordFile,
  stateDir,
} from "../src/config/paths.ts";
import { describeLate, shiftLateItems } from "../src/data/late.ts";
import type { MarketData } from "../src/data/load.ts";
import { describeReport } from "../src/data/report.ts";
import { DiskFullError, isDiskFull, messageOf } from "../src/domain/errors.ts";
import { type ChromaEndpoint, ChromaStartError, connectChroma } from "../src/memory/chroma-server.ts";
import { type Fingerprint, fingerprintDiff } from "../src/memory/port.ts";
import { resetRun } from "../src/memory/store.ts";
import type { ScoreRow } from "../src/metrics/summary.ts";
import { checkModels } from "../src/models/preflight.ts";
import type { Usage } from "../src/models/usage.ts";
import { leanRunContext } from "../src/observability/lean-context.ts";
import { LocalTracer, traceFile } from "../src/observability/trace.ts";
import type { AgentRuntime } from "../src/runtime/agent-runtime.ts";
import {
  CheckpointDamagedError,
  type Checkpointer,
  isDamage,
  moveAside,
  openCheckpointer,
} from "../src/runtime/checkpointer.ts";
import { diskAlmostFull } from "../src/runtime/gc.ts";
import { countLines, cutToCommitted, describeCut, LedgerIntegrityError } from "../src/runtime/ledger.ts";
import { lockRun } from "../src/runtime/lock.ts";
import { readMarket } from "../src/runtime/market.ts";
import { openResources, type Resources, withResources } from "../src/runtime/resources.ts";
import { type RunRecord, readPredictions, readRunRecord, writeWhole } from "../src/runtime/run-files.ts";
import { freeRunName, sameSettings, settingsDiff } from "../src/runtime/settings.ts";
import { noReferenceNotes } from "./no-references.ts";

class RunIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunIntegrityError";
  }
}

export interface RunResult {
  scores: ScoreRow[];
  predictionsFile: string;
  traceFile: string;
  usage: Usage;
  /** what the run reported: resumed, cut files, a lock taken over */
  notes: string[];
  /** true when the thread had finished already and nothing ran */
  alreadyDone: boolean;
}

/** The model calls of a run as they go: answered so far, from the cache, and in flight per agent. */
interface CallsEvent {
  calls: number;
  cacheHits: number;
  inFlight: Record<string, number>;
}

/** A progress event of the run graph's custom stream. */
interface ProgressEvent {
  kind: "progress";
  phase: "reflect" | "ingest" | "predict" | "commit";
  date: string | null;
  day: number;
  days: number;
  done: number;
  total: number;
  calls: number;
  cacheHits: number;
}

export interface RunOptions {
  ctx: RunContext;
  dataDir: string;
  tickers?: string[];
  train: { from: string; to: string };
  test: { from: string; to: string };
  fresh?: boolean;
  quiet?: boolean;
  /** skip (and report) invalid input lines instead of stopping at the first */
  skipInvalid?: boolean;
  chatModel?: AgentRuntime["chatModel"];
  /** receives every progress event (the CLI draws bars from them) */
  onProgress?: (e: ProgressEvent) => void;
  /** receives notes as they happen (resume, cuts) */
  onNote?: (note: string) => void;
  /** receives the model calls so far and those in flight per agent, when they change (at most twice a second) */
  onCalls?: (c: CallsEvent) => void;
  /** loaded data (the bench reuses it); default: loaded from dataDir */
  data?: MarketData;
  /** memory to run on instead of the Chroma store (tests only) */
  resources?: Resources;
  /** reads the run's memory once the run is done, while it is still open (the eval's trained baseline) */
  afterRun?: (r: Resources) => Promise<void>;
}

interface Saved {
  settings?: string;
  test?: { from: string; to: string };
  cursor?: number;
  dates?: string[];
  durableThrough?: string;
  predicted?: number;
  ledger?: { predictions: number; grpo: number };
  memory?: { at: string; print: Fingerprint };
  scores?: ScoreRow[] | null;
  notes?: string[];
  committedAt?: Record<string, string>;
}

/**
 * The run's Chroma server. When the managed store cannot start (a damaged chroma.sqlite3, a full disk
 * left behind), the error says so and how to recover; with --fresh the store is moved aside (kept,
 * never deleted) and a new one started, with a note saying where the old one went.
 */
async function openStore(fresh: boolean, note: (n: string) => void): Promise<ChromaEndpoint> {
  try {
    return await connectChroma(stateDir());
  } catch (e) {
    const store = chromaDir();
    if (isDiskFull(e)) throw new DiskFullError(stateDir(), e); // moving the store aside would not help
    if (!(e instanceof ChromaStartError) || process.env.CHROMA_URL?.trim() || !existsSync(store)) throw e;
    if (!fresh)
      throw new ChromaStartError(
        `${e.message}\nThe store at ${store} may be damaged: \`stockmem run --fresh\` moves it aside (kept, not deleted) and starts a new one.`,
      );
    const aside = moveAside(store);
    note(
      `the Chroma store could not start (${(e.message.match(/Cause: ([^\n]*?)\. Its last log lines/)?.[1] ?? e.message.split("\n")[0]!).slice(0, 300)}); moved it aside to ${aside} and started a new one (every run of this state dir starts afresh)`,
    );
    return connectChroma(stateDir());
  }
}

/** The market data a run reads: the loaded data it was given, or its data dir loaded under its context's limits. */
export async function runData(
  o: Pick<RunOptions, "ctx" | "dataDir" | "tickers" | "skipInvalid" | "data"> & { until?: string },
): Promise<MarketData> {
  if (o.data) return o.data;
  return readMarket({ dataDir: o.dataDir, ctx: o.ctx, tickers: o.tickers, skipInvalid: o.skipInvalid, until: o.until });
}

export async function executeRun(o: RunOptions): Promise<RunResult> {
  leanRunContext(); // no LangSmith run tree per node while nothing traces to LangSmith
  const run = o.ctx.run;
  const notes: string[] = [];
  const note = (n: string) => {
    notes.push(n);
    o.onNote?.(n);
  };
  // the models' keys and endpoints, before anything starts (a run on injected models or resources has its own)
  if (!o.chatModel && !o.resources) await checkModels([...Object.values(modelIds(o.ctx)), o.ctx.embeddings]);
  const data = await runData(o);
  // an open test window (`--test FROM:`) runs through the data's last close
  if (!o.test.to) o = { ...o, test: { ...o.test, to: lastTradingDay(data, o.tickers) ?? o.test.from } };
  if (!o.quiet) for (const line of describeReport(data.report)) note(line);

  privateStateDir();
  const lock = lockRun(join(runDir(run), "lock"), run);
  if (lock.tookOverFrom) note(`took over the lock of run "${run}" from process ${lock.tookOverFrom}, which is gone`);
  const opened = await (async () => {
    const endpoint = o.resources ? undefined : await openStore(o.fresh === true, note);
    try {
      return { endpoint, cp: await openCheckpoints(o.fresh === true, note) };
    } catch (e) {
      await endpoint?.stop();
      throw e;
    }
  })().catch((e) => {
    lock.release(); // nothing started: the next command need not take the lock over
    throw e;
  });
  const { endpoint, cp } = opened;
  try {
    const thread = { configurable: { thread_id: run } };
    const graph = buildRunGraph().compile({ checkpointer: cp.saver, name: "run" });
    if (o.fresh) {
      // forget the thread and the memory; the run's files go with any run that starts anew (below)
      await cp.deleteThread(run);
      if (endpoint) await resetRun(endpoint.url, run);
    }
    const identity = { ctx: o.ctx, dataDir: o.dataDir, tickers: o.tickers, train: o.train, test: o.test };
    const snap = await graph.getState(thread);
    let saved = snap.values as Saved;
    // items a pull first saw after their day was committed count from the next open day (src/data/late.ts)
    const shifted = shiftLateItems(data, saved.committedAt ?? {});
    // said while they wait or until the day they count from is committed
    const late = describeLate(shifted.late.filter((x) => x.counts === null || !saved.committedAt?.[x.counts]));
    if (late) note(late);
    const r = o.resources ?? (await openResources(endpoint!.url, o.ctx, shifted.data, o.chatModel));
    const started = saved.settings !== undefined;
    if (started && !sameSettings(saved.settings!, identity, saved.test?.to)) {
      const record = readRunRecord(runRecordFile(run));
      const what = record ? settingsDiff(record, identity).join("; ") : "";
      throw new RunIntegrityError(
        `run "${run}" was started with other settings (${what || "training window, test start, tickers, data or context"}): give this experiment its own name (--run ${freeRunName(run)}), or re-run with --fresh to erase run "${run}" (its memory, checkpoint and predictions) and start it over`,
      );
    }
    const planned = saved.dates?.at(-1);
    if (started && planned && o.test.to < planned) {
      throw new RunIntegrityError(
        `run "${run}" has run through ${planned}: its test window can grow, not shrink (asked to end at ${o.test.to}); re-run with --fresh to start it over, or choose another --run`,
      );
    }
    // what it was started with, for `stockmem daily` (runs made before the record was kept get it now)
    if (!started || !existsSync(runRecordFile(run)))
      writeWhole(
        runRecordFile(run),
        `${JSON.stringify({ ctx: o.ctx, dataDir: o.dataDir, tickers: o.tickers, train: o.train, testFrom: o.test.from } satisfies RunRecord, null, 2)}\n`,
      );
    // a finished run grows when the data has trading days after its last one, up to the asked end
    const grow = started && finished(saved) && planned !== undefined && newDays(data, o, planned).length > 0;
    // Finished is what the run's own record says (its summary committed after its last day), never an
    // inference from `next`: a crash after a step's task writes were saved but before the checkpoint
    // that follows them leaves a snapshot with every task done and nothing next.
    if (started && finished(saved) && !grow) {
      checkFinishedFiles(run, saved, note);
      await o.afterRun?.(r);
      return {
        scores: saved.scores ?? [],
        predictionsFile: predictionsFile(run),
        traceFile: traceFile(stateDir(), run),
        usage: r.usage,
        notes: [...notes, ...(saved.notes ?? [])],
        alreadyDone: true,
      };
    }
    let from: string | undefined; // the checkpoint to resume from
    if (grow) {
      checkFinishedFiles(run, saved, note);
      await checkMemory(r, saved, cp.where);
      note(`run "${run}" grows from ${planned} to ${newDays(data, o, planned!).at(-1)}`);
    } else if (started) {
      const target = await durableCheckpoint(cp, thread, saved);
      from = target.id;
      saved = target.values;
      await checkMemory(r, saved, cp.where);
      cutFiles(run, saved, note);
      const day = saved.dates?.[saved.cursor ?? 0];
      note(`resuming run "${run}" from its checkpoint in ${cp.where}${day ? ` at ${day}` : ""}`);
    } else {
      const counts = await r.store.counts();
      const n = counts.events + counts.reflections + counts.layers;
      if (n > 0) {
        throw new RunIntegrityError(
          `the memory of run "${run}" (${r.store.location}) already holds ${counts.events} events, ${counts.reflections} reflections and ${counts.layers} layer records, but ${cp.where} has no checkpoint of it: re-run with --fresh to start over, or choose another --run`,
        );
      }
      for (const f of [predictionsFile(run), grpoFile(run)]) if (existsSync(f)) rmSync(f);
    }

    // every task of a phase adds a listener to the superstep's one AbortSignal (langgraphjs#1014): as
    // many as there are tickers, which is no leak; Node warns past its limit (the CLI's 200), so a
    // wide run raises it to its width instead of printing a warning per phase
    const width = o.tickers?.length || data.tickers.length;
    if (4 * width + 100 > getMaxListeners(new EventTarget())) setMaxListeners(4 * width + 100);
    const tracer = new LocalTracer(traceFile(stateDir(), run), run);
    // a new run, or a finished one grown forward, starts from its input (plan); a stopped one resumes
    const input = started && !grow ? null : { tickers: o.tickers, train: o.train, test: o.test };
    const at = from ? { configurable: { thread_id: run, checkpoint_id: from } } : thread;
    const stream = await graph.stream(input, {
      ...withResources(r, { ...at, context: { dataDir: o.dataDir }, callbacks: [tracer] }),
      // every step's checkpoint is saved before the next step starts (the default "async" lets a
      // slower saver, e.g. PostgreSQL, lag behind the run, so a kill would lose more than a step)
      streamMode: ["custom", "values"],
      recursionLimit: RECURSION_LIMIT,
      // a phase's tasks (one per ticker) run at most this many at a time: memory stays bounded on a wide
      // run (1,000 tickers side by side held 1.5 GB) while model calls keep their own limiter full
      maxConcurrency: taskConcurrency(o.ctx),
      durability: "sync",
    });
    let final: Saved = {};
    let said = "";
    const calls = o.onCalls
      ? setInterval(() => {
          const c = { calls: r.usage.calls, cacheHits: r.usage.cacheHits, inFlight: r.usage.flying() };
          const now = JSON.stringify(c);
          if (now !== said) o.onCalls!(c);
          said = now;
        }, 500).unref()
      : undefined;
    try {
      let steps = 0;
      for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
        if (mode === "custom" && chunk.kind === "progress") o.onProgress?.(chunk as unknown as ProgressEvent);
        if (mode === "values") final = chunk as Saved;
        // the values after a step, whose checkpoint is saved (durability "sync"); about five steps a day
        if (mode === "values" && ++steps % (COMPACT_EVERY_DAYS * 5) === 0) await compactThread(thread, cp, 3);
      }
    } catch (e) {
      const err = firstError(e);
      // a full disk shows up as whatever write met it first (Chroma, SQLite, a run file, the trace), and not always
      // by name: a disk left with next to nothing free is the cause whatever the error says
      if (isDiskFull(err) || (tracer.failure && isDiskFull(tracer.failure)) || diskAlmostFull(stateDir()))
        throw new DiskFullError(stateDir(), isDiskFull(err) || !tracer.failure ? err : tracer.failure);
      throw err;
    } finally {
      clearInterval(calls);
      stopAhead(r); // nothing more is asked for days the run will not reach
    }
    if (tracer.failure) note(`the trace ${tracer.file} stopped at its last whole record: ${messageOf(tracer.failure)}`);
    await compactThread(thread, cp);
    for (const n of (final.notes ?? []).filter((x) => !notes.includes(x))) note(n);
    for (const n of await noReferenceNotes(r, readPredictions(predictionsFile(run)))) note(n);
    await o.afterRun?.(r);
    return {
      scores: final.scores ?? [],
      predictionsFile: predictionsFile(run),
      traceFile: traceFile(stateDir(), run),
      usage: r.usage,
      notes,
      alreadyDone: false,
    };
  } catch (e) {
    // SQLite's word for a damaged checkpoint file, wherever a read or write of it met the damage
    throw isDamage(e) && cp.file ? new CheckpointDamagedError(cp.file, e) : e;
  } finally {
    await cp.close();
    await endpoint?.stop();
    lock.release();
  }
}

/**
 * Tasks of a phase run side by side, so several may fail at once (LangGraph throws an AggregateError):
 * the first, with the other distinct messages appended, keeps its class (BudgetExceededError, ...).
 */
function firstError(e: unknown): unknown {
  if (!(e instanceof AggregateError) || e.errors.length === 0) return e;
  const all = e.errors.map(firstError);
  const first = all[0];
  const others = [...new Set(all.slice(1).map((x) => messageOf(x)))].filter((m) => m !== messageOf(first));
  if (others.length && first instanceof Error)
    first.message += ` (and ${others.length} more: ${others.slice(0, 3).join("; ")})`;
  return first;
}

/** One checkpoint of a run's thread, as the resume and the compaction read it. */
interface Point {
  id: string;
  values: Saved;
  cursor: number;
  step: number;
  durable: string;
  /** how many days the run had planned (a run grown forward plans again: its new checkpoints have more) */
  gen: number;
  parent?: string;
}

/**
 * Every checkpoint of a run's thread, newest first, straight from the saver (the values without
 * preparing a snapshot, with its next tasks, for each), and the first checkpoint of each day: the one
 * of least step with that cursor (the commit's state, or the plan's); a day redone after a resume has
 * it again on the new branch, and the newest is taken (checkpoint ids sort by time). A run grown
 * forward plans again: for the day it grows from, the new plan's checkpoint (more days planned) wins.
 */
async function threadPoints(cp: Checkpointer, thread: { configurable: { thread_id: string } }) {
  const all: Point[] = [];
  for await (const t of cp.saver.list({ configurable: { ...thread.configurable, checkpoint_ns: "" } })) {
    const v = t.checkpoint.channel_values as Saved;
    all.push({
      id: t.checkpoint.id,
      values: v,
      cursor: v.cursor ?? -1,
      step: t.metadata?.step ?? -1,
      durable: v.durableThrough ?? "",
      gen: v.dates?.length ?? 0,
      parent: t.parentConfig?.configurable?.checkpoint_id as string | undefined,
    });
  }
  const firstOfDay = new Map<number, Point>();
  for (const p of all) {
    if (p.values.settings === undefined || p.cursor < 0) continue;
    const f = firstOfDay.get(p.cursor);
    if (!f || p.gen > f.gen || (p.gen === f.gen && (p.step < f.step || (p.step === f.step && p.id > f.id))))
      firstOfDay.set(p.cursor, p);
  }
  const durable = all.reduce((d, p) => (p.durable > d ? p.durable : d), "");
  return { all, firstOfDay, durable };
}

/**
 * Where a stopped run resumes: right after the commit of its last durable day (memory writes are
 * write-behind, so the days after it are redone, idempotently), or right after planning when no day
 * is durable yet. The last durable day is the latest any checkpoint of the thread ever recorded, not
 * the latest checkpoint's: a resume forks from an earlier checkpoint, and a kill before the fork's
 * first commit would otherwise step back one day each time.
 */
async function durableCheckpoint(
  cp: Checkpointer,
  thread: { configurable: { thread_id: string } },
  latest: Saved,
): Promise<Point> {
  const { firstOfDay, durable: listed } = await threadPoints(cp, thread);
  // the latest state may hold a commit's writes that no checkpoint follows yet: it counts too
  const durable = (latest.durableThrough ?? "") > listed ? latest.durableThrough! : listed;
  const dates = latest.dates ?? [];
  const want = durable ? dates.indexOf(durable) + 1 : 0;
  // the day after the last durable one, or the latest day before it that has a checkpoint (the last
  // day's commit may have its writes saved without the checkpoint that follows them)
  const cursor = Math.max(-1, ...[...firstOfDay.keys()].filter((c) => c <= want));
  const best = firstOfDay.get(cursor);
  if (!best)
    throw new RunIntegrityError(
      `cannot find where to resume in the run's checkpoints (day ${want}); re-run with --fresh to start over`,
    );
  return best;
}

/**
 * What a run's thread keeps of its checkpoints (issue 23: 18 MB for the sample run, 235 MB for a
 * layered one, when every step's full state stayed). A finished run keeps its latest checkpoint and
 * the first checkpoint of each of its days (the state after each commit), for Studio's history and for
 * a run extended later; every other step's checkpoint, the branches a resume abandoned, and every
 * pending write go. A running run (`recentDays`) also keeps every step of its last days with their
 * pending writes, all a resume can need (it restarts after the last durable day), and compacts nothing
 * while an abandoned branch still records a later durable day than its own (a kill then must still
 * resume from there).
 */
async function compactThread(
  thread: { configurable: { thread_id: string } },
  cp: Checkpointer,
  recentDays?: number,
): Promise<number> {
  const { all, firstOfDay, durable } = await threadPoints(cp, thread);
  const top = all[0]; // newest first
  if (!top) return 0;
  if (recentDays !== undefined && durable > top.durable) return 0;
  const keep = new Set([top.id, ...[...firstOfDay.values()].map((p) => p.id)]);
  const keepWrites = new Set(recentDays === undefined ? [] : [top.id]);
  if (recentDays !== undefined) {
    // every step of the last days on the branch the run is on, with its pending writes
    const byId = new Map(all.map((p) => [p.id, p]));
    for (
      let p: Point | undefined = top;
      p && p.cursor >= top.cursor - recentDays;
      p = p.parent ? byId.get(p.parent) : undefined
    ) {
      keep.add(p.id);
      keepWrites.add(p.id);
    }
  }
  // only what was listed: a step the run writes meanwhile is neither listed nor touched
  return cp.compact(
    thread.configurable.thread_id,
    {
      checkpoints: all.filter((p) => !keep.has(p.id)).map((p) => p.id),
      writes: all.filter((p) => !keepWrites.has(p.id)).map((p) => p.id),
    },
    { final: recentDays === undefined },
  );
}

/**
 * Ticker tasks of a phase in flight at once: enough to keep the model-call limiter full (a task makes its calls in
 * turn).
 */
const taskConcurrency = (ctx: RunContext): number => Math.max(32, 4 * ctx.maxConcurrency);

/** A running run compacts its checkpoints every this many days (keeping the last few whole). */
const COMPACT_EVERY_DAYS = 20;

/**
 * The run's append-only files cut back to the lengths a checkpoint committed (a tail beyond is noted, a shorter file
 * refused).
 */
function cutFiles(run: string, saved: Saved, note: (n: string) => void): void {
  for (const [file, committed] of [
    [predictionsFile(run), saved.ledger?.predictions ?? 0],
    [grpoFile(run), saved.ledger?.grpo ?? 0],
  ] as const) {
    const cut = cutToCommitted(file, committed);
    if (cut) note(describeCut(cut));
  }
}

/** A run is finished when its summary committed after its last day. */
function finished(saved: Saved): boolean {
  return saved.scores != null && saved.dates !== undefined && saved.cursor === saved.dates.length;
}

/** The trading days of the given tickers (default: all) in the data, in order, after `after` when given. */
export function tradingDaysOf(data: MarketData, tickers?: readonly string[], after = ""): string[] {
  const of = tickers?.length ? tickers : data.tickers;
  return [...new Set(of.flatMap((t) => (data.series.get(t)?.calendar.dates ?? []).filter((d) => d > after)))].sort();
}

/** The last trading day of the given tickers (default: all) in the data. */
export const lastTradingDay = (data: MarketData, tickers?: readonly string[]): string | undefined =>
  tradingDaysOf(data, tickers).at(-1);

/** Trading days of the run's tickers in the data after `after`, through the asked test end. */
const newDays = (data: MarketData, o: Pick<RunOptions, "tickers" | "test">, after: string): string[] =>
  tradingDaysOf(data, o.tickers, after).filter((d) => d <= o.test.to);

/**
 * A finished run's files must hold what it committed: a longer file loses its uncommitted tail (with a
 * note), a shorter one, or one with fewer predictions than the run committed, is refused.
 */
function checkFinishedFiles(run: string, saved: Saved, note: (n: string) => void): void {
  cutFiles(run, saved, note);
  const lines = countLines(predictionsFile(run));
  if (lines !== (saved.predicted ?? 0)) {
    throw new LedgerIntegrityError(
      `run "${run}" committed ${saved.predicted ?? 0} predictions but ${predictionsFile(run)} holds ${lines}: re-run with --fresh to start over`,
    );
  }
}

/**
 * The run's checkpointer. With --fresh on a damaged SQLite file (SQLite's integrity check fails) the
 * file is moved aside, kept, and a new one started, with a note saying where the old one went.
 */
async function openCheckpoints(fresh: boolean, note: (n: string) => void): Promise<Checkpointer> {
  let cp: Checkpointer | undefined;
  try {
    cp = await openCheckpointer(stateDir());
    if (!fresh || !cp.file || !cp.quickCheck) return cp;
    const check = cp.quickCheck();
    if (check === "ok") return cp;
    throw new CheckpointDamagedError(cp.file, new Error(`integrity check: ${check}`));
  } catch (e) {
    const damaged =
      e instanceof CheckpointDamagedError
        ? e
        : isDamage(e) && cp?.file
          ? new CheckpointDamagedError(cp.file, e)
          : undefined;
    await cp?.close().catch(() => {});
    if (!damaged || !fresh) throw damaged ?? e;
    const aside = moveAside(damaged.file);
    note(
      `the checkpoint database ${damaged.file} is damaged; moved it aside to ${aside} (with the checkpoints of every run of this state dir) and started a new one`,
    );
    return openCheckpointer(stateDir());
  }
}

/** The memory must be the one the checkpoint relies on (same records readable at its last close). */
async function checkMemory(r: Resources, saved: Saved, where: string): Promise<void> {
  if (!saved.memory) return; // no day committed yet: nothing relied on
  const found = await r.store.fingerprint(saved.memory.at);
  const diff = fingerprintDiff(saved.memory.print, found);
  if (diff) {
    throw new RunIntegrityError(
      `cannot resume run "${r.ctx.run}": its memory (${r.store.location}) is not the memory its checkpoint (${where}) relies on at ${saved.memory.at}: ${diff}. ` +
        "Was the memory reset, the Chroma dir deleted, or CHROMA_URL changed? Re-run with --fresh to start over.",
    );
  }
}

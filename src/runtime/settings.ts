/** What identifies a run's experiment: resuming a run with other settings would mix two experiments. */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { PACING, type RunContext } from "../config/context.ts";
import { marketDataDir, runDir } from "../config/paths.ts";
import type { RunRecord } from "./run-files.ts";

interface SettingsOf {
  ctx: RunContext;
  dataDir?: string;
  tickers?: readonly string[];
  train: { from: string; to: string };
  test: { from: string; to: string };
}

/** The context fields that identify an experiment: all but those that only pace or bound it. */
const identifying = (c: RunContext): Partial<RunContext> => {
  const ctx: Partial<RunContext> = { ...c };
  for (const k of PACING) delete ctx[k];
  return ctx;
};
const tickerSet = (t: readonly string[] | undefined) => (t?.length ? [...new Set(t)].sort() : "all");

const hash = (o: SettingsOf, test: unknown) => {
  const [ctx, tickers] = [identifying(o.ctx), tickerSet(o.tickers)];
  const text = JSON.stringify({ ctx, dataDir: marketDataDir(o.dataDir), tickers, train: o.train, test });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
};

/**
 * A hash of the run context (minus what only affects cost: cache, budgets, concurrency), the data
 * dir, the set of tickers (order-free), the training window and the test window's start. The test
 * window's end is not part of it: a run grows forward (`stockmem daily`, `run --test FROM:`).
 */
export function runSettings(o: SettingsOf): string {
  return hash(o, { from: o.test.from });
}

/** Whether a run's recorded settings are these: today's hash, or the one of runs made before runs could grow (it held the test window's end). */
export function sameSettings(recorded: string, o: SettingsOf, recordedTestEnd?: string): boolean {
  return (
    recorded === runSettings(o) ||
    (recordedTestEnd !== undefined && recorded === hash(o, { ...o.test, to: recordedTestEnd }))
  );
}

/**
 * What differs between what a run was started with and these settings, one "what: old -> new" each (the fields that
 * only change cost aside): what a refused resume names.
 */
export function settingsDiff(recorded: RunRecord, o: SettingsOf): string[] {
  const out: string[] = [];
  const say = (what: string, was: unknown, now: unknown) => {
    const [a, b] = [
      typeof was === "string" ? was : JSON.stringify(was),
      typeof now === "string" ? now : JSON.stringify(now),
    ];
    if (a !== b) out.push(`${what}: ${a} -> ${b}`);
  };
  say("training window", `${recorded.train.from}:${recorded.train.to}`, `${o.train.from}:${o.train.to}`);
  say("test start", recorded.testFrom, o.test.from);
  const list = (t: readonly string[] | undefined) => [tickerSet(t)].flat().join(",");
  say("tickers", list(recorded.tickers), list(o.tickers));
  say("data dir", marketDataDir(recorded.dataDir), marketDataDir(o.dataDir));
  const [was, now] = [identifying(recorded.ctx), identifying(o.ctx)] as Record<string, unknown>[];
  for (const k of [...new Set([...Object.keys(was!), ...Object.keys(now!)])].sort())
    if (k !== "run") say(k, was![k], now![k]);
  return out;
}

/** A run name not used in this state dir: NAME-2, NAME-3, ... */
export function freeRunName(run: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = run.replace(/-\d+$/, "");
  for (let n = 2; ; n++) if (!existsSync(runDir(`${base}-${n}`, env))) return `${base}-${n}`;
}

#!/usr/bin/env node
/** The `stockmem` command line. Each command is a small function; `stockmem help` lists them. */
import { setMaxListeners } from "node:events";
import { parseArgs } from "node:util";
import { RunName } from "../config/context.ts";
import { stateDir } from "../config/paths.ts";
import { withChroma } from "../memory/session.ts";
import { listRuns, MemoryStore, resetRun } from "../memory/store.ts";
import { embedderForId } from "../memory/embeddings.ts";
import { layerWeekCounts } from "../memory/layers.ts";
import { ChromaStartError } from "../memory/chroma-server.ts";
import { EmbeddingMismatchError, MemoryUnavailableError } from "../memory/errors.ts";
import { ZodError } from "zod";
import { ModelOutputError } from "../models/structured.ts";
import { BudgetExceededError } from "../models/usage.ts";
import { scrub } from "../observability/secrets.ts";
import { DataError } from "../data/errors.ts";
import { loadMarketData } from "../data/load.ts";
import { DATA_OPTIONS, loadOptions } from "./data-flags.ts";
import { dataStats } from "../data/stats.ts";
import { describeReport } from "../data/report.ts";
import { rootError, UsageError } from "./errors.ts";
import { runCommand } from "./run.ts";
import { traceCommand } from "./trace.ts";
import { chatCommand } from "./chat.ts";
import { exportCommand } from "./export.ts";
import { evalAblationsCommand, evalCompareCommand, evalDatasetCommand, evalRunCommand, reportCommand } from "./eval.ts";
import { table } from "../metrics/table.ts";

const dateFlag = (v: unknown, name: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UsageError(`--${name} expects a date YYYY-MM-DD, got "${String(v)}"`);
  return v;
};

async function dataStatsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...DATA_OPTIONS, from: { type: "string" }, to: { type: "string" }, json: { type: "boolean" } } });
  const opts = loadOptions(values);
  const data = await loadMarketData(opts.dir, opts);
  const stats = dataStats(data, dateFlag(values.from, "from"), dateFlag(values.to, "to"));
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...stats, report: data.report }, null, 2) + "\n");
    return;
  }
  console.log(`data: ${stats.dir}   window: ${stats.from ?? "start"} .. ${stats.to ?? "end"}   (label of day t = move t -> t+1, ±1 %)`);
  console.log(
    table(
      ["ticker", "items", "trading days", "days with items", "up", "down", "flat", "unlabeled"],
      stats.tickers.map((t) => [t.ticker, t.items, t.trading_days, t.days_with_items, t.labels.up, t.labels.down, t.labels.flat, t.labels.unlabeled]),
    ),
  );
  for (const line of describeReport(data.report)) console.log(`note: ${line}`);
}

async function memoryStatsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { run: { type: "string" }, json: { type: "boolean" } } });
  const runs = await withChroma(async (ep) => {
    const all = await listRuns(ep.url);
    const one = values.run ? all.find((r) => r.run === values.run) : undefined;
    if (values.run && !one) throw new UsageError(`no run "${values.run}" in the memory (runs: ${all.map((r) => r.run).join(", ") || "none"})`);
    // for one run: its layered memory per week and layer
    let weeks: ReturnType<typeof layerWeekCounts> = [];
    if (one && one.collections.some((c) => c.kind === "layers" && c.count > 0)) {
      const store = await MemoryStore.open(ep.url, one.run, embedderForId(one.collections.find((c) => c.kind === "layers")!.embedding_model));
      weeks = layerWeekCounts(await store.getLayerRecords({ asOf: "9999-12-31T00:00:00Z" }));
    }
    return { url: ep.url, runs: one ? [one] : all, weeks };
  });
  const shown = runs.runs;
  if (values.json) {
    process.stdout.write(JSON.stringify({ chroma: runs.url, runs: shown, ...(values.run ? { layers_by_week: runs.weeks } : {}) }, null, 2) + "\n");
    return;
  }
  console.log(`memory: Chroma at ${runs.url} (state dir ${stateDir()})`);
  if (shown.length === 0) console.log("no runs yet");
  else console.log(table(["run", "collection", "records", "embeddings"], shown.flatMap((r) => r.collections.map((c) => [r.run, c.kind, c.count, c.embedding_model]))));
  if (runs.weeks.length) {
    console.log(`\nlayered memory of run "${values.run}": records per week (of their date) and layer`);
    console.log(table(["week of", "short", "mid", "long", "reflection"], runs.weeks.map((w) => [w.week, w.short, w.mid, w.long, w.reflection])));
  }
}

async function memoryResetCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { run: { type: "string" } } });
  if (!values.run) throw new UsageError("memory reset needs --run NAME (see `stockmem memory stats` for the runs)");
  const run = RunName.parse(values.run);
  const deleted = await withChroma((ep) => resetRun(ep.url, run));
  console.log(deleted.length ? `deleted ${deleted.join(", ")}` : `run "${run}" had no collections: nothing to delete`);
  console.log(`its checkpoint and files stay: \`stockmem run --run ${run}\` will refuse to resume on the emptied memory; \`--fresh\` starts the run over`);
}

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  start: { run: (a) => runCommand(a), help: "start   the main job (npm start): a run on the bundled sample, train 2015-07..09, test 2015-10..12, offline" },
  run: { run: (a) => runCommand(a), help: "run [--run NAME] [--data DIR] [--tickers A,B] [--train FROM:TO] [--test FROM:TO] [--model M] [--agent-model AGENT=M ...] [--same-ticker] [--layered] [--fresh] [--no-cache] [--concurrency N] [--model-timeout SECONDS] [--budget-calls N] [--budget-tokens N] [--skip-invalid] [--max-items-per-day N] [--max-text-chars N] [--allow-gaps]   the StockMem train/test run (resumes a stopped run; --fresh starts over)" },
  "memory stats": { run: memoryStatsCommand, help: "memory stats [--run NAME] [--json]   runs, collections and record counts in the memory" },
  "memory reset": { run: memoryResetCommand, help: "memory reset --run NAME   delete every collection of a run" },
  "eval dataset": { run: evalDatasetCommand, help: "eval dataset --name NAME --train FROM:TO --test FROM:TO [--data DIR] [--tickers A,B]   build an eval dataset (LangSmith example format)" },
  "eval run": { run: evalRunCommand, help: "eval run --dataset NAME [--model M] [--agent-model AGENT=M] [--prompt-version AGENT=V] [--same-ticker] [--embeddings E]   one experiment: ACC/MCC with 95 % intervals beside the baselines" },
  "eval ablations": { run: evalAblationsCommand, help: "eval ablations --dataset NAME [--model M] [--embeddings E]   the paper's ablations as one table" },
  "eval compare": { run: evalCompareCommand, help: "eval compare A B   metric deltas and flipped examples of two experiments" },
  report: { run: reportCommand, help: "report --experiment NAME [--out FILE]   backtest of an experiment as a long/short signal, and an HTML report" },
  chat: { run: chatCommand, help: "chat TICKER [--date D] [--run NAME] [--model M]   talk with the predictor about a stock, as of a date" },
  export: { run: exportCommand, help: "export grpo --run NAME [--out FILE]   the GRPO groups (prompt, completions, rewards, advantages) of a layered run, as JSONL" },
  trace: { run: traceCommand, help: "trace RUN [--ticker T --date D] [--node NAME]   the timeline of one ticker-day: every node's inputs and outputs, every model call" },
  "data stats": { run: dataStatsCommand, help: "data stats [--data DIR] [--from D --to D] [--tickers A,B] [--json] [--skip-invalid] [--max-items-per-day N] [--max-text-chars N]   items, trading days and labels per ticker" },
};

function usage(): string {
  return ["usage: stockmem <command> [flags]", "", ...Object.values(COMMANDS).map((c) => `  stockmem ${c.help}`)].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // every file a command writes (state, checkpoints, evals, exports) is owner-only, via npm scripts or bin/stockmem
  // LangGraph gives every task of a superstep one shared AbortSignal and each adds an abort listener
  // (langgraphjs#1014): harmless, but Node warns past 10. The CLI owns its process, so it raises the
  // default for EventTargets created from here on; library users keep their own settings.
  setMaxListeners(200);
  const [a, b, ...rest] = argv;
  const cmd = COMMANDS[`${a} ${b}`] ?? (a ? COMMANDS[a] : undefined);
  if (!cmd || a === "help" || a === "--help") {
    console.log(usage());
    return a && a !== "help" && a !== "--help" ? 2 : 0;
  }
  const args = COMMANDS[`${a} ${b}`] ? rest : [b, ...rest].filter((x): x is string => x !== undefined);
  try {
    await cmd.run(args);
    return 0;
  } catch (caught) {
    const e = rootError(caught);
    if (e instanceof DataError || e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`stockmem: ${(e as Error).message}`);
      return 2;
    }
    if (e instanceof ZodError) {
      console.error(`stockmem: ${e.issues.map((i) => i.message).join("; ")}`);
      return 2;
    }
    if (e instanceof ChromaStartError || e instanceof MemoryUnavailableError || e instanceof EmbeddingMismatchError || e instanceof ModelOutputError || e instanceof BudgetExceededError) {
      console.error(scrub(`stockmem: ${e.message}`));
      return 1;
    }
    // Everything else: one line for the user; the stack with STOCKMEM_DEBUG=1.
    console.error(scrub(`stockmem: ${process.env.STOCKMEM_DEBUG ? ((e as Error).stack ?? e) : ((e as Error).message ?? e)}`));
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/src/cli/main.ts")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

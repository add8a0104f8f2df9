#!/usr/bin/env node
/** The `stockmem` command line (commander): each command is a small function; `stockmem --help` lists them, `stockmem <command> --help` its flags. */
import { DiskFullError, isDiskFull, messageOf } from "../src/domain/errors.ts";
import { MemoryLayer } from "../src/domain/schemas.ts";
import { setMaxListeners } from "node:events";
import { Command, CommanderError } from "commander";
import { RunName } from "../src/config/context.ts";
import { withChroma } from "../src/memory/session.ts";
import { listRuns, MemoryStore, resetRun } from "../src/memory/store.ts";
import { embedderForId } from "../src/memory/embeddings.ts";
import { layerWeekCounts } from "../src/memory/layers.ts";
import { ChromaStartError } from "../src/memory/chroma-server.ts";
import { EmbeddingMismatchError, MemoryUnavailableError } from "../src/memory/errors.ts";
import { ZodError } from "zod";
import { ModelOutputError } from "../src/models/structured.ts";
import { BudgetExceededError } from "../src/models/usage.ts";
import { scrub } from "../src/observability/secrets.ts";
import { DataError } from "../src/data/errors.ts";
import { loadMarketData } from "../src/data/load.ts";
import { calendarDate, DATA_OPTIONS, loadOptions, nonNegativeInt, positiveInt } from "./data-flags.ts";
import { addFlags, valuesOf, type FlagSpecs, type ValuesOf } from "./flags.ts";
import { chromaDir, loadDotEnv, privateStateDir, runDir, stateDir } from "../src/config/paths.ts";
import { bytesOf, evalRunTime, GC_KEEP, gcChoice, knownRuns, removeRun, runFileBytes, RunLockedError } from "../src/runtime/gc.ts";
import { openCheckpointer } from "../src/runtime/checkpointer.ts";
import { lockRun } from "../src/runtime/lock.ts";
import { join } from "node:path";
import { dataStats } from "../src/data/stats.ts";
import { describeReport } from "../src/data/report.ts";
import { rootError, UsageError } from "./errors.ts";
import { RUN_OPTIONS, runCommand } from "./run.ts";
import { TRACE_EXPORT_OPTIONS, TRACE_OPTIONS, traceCommand, traceExportCommand } from "./trace.ts";
import { CHAT_OPTIONS, chatCommand } from "./chat.ts";
import { EXPORT_GRPO_OPTIONS, exportGrpoCommand } from "./export.ts";
import {
  EVAL_AB_OPTIONS,
  EVAL_ABLATIONS_OPTIONS,
  EVAL_DATASET_OPTIONS,
  EVAL_RUN_OPTIONS,
  REPORT_OPTIONS,
  evalAbCommand,
  evalAblationsCommand,
  evalCompareCommand,
  evalDatasetCommand,
  evalRunCommand,
  reportCommand,
} from "./eval.ts";
import { table } from "../src/metrics/table.ts";

const dateFlag = (v: unknown, name: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UsageError(`--${name} expects a date YYYY-MM-DD, got "${String(v)}"`);
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
  const data = await loadMarketData(opts.dir, opts);
  const stats = dataStats(data, from, to);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...stats, report: data.report }, null, 2)}\n`);
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

const MEMORY_STATS_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "one run, with its layered memory per week" },
  json: { type: "boolean", description: "as JSON" },
} as const satisfies FlagSpecs;

async function memoryStatsCommand(values: ValuesOf<typeof MEMORY_STATS_OPTIONS>): Promise<void> {
  const runs = await withChroma(async (ep) => {
    const all = await listRuns(ep.url);
    const one = values.run ? all.find((r) => r.run === values.run) : undefined;
    if (values.run && !one) throw new UsageError(`no run "${values.run}" in the memory (runs: ${all.map((r) => r.run).join(", ") || "none"})`);
    // for one run: its layered memory per week and layer
    let weeks: ReturnType<typeof layerWeekCounts> = [];
    if (one?.collections.some((c) => c.kind === "layers" && c.count > 0)) {
      const store = await MemoryStore.open(ep.url, one.run, embedderForId(one.collections.find((c) => c.kind === "layers")!.embedding_model));
      weeks = layerWeekCounts(await store.getLayerRecords({ asOf: "9999-12-31T00:00:00Z" }));
    }
    return { url: ep.url, runs: one ? [one] : all, weeks };
  });
  const shown = runs.runs.map((r) => ({ ...r, file_bytes: runFileBytes(r.run) }));
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ chroma: runs.url, chroma_bytes: bytesOf(chromaDir()), runs: shown, ...(values.run ? { layers_by_week: runs.weeks } : {}) }, null, 2)}\n`,
    );
    return;
  }
  console.log(`memory: Chroma at ${runs.url} (state dir ${stateDir()}, Chroma data ${mib(bytesOf(chromaDir()))})`);
  if (shown.length === 0) console.log("no runs yet");
  else
    console.log(
      table(
        ["run", "collection", "records", "embeddings", "trace + run files"],
        shown.flatMap((r) => r.collections.map((c, i) => [r.run, c.kind, c.count, c.embedding_model, i === 0 ? mib(r.file_bytes) : ""])),
      ),
    );
  const evals = shown.filter((r) => evalRunTime(r.run));
  if (evals.length)
    console.log(
      `\n${evals.length} eval run(s) (ev-*): \`stockmem memory gc\` removes all but the newest ${GC_KEEP} with their traces and checkpoints`,
    );
  if (runs.weeks.length) {
    console.log(`\nlayered memory of run "${values.run}": records per week (of their date) and layer`);
    console.log(
      table(
        ["week of", ...MemoryLayer.options],
        runs.weeks.map((w) => [w.week, ...MemoryLayer.options.map((l) => w[l])]),
      ),
    );
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const MEMORY_GC_OPTIONS = {
  keep: { type: "string", arg: "N", description: `keep the newest N eval runs (default ${GC_KEEP})` },
  "older-than": { type: "string", arg: "DAYS", description: "only remove eval runs older than DAYS days" },
  "dry-run": { type: "boolean", description: "list what would be removed, remove nothing" },
} as const satisfies FlagSpecs;

/** `memory gc`: eval runs (their collections, traces, run files and checkpoints) beyond the newest N. */
async function memoryGcCommand(values: ValuesOf<typeof MEMORY_GC_OPTIONS>): Promise<void> {
  const keep = nonNegativeInt(values.keep, "keep") ?? GC_KEEP;
  const olderThanDays = positiveInt(values["older-than"], "older-than");
  await withChroma(async (ep) => {
    const chosen = gcChoice(await knownRuns(ep.url), { keep, olderThanDays, now: new Date() });
    if (chosen.length === 0)
      return console.log(
        `nothing to remove (eval runs kept: the newest ${keep}${olderThanDays ? `, and any younger than ${olderThanDays} days` : ""})`,
      );
    if (values["dry-run"]) return console.log(`would remove ${chosen.length} eval run(s): ${chosen.join(", ")}`);
    const cp = await openCheckpointer(privateStateDir());
    try {
      let bytes = 0;
      for (const run of chosen) {
        try {
          const r = await removeRun(ep.url, run, cp);
          bytes += r.bytes;
          console.log(`removed ${run}: ${r.collections.length} collection(s), ${mib(r.bytes)} of trace and run files, its checkpoint`);
        } catch (e) {
          if (!(e instanceof RunLockedError)) throw e;
          console.log(`kept ${run}: ${e.message}`);
        }
      }
      console.log(`freed ${mib(bytes)} of files, plus the runs' records in Chroma`);
    } finally {
      await cp.close();
    }
  });
}

const MEMORY_RESET_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "the run whose collections to delete" },
} as const satisfies FlagSpecs;

async function memoryResetCommand(values: ValuesOf<typeof MEMORY_RESET_OPTIONS>): Promise<void> {
  if (!values.run) throw new UsageError("memory reset needs --run NAME (see `stockmem memory stats` for the runs)");
  const run = RunName.parse(values.run);
  const deleted = await withChroma(async (ep) => {
    const known = await knownRuns(ep.url);
    if (!known.includes(run)) throw new UsageError(`no run "${run}" in this state dir (runs: ${known.join(", ") || "none"}): nothing to reset`);
    // a run in progress keeps its memory: resetting it under the run would make the run fail half-way
    const lock = lockRun(join(runDir(run), "lock"), run);
    try {
      return await resetRun(ep.url, run);
    } finally {
      lock.release();
    }
  });
  console.log(deleted.length ? `deleted ${deleted.join(", ")}` : `run "${run}" had no collections: nothing to delete`);
  console.log(
    `its checkpoint and files stay: \`stockmem run --run ${run}\` will refuse to resume on the emptied memory; \`--fresh\` starts the run over`,
  );
}

/** Exit codes: 0 ok, 1 failure (data, memory, model, budget), 2 usage (unknown command or flag, bad value). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Commander's errors as ours: one line naming the command's problem, prefixed like every other error. */
const OUTPUT = { outputError: (text: string, write: (s: string) => void) => write(text.replace(/^error: /, "stockmem: ")) };

/** The command tree: every command and flag with its help, in one place. */
export function program(): Command {
  const root = new Command("stockmem")
    .description("StockMem: next-day stock moves explained from news, with an event memory and a reflection memory")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 failure, 2 usage error.\nEnvironment: .env in the project root is read (see .env.example); the state dir is <project root>/.stockmem unless STOCKMEM_DATA_DIR says otherwise.",
    )
    .showSuggestionAfterError(true)
    .showHelpAfterError("(stockmem --help lists the commands)")
    .configureOutput(OUTPUT)
    .exitOverride();
  // every command: flags declared once (help, parsing, suggestions), the action gets them typed
  const leaf = <S extends FlagSpecs>(
    parent: Command,
    name: string,
    about: string,
    spec: S,
    action: (values: ValuesOf<S>, args: string[]) => Promise<void>,
  ) => {
    const cmd = addFlags(parent.command(name).description(about), spec).exitOverride().configureOutput(OUTPUT);
    cmd.showHelpAfterError(`(stockmem ${parent === root ? "" : `${parent.name()} `}${name} --help lists its flags)`);
    cmd.action(async () => action(valuesOf(cmd, spec), cmd.args));
    return cmd;
  };
  leaf(root, "start", "the main job (npm start): a run on the bundled sample, train 2015-07..09, test 2015-10..12, offline", RUN_OPTIONS, (v) =>
    runCommand(v),
  );
  leaf(root, "run", "the StockMem train/test run (resumes a stopped run; --fresh starts over)", RUN_OPTIONS, (v) => runCommand(v));
  const data = root.command("data").description("the market data");
  leaf(data, "stats", "items, trading days and labels per ticker", DATA_STATS_OPTIONS, dataStatsCommand);
  const ev = root.command("eval").description("datasets, experiments, comparisons and ablations");
  leaf(ev, "dataset", "build an eval dataset (LangSmith example format)", EVAL_DATASET_OPTIONS, evalDatasetCommand);
  leaf(ev, "run", "one experiment: ACC/MCC with 95 % intervals beside the baselines", EVAL_RUN_OPTIONS, evalRunCommand);
  leaf(
    ev,
    "ab",
    "A/B a prompt version or an agent's model: runs A and B, prints deltas with a paired interval and the flipped examples",
    EVAL_AB_OPTIONS,
    evalAbCommand,
  );
  leaf(ev, "compare", "metric deltas and flipped examples of two experiments", {}, (_v, [a, b]) => evalCompareCommand(a!, b!)).arguments("<A> <B>");
  leaf(ev, "ablations", "the paper's ablations as one table", EVAL_ABLATIONS_OPTIONS, evalAblationsCommand);
  leaf(root, "report", "backtest of an experiment as a long/short signal, and an HTML report", REPORT_OPTIONS, reportCommand);
  leaf(root, "chat", "talk with the predictor about a stock, as of a date", CHAT_OPTIONS, (v, [ticker]) => chatCommand(ticker!, v)).argument(
    "<TICKER>",
    "the stock, e.g. MSFT",
  );
  const trace = leaf(
    root,
    "trace",
    "the timeline of one ticker-day: every node's key inputs and outputs, every model call",
    TRACE_OPTIONS,
    (v, [run]) => traceCommand(run!, v),
  ).argument("<RUN>", "the run name");
  leaf(trace, "export", "a run's trace as LangSmith run trees (each ticker-day its own trace), JSON lines", TRACE_EXPORT_OPTIONS, (v, [run]) =>
    traceExportCommand(run!, v),
  ).argument("<RUN>", "the run name");
  const exp = root.command("export").description("export a run's data");
  leaf(exp, "grpo", "the GRPO groups (prompt, completions, rewards, advantages) of a layered run, as JSONL", EXPORT_GRPO_OPTIONS, exportGrpoCommand);
  const mem = root.command("memory").description("the Chroma memory");
  leaf(mem, "stats", "runs, collections and record counts in the memory", MEMORY_STATS_OPTIONS, memoryStatsCommand);
  leaf(mem, "reset", "delete every collection of a run", MEMORY_RESET_OPTIONS, memoryResetCommand);
  leaf(mem, "gc", "remove old eval runs (ev-*): their collections, traces, run files and checkpoints", MEMORY_GC_OPTIONS, memoryGcCommand);
  for (const group of [data, ev, exp, mem])
    group.exitOverride().configureOutput(OUTPUT).showHelpAfterError(`(stockmem ${group.name()} --help lists its commands)`);
  return root;
}

export async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // every file a command writes (state, checkpoints, evals, exports) is owner-only, via npm scripts or bin/stockmem
  // LangGraph gives every task of a superstep one shared AbortSignal and each adds an abort listener
  // (langgraphjs#1014): harmless, but Node warns past 10. The CLI owns its process, so it raises the
  // default for EventTargets created from here on; library users keep their own settings.
  setMaxListeners(200);
  loadDotEnv();
  try {
    const root = program();
    // a group without its subcommand (stockmem eval) shows its help, and is a usage error
    const groups = root.commands.filter((c) => c.commands.length > 0);
    const group = groups.find((g) => g.name() === argv[0]);
    if (group && (argv.length === 1 || (argv[1]?.startsWith("-") && !["-h", "--help"].includes(argv[1])))) {
      process.stderr.write(group.helpInformation());
      return EXIT.usage;
    }
    if (argv.length === 0) {
      process.stdout.write(root.helpInformation());
      return EXIT.ok;
    }
    await root.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed help or the error
    const e = rootError(caught);
    if (isDiskFull(caught)) {
      console.error(scrub(`stockmem: ${(e instanceof DiskFullError ? e : new DiskFullError(stateDir(), caught)).message}`));
      return EXIT.failure;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`stockmem: ${messageOf(e)}`);
      return EXIT.usage;
    }
    if (e instanceof ZodError) {
      console.error(`stockmem: ${e.issues.map((i) => i.message).join("; ")}`);
      return EXIT.usage;
    }
    if (
      e instanceof DataError || // the data failed, not the command line
      e instanceof ChromaStartError ||
      e instanceof MemoryUnavailableError ||
      e instanceof EmbeddingMismatchError ||
      e instanceof ModelOutputError ||
      e instanceof BudgetExceededError ||
      e instanceof RunLockedError
    ) {
      console.error(scrub(`stockmem: ${e.message}`));
      return EXIT.failure;
    }
    // Everything else: one line for the user; the stack with STOCKMEM_DEBUG=1.
    console.error(scrub(`stockmem: ${process.env.STOCKMEM_DEBUG ? (e instanceof Error && e.stack) || messageOf(e) : messageOf(e)}`));
    return EXIT.failure;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli/main.ts")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

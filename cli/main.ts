#!/usr/bin/env node
import { setMaxListeners } from "node:events";
import { Command, CommanderError } from "commander";
import { ZodError } from "zod";
import { NoPredictionsError } from "../evals/run-report.ts";
import { loadDotEnv, stateDir } from "../src/config/paths.ts";
import { DataError } from "../src/data/errors.ts";
/**
 * The `stockmem` command line (commander): the commands of cli/commands/ as one tree, and one exit code per kind of
 * failure; `stockmem --help` lists them, `stockmem <command> --help` its flags.
 */
import { DiskFullError, isDiskFull, messageOf } from "../src/domain/errors.ts";
import { ChromaStartError } from "../src/memory/chroma-server.ts";
import { EmbeddingMismatchError, MemoryUnavailableError, UnknownRunError } from "../src/memory/errors.ts";
import { ModelSetupError } from "../src/models/preflight.ts";
import { ModelOutputError } from "../src/models/structured.ts";
import { BudgetExceededError } from "../src/models/usage.ts";
import { scrub } from "../src/observability/secrets.ts";
import { RunLockedError } from "../src/runtime/lock.ts";
import { painter } from "./colour.ts";
import { COMMANDS, GROUPS } from "./commands/index.ts";
import { rootError, UsageError } from "./errors.ts";
import { addFlags, valuesOf } from "./flags.ts";

/** Exit codes: 0 ok, 1 failure (data, memory, model, budget), 2 usage (unknown command or flag, bad value). */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Commander's errors as ours: one line naming the command's problem, prefixed like every other error. */
const OUTPUT = {
  outputError: (text: string, write: (s: string) => void) => write(text.replace(/^error: /, "stockmem: ")),
};

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
  for (const def of COMMANDS) {
    const [first, second] = def.words;
    let parent = root;
    if (second !== undefined) {
      parent = root.commands.find((c) => c.name() === first) ?? root.command(first).description(GROUPS[first] ?? "");
      if (GROUPS[first] !== undefined)
        parent
          .exitOverride()
          .configureOutput(OUTPUT)
          .showHelpAfterError(`(stockmem ${first} --help lists its commands)`);
    }
    const name = second ?? first;
    const cmd = addFlags(parent.command(name).description(def.about), def.flags).exitOverride().configureOutput(OUTPUT);
    for (const a of def.args ?? []) cmd.argument(a.name, a.about);
    cmd.showHelpAfterError(`(stockmem ${def.words.join(" ")} --help lists its flags)`);
    cmd.action(async () => {
      onInterrupt = def.resumable ? "stopped; resume with the same command" : "stopped";
      await def.run(valuesOf(cmd, def.flags), cmd.args);
    });
  }
  return root;
}

/** "stockmem:" before an error, red on a terminal. */
const stockmemPrefix = () => painter(process.stderr)("red", "stockmem:");

/** What Ctrl-C says: set when a command starts (see CommandDef.resumable). */
let onInterrupt = "stopped";

/**
 * The process of the `stockmem` command (not the tests, which call `main`): Ctrl-C says what stopped and how to go on,
 * exit 130 (the shell's code for SIGINT); a reader that closes the pipe (`stockmem trace R --json | head`) ends the
 * command quietly instead of with an EPIPE stack.
 */
export function commandProcess(): void {
  process.once("SIGINT", () => {
    process.stderr.write(`\nstockmem: ${onInterrupt}\n`);
    process.exit(130);
  });
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    process.stderr.write(`stockmem: cannot write the output: ${e.message}\n`);
    process.exit(1);
  });
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
      console.error(
        `${stockmemPrefix()} ${scrub((e instanceof DiskFullError ? e : new DiskFullError(stateDir(), caught)).message)}`,
      );
      return EXIT.failure;
    }
    if (
      e instanceof UsageError ||
      e instanceof UnknownRunError ||
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`${stockmemPrefix()} ${messageOf(e)}`);
      return EXIT.usage;
    }
    if (e instanceof ZodError) {
      console.error(`${stockmemPrefix()} ${e.issues.map((i) => i.message).join("; ")}`);
      return EXIT.usage;
    }
    if (
      e instanceof DataError || // the data failed, not the command line
      e instanceof ChromaStartError ||
      e instanceof MemoryUnavailableError ||
      e instanceof EmbeddingMismatchError ||
      e instanceof ModelOutputError ||
      e instanceof ModelSetupError ||
      e instanceof NoPredictionsError ||
      e instanceof BudgetExceededError ||
      e instanceof RunLockedError
    ) {
      console.error(`${stockmemPrefix()} ${scrub(e.message)}`);
      return EXIT.failure;
    }
    // Everything else: one line for the user; the stack with STOCKMEM_DEBUG=1.
    console.error(
      `${stockmemPrefix()} ${scrub(process.env.STOCKMEM_DEBUG ? (e instanceof Error && e.stack) || messageOf(e) : messageOf(e))}`,
    );
    return EXIT.failure;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli/main.ts")) {
  commandProcess();
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

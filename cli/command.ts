/**
 * One command of the CLI: the words that call it, its help, flags and arguments, and its action.
 * `cli/commands/` holds one file per command (`stockmem memory gc` is `cli/commands/memory-gc.ts`);
 * `cli/commands/index.ts` lists them in the order `stockmem --help` shows them.
 */
import type { FlagSpecs, ValuesOf } from "./flags.ts";

export interface CommandDef<S extends FlagSpecs = FlagSpecs> {
  /** the words that call it: ["run"], ["memory", "gc"]; the first of two is a group or a command of its own */
  words: readonly [string] | readonly [string, string];
  /** one line for `--help` */
  about: string;
  flags: S;
  /** positional arguments, in order, e.g. { name: "<TICKER>", about: "the stock, e.g. MSFT" } */
  args?: readonly { name: string; about?: string }[];
  /** picks up where it stopped when run again (a run, the daily loop, a pull): Ctrl-C says so */
  resumable?: boolean;
  /** the action: the parsed flags, typed by the spec, and the positional arguments */
  run(values: ValuesOf<S>, args: string[]): Promise<void>;
}

/** Declares a command; its action's flags are typed from its spec. */
export const defineCommand = <S extends FlagSpecs>(def: CommandDef<S>): CommandDef<S> => def;

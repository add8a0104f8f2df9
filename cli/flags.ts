/**
 * The one way a command declares its flags: a spec (name -> type, description) that commander turns
 * into parsing, `--help` and "did you mean" suggestions, and whose parsed values come back typed,
 * keyed by the flag's own name (`values["agent-model"]`).
 */
import type { Command } from "commander";

interface FlagSpec {
  type: "string" | "boolean";
  /** repeatable (a string flag given several times collects a list) */
  multiple?: boolean;
  description: string;
  /** the value's name in the help, e.g. DIR */
  arg?: string;
}
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type ValuesOf<S extends FlagSpecs> = {
  -readonly [K in keyof S]?: S[K]["type"] extends "boolean"
    ? boolean
    : S[K]["multiple"] extends true
      ? string[]
      : string;
};

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** Adds the spec's flags to a command. */
export function addFlags(cmd: Command, spec: FlagSpecs): Command {
  for (const [name, f] of Object.entries(spec)) {
    if (f.type === "boolean") cmd.option(`--${name}`, f.description);
    else if (f.multiple) cmd.option(`--${name} <${f.arg ?? "value"}>`, `${f.description} (repeatable)`, collect);
    else cmd.option(`--${name} <${f.arg ?? "value"}>`, f.description);
  }
  return cmd;
}

/** The parsed flags of a command, keyed by flag name. A `--no-x` flag reads true when given. */
export function valuesOf<S extends FlagSpecs>(cmd: Command, spec: S): ValuesOf<S> {
  const opts = cmd.opts<Record<string, unknown>>();
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) {
    const v = name.startsWith("no-") ? (opts[camel(name.slice(3))] === false ? true : undefined) : opts[camel(name)];
    if (v !== undefined) out[name] = v;
  }
  return out as ValuesOf<S>;
}

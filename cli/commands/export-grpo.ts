/** `stockmem export grpo --run NAME [--out FILE]`: the GRPO groups of a run, as JSONL for a trainer. */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { GroupRecord } from "../../graphs/steps/grpo.ts";
import { grpoFile } from "../../src/config/paths.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const EXPORT_GRPO_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "a run made with --layered" },
  out: { type: "string", arg: "FILE", description: "output file (default grpo-<run>.jsonl)" },
} as const satisfies FlagSpecs;

async function exportGrpoCommand(values: ValuesOf<typeof EXPORT_GRPO_OPTIONS>): Promise<void> {
  if (!values.run) throw new UsageError("export grpo needs --run NAME");
  const file = grpoFile(values.run);
  if (!existsSync(file))
    throw new UsageError(`run "${values.run}" has no GRPO groups (${file}); they come from a run with --layered`);
  const groups = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GroupRecord);
  const out = values.out ?? `grpo-${values.run}.jsonl`;
  writeFileSync(out, `${groups.map((g) => JSON.stringify(g)).join("\n")}\n`);
  const sizes = [...new Set(groups.map((g) => g.completions.length))].join("/");
  console.log(`exported ${groups.length} groups (G = ${sizes}) of run "${values.run}" to ${out}`);
}

export default defineCommand({
  words: ["export", "grpo"],
  about: "the GRPO groups (prompt, completions, rewards, advantages) of a layered run, as JSONL",
  flags: EXPORT_GRPO_OPTIONS,
  run: exportGrpoCommand,
});

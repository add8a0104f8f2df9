/** `stockmem memory reset --run NAME`: delete every collection of a run. */

import { join } from "node:path";
import { RunName } from "../../src/config/context.ts";
import { runDir } from "../../src/config/paths.ts";
import { withChroma } from "../../src/memory/session.ts";
import { resetRun } from "../../src/memory/store.ts";
import { knownRuns } from "../../src/runtime/gc.ts";
import { lockRun } from "../../src/runtime/lock.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";

const MEMORY_RESET_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "the run whose collections to delete" },
} as const satisfies FlagSpecs;

async function memoryResetCommand(values: ValuesOf<typeof MEMORY_RESET_OPTIONS>): Promise<void> {
  if (!values.run) throw new UsageError("memory reset needs --run NAME (see `stockmem memory stats` for the runs)");
  const run = RunName.parse(values.run);
  const deleted = await withChroma(async (ep) => {
    const known = await knownRuns(ep.url);
    if (!known.includes(run))
      throw new UsageError(`no run "${run}" in this state dir (runs: ${known.join(", ") || "none"}): nothing to reset`);
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

export default defineCommand({
  words: ["memory", "reset"],
  about: "delete every collection of a run",
  flags: MEMORY_RESET_OPTIONS,
  run: memoryResetCommand,
});

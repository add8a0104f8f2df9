/** `stockmem memory gc`: remove old eval runs. */

import { privateStateDir } from "../../src/config/paths.ts";
import { withChroma } from "../../src/memory/session.ts";
import { openCheckpointer } from "../../src/runtime/checkpointer.ts";
import { GC_KEEP, gcChoice, knownRuns, removeRun } from "../../src/runtime/gc.ts";
import { RunLockedError } from "../../src/runtime/lock.ts";
import { defineCommand } from "../command.ts";
import { nonNegativeInt, positiveInt } from "../data-flags.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { mib } from "../lines.ts";

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
          console.log(
            `removed ${run}: ${r.collections.length} collection(s), ${mib(r.bytes)} of trace and run files, its checkpoint`,
          );
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

export default defineCommand({
  words: ["memory", "gc"],
  about: "remove old eval runs (ev-*): their collections, traces, run files and checkpoints",
  flags: MEMORY_GC_OPTIONS,
  run: memoryGcCommand,
});

/** `stockmem memory gc`: remove old eval runs. */

import { chromaDir, privateStateDir } from "../../src/config/paths.ts";
import { withChroma } from "../../src/memory/session.ts";
import { openCheckpointer } from "../../src/runtime/checkpointer.ts";
import { bytesOf, GC_KEEP, gcChoice, knownRuns, reclaimChroma, removeRun } from "../../src/runtime/gc.ts";
import { RunLockedError } from "../../src/runtime/lock.ts";
import { noteLine } from "../colour.ts";
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
  let freed:
    | { before: { files: number; checkpoints: number; chroma: number }; checkpoints: number; where: string }
    | undefined;
  await withChroma(async (ep) => {
    const chosen = gcChoice(await knownRuns(ep.url), { keep, olderThanDays, now: new Date() });
    if (chosen.length === 0)
      return console.log(
        `nothing to remove (eval runs kept: the newest ${keep}${olderThanDays ? `, and any younger than ${olderThanDays} days` : ""})`,
      );
    if (values["dry-run"]) return console.log(`would remove ${chosen.length} eval run(s): ${chosen.join(", ")}`);
    const cp = await openCheckpointer(privateStateDir());
    const checkpoints = cp.file ? () => bytesOf(cp.file!) + bytesOf(`${cp.file}-wal`) : () => 0;
    const chroma = ep.pid === undefined ? undefined : chromaDir(); // a store we serve, not one at CHROMA_URL
    const before = { files: 0, checkpoints: checkpoints(), chroma: chroma ? bytesOf(chroma) : 0 };
    try {
      for (const run of chosen) {
        try {
          const r = await removeRun(ep.url, run, cp);
          before.files += r.bytes;
          console.log(
            `removed ${run}: ${r.collections.length} collection(s), ${mib(r.bytes)} of trace and run files, its checkpoint`,
          );
        } catch (e) {
          if (!(e instanceof RunLockedError)) throw e;
          console.log(`kept ${run}: ${e.message}`);
        }
      }
      cp.reclaim();
      freed = {
        before,
        checkpoints: checkpoints(),
        where: cp.file ? "" : ` (checkpoints in ${cp.where}: the database reuses their space)`,
      };
    } finally {
      await cp.close();
    }
  });
  if (!freed) return;
  // Chroma gives its space back only with its server stopped (above): its deleted collections' folders and free pages
  const chroma = freed.before.chroma ? await reclaimChroma(chromaDir()) : undefined;
  const gone =
    freed.before.files + (freed.before.checkpoints - freed.checkpoints) + (chroma ? chroma.before - chroma.after : 0);
  console.log(
    `freed ${mib(gone)} of disk, measured: trace and run files ${mib(freed.before.files)}, checkpoints ${mib(freed.before.checkpoints)} -> ${mib(freed.checkpoints)}${freed.where}, ${
      chroma
        ? `Chroma ${mib(chroma.before)} -> ${mib(chroma.after)} (${chroma.folders} index folder(s) of deleted collections)`
        : "Chroma at CHROMA_URL: that server keeps its own files"
    }`,
  );
  if (chroma?.note) console.log(noteLine(chroma.note));
}

export default defineCommand({
  words: ["memory", "gc"],
  about: "remove old eval runs (ev-*): their collections, traces, run files and checkpoints",
  flags: MEMORY_GC_OPTIONS,
  run: memoryGcCommand,
});

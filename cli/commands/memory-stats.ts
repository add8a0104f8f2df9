/** `stockmem memory stats`: runs, collections and record counts in the memory. */

import { chromaDir, stateDir } from "../../src/config/paths.ts";
import { MemoryLayer } from "../../src/domain/schemas.ts";
import { embedderForId } from "../../src/memory/embeddings.ts";
import { layerWeekCounts } from "../../src/memory/layers.ts";
import { withChroma } from "../../src/memory/session.ts";
import { listRuns, MemoryStore } from "../../src/memory/store.ts";
import { table } from "../../src/metrics/table.ts";
import { bytesOf, evalRunTime, GC_KEEP, runFileBytes } from "../../src/runtime/gc.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { FlagSpecs, ValuesOf } from "../flags.ts";
import { mib } from "../lines.ts";

const MEMORY_STATS_OPTIONS = {
  run: { type: "string", arg: "NAME", description: "one run, with its layered memory per week" },
  json: { type: "boolean", description: "as JSON" },
} as const satisfies FlagSpecs;

async function memoryStatsCommand(values: ValuesOf<typeof MEMORY_STATS_OPTIONS>): Promise<void> {
  const runs = await withChroma(async (ep) => {
    const all = await listRuns(ep.url);
    const one = values.run ? all.find((r) => r.run === values.run) : undefined;
    if (values.run && !one)
      throw new UsageError(
        `no run "${values.run}" in the memory (runs: ${all.map((r) => r.run).join(", ") || "none"})`,
      );
    // for one run: its layered memory per week and layer
    let weeks: ReturnType<typeof layerWeekCounts> = [];
    if (one?.collections.some((c) => c.kind === "layers" && c.count > 0)) {
      const store = await MemoryStore.open(
        ep.url,
        one.run,
        embedderForId(one.collections.find((c) => c.kind === "layers")!.embedding_model),
      );
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
        shown.flatMap((r) =>
          r.collections.map((c, i) => [r.run, c.kind, c.count, c.embedding_model, i === 0 ? mib(r.file_bytes) : ""]),
        ),
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

export default defineCommand({
  words: ["memory", "stats"],
  about: "runs, collections and record counts in the memory",
  flags: MEMORY_STATS_OPTIONS,
  run: memoryStatsCommand,
});

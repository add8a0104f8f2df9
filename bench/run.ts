/**
 * `npm run bench [-- memory jaccard pipeline | offline llm rate universe universeLlm]`: speed and cost figures,
 * measured (never asserted in tests). The universes' sizes: STOCKMEM_BENCH_UNIVERSE=500x40 (offline) and
 * STOCKMEM_BENCH_UNIVERSE_LLM=500x5 (LLM path), tickers x trading days; STOCKMEM_BENCH_LAYERED=1 runs the offline one
 * with SEP-Memory's layered memory on. The LLM path's lines (tracker mode:concurrency):
 * STOCKMEM_BENCH_LLM=paper:8,single:8,batch:8,batch:16.
 */
import { setMaxListeners } from "node:events";
import { benchJaccard } from "./jaccard.ts";
import { benchMemory } from "./memory.ts";
import { benchPipeline } from "./pipeline.ts";

setMaxListeners(200); // see cli/main.ts (langgraphjs#1014)
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

console.log(`stockmem bench  node ${process.version}  ${new Date().toISOString()}`);
if (want("jaccard")) for (const l of benchJaccard(1_000_000)) console.log(l);
if (["pipeline", "offline", "llm", "rate", "universe", "universeLlm"].some(want)) {
  const all = want("pipeline");
  const parts = { offline: all, llm: all, rate: all, universe: all, universeLlm: all };
  for (const k of Object.keys(parts) as (keyof typeof parts)[]) parts[k] ||= only.includes(k);
  await benchPipeline(parts, (l) => console.log(l));
}
if (want("memory")) for (const l of await benchMemory([10_000, 100_000])) console.log(l);

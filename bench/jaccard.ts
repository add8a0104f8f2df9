/** Jaccard retrieval benchmark: top-10 SeqSim over N stored w-day sequences (random sparse days). */

import { loadavg } from "node:os";
import { N_TYPES, TYPES } from "../src/domain/taxonomy.ts";
import { lcg } from "../testkit/random.ts";
import { type DaySeq, dayBits, SCAN_ENGINE, type ScanEngine, SequenceIndex } from "../tools/jaccard.ts";
import { fmt, median } from "./stats.ts";

function randomSeq(rnd: () => number, w: number): DaySeq {
  const days = Array.from({ length: w }, () => {
    const n = Math.floor(rnd() * 5); // 0..4 event types a day, like the sample
    const types = Array.from({ length: n }, () => TYPES[Math.floor(rnd() * N_TYPES)]!);
    return dayBits(
      types.map((t) => t.id),
      types.map((t) => t.groupId),
    );
  });
  return { types: days.map((d) => d.types), groups: days.map((d) => d.groups) };
}

/**
 * Top-10 over n sequences: the default scan and, back to back on the same index and queries, the TypeScript reference.
 */
export function benchJaccard(n: number, w = 5): string[] {
  const rnd = lcg(7);
  const idx = new SequenceIndex(w, n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    idx.add({ id: `r${i}`, ticker: `T${i % 50}`, day: 16000 + (i % 3000), availableAt: i }, randomSeq(rnd, w));
  const buildMs = performance.now() - t0;
  const queries = Array.from({ length: 25 }, () => randomSeq(rnd, w));
  const engines: ScanEngine[] = SCAN_ENGINE === "wasm" ? ["wasm", "typescript"] : ["typescript"];
  return engines.map((engine) => {
    const times: number[] = [];
    queries.forEach((s, i) => {
      const t = performance.now();
      idx.query(s, { k: 10, asOfSeconds: n }, engine);
      if (i >= 5) times.push(performance.now() - t);
    });
    return `jaccard n=${n} w=${w} ${engine}: top-10 median ${fmt(median(times), 1)} ms over 20 queries (index built in ${fmt(buildMs / 1000, 1)} s, ${fmt((n * w * 3 * 5) / 2 ** 20, 0)} MiB packed, load ${fmt(loadavg()[0]!, 2)})`;
  });
}

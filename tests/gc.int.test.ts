/** `memory gc` and the per-run footprint: eval runs beyond the newest N go with all they wrote; named runs stay. */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { chromaDir, runDir, stateDir } from "../src/config/paths.ts";
import { connectChroma } from "../src/memory/chroma-server.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { listRuns, MemoryStore } from "../src/memory/store.ts";
import { traceFile } from "../src/observability/trace.ts";
import { openCheckpointer } from "../src/runtime/checkpointer.ts";
import { bytesOf, evalRunTime, gcChoice } from "../src/runtime/gc.ts";
import { lockRun } from "../src/runtime/lock.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";
import { storedEvent } from "./helpers/records.ts";

const env = useIsolatedStockmem();

describe("memory gc", () => {
  it("chooses eval runs beyond the newest N, optionally only old ones; never other runs", () => {
    const runs = [
      "sample",
      "ev-20261101000000-a",
      "ev-20261120000000-b",
      "ev-20261121000000-c",
      "ev-x",
      "my-ev-20261101000000-z",
    ];
    expect(evalRunTime("ev-20261121164133-k2x9")?.toISOString()).toBe("2026-11-21T16:41:33.000Z");
    expect(evalRunTime("sample")).toBeUndefined();
    const now = new Date("2026-11-22T00:00:00Z");
    expect(gcChoice(runs, { keep: 1, now })).toEqual(["ev-20261120000000-b", "ev-20261101000000-a"]);
    expect(gcChoice(runs, { keep: 0, olderThanDays: 7, now })).toEqual(["ev-20261101000000-a"]);
    expect(gcChoice(runs, { keep: 5, now })).toEqual([]);
  });

  it("removes an eval run's collections, trace, run files and checkpoint; keeps the newest and named runs", async () => {
    const url = env.server().url;
    const runs = ["ev-20261101000000-a", "ev-20261120000000-b", "named"];
    const cp = await openCheckpointer(stateDir());
    for (const run of runs) {
      const store = await MemoryStore.open(url, run, new HashEmbedder(512));
      await store.putEvents([storedEvent("AAPL", "2015-10-05", `event of ${run}`)]);
      mkdirSync(join(stateDir(), "traces"), { recursive: true });
      writeFileSync(traceFile(stateDir(), run), "x".repeat(2048));
      mkdirSync(runDir(run), { recursive: true });
      writeFileSync(join(runDir(run), "predictions.jsonl"), "{}\n");
      await cp.saver.put(
        { configurable: { thread_id: run, checkpoint_ns: "" } },
        {
          v: 4,
          id: `00000000-0000-4000-8000-00000000000${runs.indexOf(run)}`,
          ts: new Date().toISOString(),
          channel_values: {},
          channel_versions: {},
          versions_seen: {},
        },
        { source: "input", step: -1, parents: {} },
        {},
      );
    }
    const stats = await cli("memory", "stats");
    expect(stats.out).toMatch(/trace \+ run files/);
    expect(stats.out).toMatch(/ev-20261101000000-a\s+events\s+1\s+\S+\s+0\.0 MiB/);
    expect(stats.out).toMatch(/2 eval run\(s\)/);

    const dry = await cli("memory", "gc", "--keep", "1", "--dry-run");
    expect(dry.out).toBe("would remove 1 eval run(s): ev-20261101000000-a\n");
    expect((await listRuns(url)).map((r) => r.run).sort()).toEqual([...runs].sort());

    const gc = await cli("memory", "gc", "--keep", "1");
    expect(gc.code).toBe(0);
    expect(gc.out).toMatch(
      /^removed ev-20261101000000-a: 3 collection\(s\), 0\.0 MiB of trace and run files, its checkpoint\nfreed/,
    );
    expect((await listRuns(url)).map((r) => r.run).sort()).toEqual(["ev-20261120000000-b", "named"]);
    expect(existsSync(traceFile(stateDir(), "ev-20261101000000-a"))).toBe(false);
    expect(existsSync(runDir("ev-20261101000000-a"))).toBe(false);
    expect(await cp.saver.getTuple({ configurable: { thread_id: "ev-20261101000000-a" } })).toBeUndefined();
    for (const kept of ["ev-20261120000000-b", "named"]) {
      expect(existsSync(traceFile(stateDir(), kept))).toBe(true);
      expect(await cp.saver.getTuple({ configurable: { thread_id: kept } })).toBeDefined();
    }
    expect((await cli("memory", "gc", "--keep", "0")).out).toMatch(/^removed ev-20261120000000-b/);
    expect((await listRuns(url)).map((r) => r.run)).toEqual(["named"]);
    await cp.close();
  });

  it("gives the disk back: deleted collections' index folders and free pages, measured (issue 21, item 8)", async () => {
    // a state dir of its own, served by the CLI's own Chroma (as a user's is), not the shared test server
    const state = mkdtempSync(join(tmpdir(), "stockmem-gc-"));
    vi.stubEnv("STOCKMEM_DATA_DIR", state);
    vi.stubEnv("CHROMA_URL", "");
    try {
      const runs = ["ev-20261101000000-a", "ev-20261102000000-b", "ev-20261120000000-c"];
      const ep = await connectChroma(state);
      try {
        for (const run of runs) {
          const store = await MemoryStore.open(ep.url, run, new HashEmbedder(512));
          await store.putEvents(
            Array.from({ length: 1500 }, (_, i) =>
              storedEvent("AAPL", "2015-10-05", `event ${i} of ${run} ${"x".repeat(300)}`),
            ),
          );
        }
      } finally {
        await ep.stop();
      }
      const folders = () => readdirSync(chromaDir(state)).filter((f) => /^[0-9a-f-]{36}$/.test(f)).length;
      const chromaBefore = bytesOf(chromaDir(state));
      const foldersBefore = folders();
      const gc = await cli("memory", "gc", "--keep", "1");
      expect(gc.code).toBe(0);
      const chromaAfter = bytesOf(chromaDir(state));
      // before: the two runs' folders stayed and the database kept its size (Chroma deletes rows, not files)
      expect(folders()).toBe(foldersBefore - 2);
      expect(chromaAfter).toBeLessThan(chromaBefore * 0.6); // two of three equal runs gone
      const line =
        /^freed ([\d.]+) MiB of disk, measured: .*Chroma ([\d.]+) MiB -> ([\d.]+) MiB \(2 index folder\(s\) of deleted collections\)$/m.exec(
          gc.out,
        );
      expect(line, gc.out).not.toBeNull();
      expect(Number(line![2])).toBeCloseTo(chromaBefore / 2 ** 20, 1);
      expect(Number(line![3])).toBeCloseTo(chromaAfter / 2 ** 20, 1);
      expect(Number(line![1])).toBeGreaterThanOrEqual(Number(line![2]) - Number(line![3]) - 0.05);
      // the kept run still reads, from a fresh server on the same files
      const again = await connectChroma(state);
      try {
        const kept = await MemoryStore.open(again.url, runs[2]!, new HashEmbedder(512));
        expect((await kept.counts()).events).toBe(1500);
        expect((await listRuns(again.url)).map((r) => r.run)).toEqual([runs[2]]);
      } finally {
        await again.stop();
      }
    } finally {
      vi.stubEnv("STOCKMEM_DATA_DIR", env.state());
      vi.stubEnv("CHROMA_URL", env.server().url);
    }
  });

  it("memory reset refuses a run in use and a run that does not exist", async () => {
    const url = env.server().url;
    const store = await MemoryStore.open(url, "busy", new HashEmbedder(512));
    await store.putEvents([storedEvent("AAPL", "2015-10-05", "event of busy")]);
    const held = lockRun(join(runDir("busy"), "lock"), "busy"); // as a run in progress holds it
    const refused = await cli("memory", "reset", "--run", "busy");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`stockmem: run "busy" is in use by process ${process.pid}`);
    expect((await listRuns(url)).some((r) => r.run === "busy")).toBe(true);
    held.release();
    const reset = await cli("memory", "reset", "--run", "busy");
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/^deleted busy__events/);
    expect((await listRuns(url)).some((r) => r.run === "busy")).toBe(false);

    const none = await cli("memory", "reset", "--run", "nosuchrun");
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^stockmem: no run "nosuchrun" in this state dir \(runs: .*busy.*\): nothing to reset/);
    expect(none.out).toBe("");
    expect(existsSync(runDir("nosuchrun"))).toBe(false);
  });
});

/**
 * SEP-Memory's layered memory in a real run (real data, real Chroma): records are written, move
 * between layers, get pruned and rewarded; rewards are refused before an outcome is known; the
 * predictions' memory citations existed at their asOf; memory stats shows the layers per week.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeRun } from "../app/run.ts";
import { main } from "../cli/main.ts";
import { citationViolations } from "../evals/metrics.ts";
import { referenceAvailability } from "../evals/runner.ts";
import { settle } from "../graphs/steps/layered.ts";
import { LayerParams, runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { RewardTooEarlyError } from "../src/memory/layers.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";
import { resources } from "./helpers/pipeline.ts";

const env = useIsolatedStockmem();
// Test parameters that make every mechanism fire within six weeks (mechanics, not quality).
const layers = LayerParams.parse({ minDwell: 0, promoteAt: { short: 0.45, mid: 0.8 }, pruneImportance: 0.25 });
const TICKERS = ["MSFT", "ORCL"];

describe("layered memory in a run", () => {
  it("writes, moves, prunes and rewards records, point-in-time", async () => {
    const ctx = runContext({ run: "sep", layered: true, layers });
    await executeRun({
      ctx,
      dataDir: SAMPLE_DATA_DIR,
      tickers: TICKERS,
      train: { from: "2015-09-01", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-30" },
      quiet: true,
    });
    const store = await MemoryStore.open(env.server().url, "sep", new HashEmbedder(512));
    const all = await store.getLayerRecords({ asOf: "2016-01-01" });
    const by = (f: (x: (typeof all)[number]) => boolean) => all.filter(f).length;

    expect(by((x) => x.layer === "short")).toBeGreaterThan(0);
    expect(by((x) => x.layer === "mid")).toBeGreaterThan(0);
    expect(by((x) => x.layer === "reflection")).toBeGreaterThan(0); // wrong calls became error cases
    expect(by((x) => x.kind === "daily" && x.layer === "mid")).toBeGreaterThan(0); // promoted short -> mid
    expect(by((x) => x.kind === "daily" && x.layer === "short" && x.layer_since !== x.date)).toBeGreaterThan(0); // demoted back
    const ingested = TICKERS.length * (21 + 22); // trading days of 2015-09 and 2015-10
    expect(by((x) => x.kind === "daily")).toBeLessThan(ingested); // the stale ones were pruned
    expect(all.some((x) => x.access_count > 0)).toBe(true); // cited records were rewarded

    const preds = readPredictions(join(env.state(), "runs", "sep", "predictions.jsonl"));
    expect(preds.some((p) => p.references.some((id) => id.startsWith("lm:")))).toBe(true);
    expect(preds.every((p) => p.prompt_versions.predictor === "1.3.0")).toBe(true);
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: TICKERS });
    expect(citationViolations(preds, referenceAvailability(data))).toEqual([]);

    // no reward before the outcome: at the prediction's own close it is refused
    const r = await resources(env.server().url, data, { run: "sep", layered: true, layers });
    const p = preds.find((x) => x.references.some((id) => id.startsWith("lm:")))!;
    await expect(settle(r, p, p.as_of, null)).rejects.toThrow(RewardTooEarlyError);

    // GRPO groups of the training days: the offline analyst is deterministic, so G = 1 (advantage 0)
    const { readFileSync } = await import("node:fs");
    const groups = readFileSync(join(env.state(), "runs", "sep", "grpo.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(groups.length).toBeGreaterThan(10);
    expect(groups.every((g) => g.date <= "2015-09-30" && g.completions.length === 1 && g.advantages[0] === 0)).toBe(
      true,
    );
    const exported = join(env.state(), "export.jsonl");
    expect(await main(["export", "grpo", "--run", "sep", "--out", exported])).toBe(0);
    expect(readFileSync(exported, "utf8").trim().split("\n")).toHaveLength(groups.length);

    // memory stats shows the layers per week
    const { code, out } = await cli("memory", "stats", "--run", "sep");
    expect(code).toBe(0);
    expect(out).toMatch(/records per week \(of their date\) and layer\nweek of\s+short\s+mid\s+long\s+reflection/);
    expect(out).toMatch(/\n2015-10-26\s+\d+\s+\d+\s+\d+\s+\d+/);
  });
});

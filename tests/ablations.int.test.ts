/** Each ablation switch reaches the pipeline, and the ablation table lists every configuration. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ABLATIONS, ablationTable, runAblations } from "../evals/ablations.ts";
import { buildDataset, saveDataset } from "../evals/dataset.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { readPredictions } from "../src/runtime/run-files.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

const env = useIsolatedStockmem();

describe("ablations", () => {
  it("run every configuration, each switch visibly in effect, into one table", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "ORCL"] });
    saveDataset(
      await buildDataset({
        name: "abl",
        data,
        tickers: ["MSFT", "ORCL"],
        train: { from: "2015-09-14", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-16" },
        labelThreshold: 0.01,
      }),
    );
    const rows = await runAblations({ dataset: "abl", quiet: true, seed: 1 });
    expect(rows.map((r) => r.ablation.name)).toEqual(ABLATIONS.map((a) => a.name));
    const preds = (name: string) => {
      const row = rows.find((r) => r.ablation.name === name)!;
      return { row, preds: readPredictions(join(env.state(), "runs", row.result.run, "predictions.jsonl")) };
    };

    const full = preds("StockMem (full)");
    expect(full.preds.some((p) => p.references.length > 0)).toBe(true);
    expect(full.row.result.experiment).not.toMatch(/no-refs|no-delta|recent|same-ticker/);

    const noRefs = preds("w/o references");
    expect(noRefs.preds.every((p) => p.references.length === 0)).toBe(true);
    expect(noRefs.row.result.experiment).toMatch(/__no-refs__/);

    const noDelta = preds("w/o delta info");
    const store = await MemoryStore.open(env.server().url, noDelta.row.result.run, new HashEmbedder(512));
    const events = await store.getEvents({ asOf: "2016-01-01" });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.delta === null && e.predecessor_id === null)).toBe(true);
    const fullStore = await MemoryStore.open(env.server().url, full.row.result.run, new HashEmbedder(512));
    expect((await fullStore.getEvents({ asOf: "2016-01-01" })).every((e) => e.delta !== null)).toBe(true);

    const recent = preds("recent-period references");
    for (const p of recent.preds.filter((x) => x.references.length > 1)) {
      const dates = p.references.map((r) => r.split(":")[2]!);
      expect(dates).toEqual([...dates].sort().reverse());
    }

    const same = preds("same-company references");
    expect(same.preds.every((p) => p.references.every((r) => r.startsWith(`rf:${p.ticker}:`)))).toBe(true);
    expect(full.preds.some((p) => p.references.some((r) => !r.startsWith(`rf:${p.ticker}:`)))).toBe(true); // the default scope is all tickers

    // the same ticker's previous days share the query's window: the full method cites them, this row never does
    const windowOf = (p: { ticker: string; date: string }) => {
      const dates = data.series
        .get(p.ticker)!
        .calendar.dates.filter((d) => d <= p.date)
        .slice(-5);
      return new Set(dates.map((d) => `rf:${p.ticker}:${d}`));
    };
    const noOverlap = preds("exclude overlapping windows");
    expect(noOverlap.row.result.experiment).toMatch(/__no-overlap__/);
    expect(noOverlap.preds.every((p) => p.references.every((r) => !windowOf(p).has(r)))).toBe(true);
    expect(full.preds.some((p) => p.references.some((r) => windowOf(p).has(r)))).toBe(true);

    const summary = preds("summary instead of events");
    const sumStore = await MemoryStore.open(env.server().url, summary.row.result.run, new HashEmbedder(512));
    expect(await sumStore.getEvents({ asOf: "2016-01-01" })).toEqual([]); // no events: summaries instead
    const sumRefl = await sumStore.getReflections({ asOf: "2016-01-01" });
    expect(sumRefl.length).toBeGreaterThan(0);
    expect(sumRefl.every((r) => r.type_bits.every((day) => day.every((b) => b === 0)))).toBe(true);
    expect(sumRefl.some((r) => r.reason.includes("Daily news summary"))).toBe(true);
    expect(summary.preds.some((p) => p.references.length > 0)).toBe(true);
    expect(summary.row.result.experiment).toMatch(/__summary__/);

    // cluster opinion: per day the opinions of its largest news clusters, no events, references by text
    const clusters = preds("cluster opinion");
    expect(clusters.row.result.experiment).toMatch(/__clusters__/);
    const clStore = await MemoryStore.open(env.server().url, clusters.row.result.run, new HashEmbedder(512));
    expect(await clStore.getEvents({ asOf: "2016-01-01" })).toEqual([]);
    const clRefl = await clStore.getReflections({ asOf: "2016-01-01" });
    expect(clRefl.some((r) => /News cluster \(\d+ items\)/.test(r.reason))).toBe(true);
    expect(
      clRefl.every((r) => r.series!.every((d) => d.events.length <= 5 && d.events.every((e) => e.group === "Cluster"))),
    ).toBe(true);
    expect(clusters.preds.some((p) => p.references.length > 0)).toBe(true);

    // cross-item extraction: a report carried by several items (retweets, syndicated headlines) is one raw
    // event citing them all, where the per-document default extracts it once per item
    const cross = preds("cross-item extraction");
    expect(cross.row.result.experiment).toMatch(/__cross-item__/);
    const crossStore = await MemoryStore.open(env.server().url, cross.row.result.run, new HashEmbedder(512));
    const crossEvents = await crossStore.getEvents({ asOf: "2016-01-01" });
    const fullEvents = await fullStore.getEvents({ asOf: "2016-01-01" });
    const rawPerSource = (es: typeof fullEvents) =>
      es.reduce((n, e) => n + e.raw_event_ids.length, 0) / es.reduce((n, e) => n + e.source_ids.length, 0);
    expect(rawPerSource(crossEvents)).toBeLessThan(rawPerSource(fullEvents));
    // the full method keeps each event's tuple and each reflection's window series
    expect(fullEvents.every((e) => e.details !== undefined && e.details.companies.length > 0)).toBe(true);
    expect((await fullStore.getReflections({ asOf: "2016-01-01" })).every((r) => r.series?.length === 5)).toBe(true);

    const text = ablationTable(rows);
    for (const a of ABLATIONS) expect(text).toContain(a.name);
    for (const b of ["always up", "previous day", "train majority", "logistic regression"])
      expect(text).toContain(`baseline: ${b}`);
    expect(text.split("\n")[0]).toMatch(/ACC \(mean of stocks\)\s+MCC \(mean of stocks\)/); // pooled and per-stock figures side by side
  });
});

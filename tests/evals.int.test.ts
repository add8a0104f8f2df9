import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { compare, formatComparison, listResults, loadResult } from "../evals/compare.ts";
import { buildDataset, type DatasetClient, loadDataset, saveDataset, uploadDataset } from "../evals/dataset.ts";
import { report } from "../evals/metrics.ts";
import { reportHtml } from "../evals/report.ts";
import { type ExperimentResult, experimentName, runExperiment } from "../evals/runner.ts";
import { RunContext, variantTags } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { stableUuid } from "../src/observability/uuid.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";
import { writeDataDir } from "./helpers/data-dir.ts";

const env = () => ({ STOCKMEM_EVALS_DIR: mkdtempSync(join(tmpdir(), "stockmem-evals-")) });

describe("datasets", () => {
  it("round-trip through a file, with stable UUIDs and only up/down test days", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "ORCL"] });
    const ds = await buildDataset({
      name: "rt",
      data,
      tickers: ["ORCL", "MSFT"],
      train: { from: "2015-09-01", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-30" },
      labelThreshold: 0.01,
    });
    const e = env();
    saveDataset(ds, e);
    expect(loadDataset("rt", e)).toEqual(ds);
    const labels = new Map(data.series.get("MSFT")!.days.map((d) => [d.date, d.label]));
    const msft = ds.examples.filter((x) => x.inputs.ticker === "MSFT");
    expect(msft.length).toBe(
      [...labels].filter(([d, l]) => d >= "2015-10-01" && d <= "2015-10-30" && (l === "up" || l === "down")).length,
    );
    expect(msft.every((x) => labels.get(x.inputs.date) === x.outputs.movement)).toBe(true);
    expect(ds.examples[0]!.id).toBe(stableUuid("rt", ds.examples[0]!.inputs.ticker, ds.examples[0]!.inputs.date));
    expect(ds.examples[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ds.train_labels.up + ds.train_labels.down).toBeGreaterThan(0);
    expect(ds.tickers).toEqual(["MSFT", "ORCL"]);
    expect(() => loadDataset("nope", e)).toThrow(/no dataset "nope"/);
  });

  it("leaves out a day whose label spans missing price rows", async () => {
    const dir = writeDataDir(
      [
        { date: "2015-06-01", adj: 100 },
        { date: "2015-06-02", adj: 103 },
        { date: "2015-06-10", adj: 110 },
        { date: "2015-06-11", adj: 100 },
      ],
      [],
    );
    const data = await loadMarketData(dir);
    const ds = await buildDataset({
      name: "gap",
      data,
      tickers: ["TEST"],
      train: { from: "2015-05-01", to: "2015-05-31" },
      test: { from: "2015-06-01", to: "2015-06-30" },
      labelThreshold: 0.01,
    });
    expect(ds.examples.map((x) => x.inputs.date)).toEqual(["2015-06-01", "2015-06-10"]); // not 06-02 -> 06-10
  });
});

describe("dataset upload", () => {
  it("is idempotent: a second upload updates the examples in place and creates none", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
    const ds = await buildDataset({
      name: "up",
      data,
      tickers: ["MSFT"],
      train: { from: "2015-09-01", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-16" },
      labelThreshold: 0.01,
    });
    // an in-memory LangSmith: datasets by name, examples by id
    const store = {
      datasets: new Map<string, { id: string; name: string }>(),
      examples: new Map<string, { id: string; dataset_id: string; outputs?: unknown }>(),
      created: 0,
      updated: 0,
    };
    const client = {
      hasDataset: async ({ datasetName }: { datasetName: string }) => store.datasets.has(datasetName),
      readDataset: async ({ datasetName }: { datasetName: string }) => store.datasets.get(datasetName)!,
      createDataset: async (name: string) => {
        store.datasets.set(name, { id: `ds-${name}`, name });
        return store.datasets.get(name)!;
      },
      listExamples: async function* ({ datasetId }: { datasetId: string }) {
        for (const e of store.examples.values()) if (e.dataset_id === datasetId) yield e;
      },
      createExamples: async (rows: { id: string; dataset_id: string }[]) => {
        for (const r of rows) {
          if (store.examples.has(r.id)) throw new Error(`duplicate example ${r.id}`);
          store.examples.set(r.id, r);
          store.created++;
        }
        return rows;
      },
      updateExamples: async (rows: { id: string; dataset_id: string; outputs?: unknown }[]) => {
        for (const r of rows) {
          store.examples.set(r.id, r);
          store.updated++;
        }
        return {};
      },
    } as unknown as DatasetClient;
    expect(await uploadDataset(ds, client)).toBe("ds-up");
    expect([store.created, store.updated, store.examples.size]).toEqual([ds.examples.length, 0, ds.examples.length]);
    const again = {
      ...ds,
      examples: [
        ...ds.examples,
        {
          ...ds.examples[0]!,
          id: stableUuid("up", "MSFT", "2015-10-19"),
          inputs: { ticker: "MSFT", date: "2015-10-19" },
        },
      ],
    };
    await uploadDataset(again, client);
    expect([store.created, store.updated, store.examples.size]).toEqual([
      ds.examples.length + 1,
      ds.examples.length,
      ds.examples.length + 1,
    ]);
  });
});

describe("compare", () => {
  const exp = (name: string, preds: ("up" | "down")[], reasons: string[]): ExperimentResult => {
    const labels: ("up" | "down")[] = ["up", "down", "up", "down"];
    const examples = labels.map((label, i) => ({
      id: `e${i}`,
      ticker: "AAPL",
      date: `2015-10-0${i + 1}`,
      label,
      predicted: preds[i]!,
      correct: preds[i] === label,
      reason: reasons[i]!,
      references: [],
      as_of: "",
    }));
    return {
      experiment: name,
      dataset: "syn",
      created_at: "",
      run: "r",
      models: {},
      prompt_versions: {},
      context: {},
      citation_violations: [],
      test_predictions: [],
      langsmith: { uploaded: false, experiment: name },
      report: report(
        examples.map((x) => ({
          ticker: x.ticker,
          date: x.date,
          label: x.label,
          predicted: x.predicted,
          prevReturn: null,
        })),
        { up: 1, down: 1 },
        { seed: 1, samples: 50 },
      ),
      examples,
    };
  };

  it("prints metric deltas and the flipped examples with both reasons", () => {
    const a = exp("A", ["up", "up", "up", "up"], ["a0", "a1", "a2", "a3"]); // right, wrong, right, wrong: ACC 0.5
    const b = exp("B", ["up", "down", "down", "down"], ["b0", "b1", "b2", "b3"]); // right, right, wrong, right: ACC 0.75
    const c = compare(a, b);
    expect(c.metrics.find((m) => m.metric === "ACC")).toMatchObject({ a: 0.5, b: 0.75, delta: 0.25 });
    expect(c.rightToWrong.map((f) => f.date)).toEqual(["2015-10-03"]);
    expect(c.wrongToRight.map((f) => f.date)).toEqual(["2015-10-02", "2015-10-04"]);
    const text = formatComparison(c);
    expect(text).toMatch(/ACC\s+0\.500\s+\[[-\d.]+, [-\d.]+\]\s+0\.750\s+\[[-\d.]+, [-\d.]+\]\s+\+0\.250/);
    expect(text).toMatch(
      /right -> wrong: 1\n {2}AAPL 2015-10-03 \(moved up\): A said up, B says down\n {4}A: a2\n {4}B: b2/,
    );
    expect(() => compare(a, { ...b, dataset: "other" })).toThrow(/different datasets/);
  });

  it("lists the experiments, and takes a short id, a run id or a unique name prefix wherever a name goes (issue 21, item 6)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-evals-"));
    vi.stubEnv("STOCKMEM_EVALS_DIR", dir);
    try {
      mkdirSync(join(dir, "results"));
      const a = {
        ...exp("syn__offline__p1.3.0__20261201-100000", ["up", "up", "up", "up"], ["a0", "a1", "a2", "a3"]),
        run: "ev-20261201100000-aaaa",
        created_at: "2026-12-01T10:00:00.000Z",
        models: { predictor: "offline" },
      };
      const b = {
        ...exp("syn__offline__p1.2.1__20261202-100000", ["up", "down", "down", "down"], ["b0", "b1", "b2", "b3"]),
        run: "ev-20261202100000-bbbb",
        created_at: "2026-12-02T10:00:00.000Z",
        models: { predictor: "offline" },
      };
      for (const r of [a, b]) writeFileSync(join(dir, "results", `${r.experiment}.json`), JSON.stringify(r));
      const listed = listResults();
      expect(listed.map((r) => [r.experiment, r.run, r.n, r.acc])).toEqual([
        [a.experiment, a.run, 4, 0.5],
        [b.experiment, b.run, 4, 0.75],
      ]);
      expect(listed.every((r) => /^[0-9a-f]{7}$/.test(r.id))).toBe(true);
      const idB = listed[1]!.id;
      expect(loadResult(idB).experiment).toBe(b.experiment); // the short id
      expect(loadResult(idB.slice(0, 4)).experiment).toBe(b.experiment); // a prefix of it
      expect(loadResult(a.run).experiment).toBe(a.experiment); // the run id
      expect(loadResult("syn__offline__p1.2").experiment).toBe(b.experiment); // a unique name prefix
      expect(() => loadResult("syn__offline")).toThrow(/"syn__offline" names 2 experiments .*: give more of it/);
      expect(() => loadResult("zzzz9")).toThrow(/no experiment "zzzz9" .*`stockmem eval list` lists them/);
      const out = await cli("eval", "list");
      expect(out.code).toBe(0);
      expect(out.out).toMatch(/^id\s+date\s+dataset\s+model\s+n\s+ACC\s+MCC\s+experiment\s+run$/m);
      expect(out.out).toMatch(new RegExp(`^${idB}\\s+2026-12-02 10:00\\s+syn\\s+offline\\s+4\\s+0\\.750\\s`, "m"));
      const cmp = await cli("eval", "compare", a.run, idB.slice(0, 5));
      expect(cmp.code).toBe(0);
      expect(cmp.out).toMatch(/ACC\s+0\.500\s.*\+0\.250/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("names experiments after their models and prompt versions", () => {
    expect(
      experimentName(
        "q4",
        { extractor: "offline", predictor: "openai:gpt-4o" },
        { extractor: "1.0.0", predictor: "1.1.0" },
        new Date("2026-11-21T16:45:00Z"),
      ),
    ).toBe("q4__offline+openai-gpt-4o__x1.0.0-p1.1.0__20261121-164500");
    // the embedding model is part of what an experiment is: another one is named in its tags
    expect(variantTags(RunContext.parse({}))).toEqual([]);
    expect(variantTags(RunContext.parse({ embeddings: "ollama:bge-m3", excludeOverlapping: true }))).toEqual([
      "no-overlap",
      "emb-ollama-bge-m3",
    ]);
  });
});

describe("stockmem eval run (local evaluate, real Chroma)", () => {
  useIsolatedStockmem();

  it("scores the run's predictions on the dataset, with no citation after asOf", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "ORCL"] });
    saveDataset(
      await buildDataset({
        name: "small",
        data,
        tickers: ["MSFT", "ORCL"],
        train: { from: "2015-09-14", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-16" },
        labelThreshold: 0.01,
      }),
    );
    const warn = vi.spyOn(console, "warn");
    const { result, file } = await runExperiment({ dataset: "small", quiet: true, seed: 3 });
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("on_end"))).toHaveLength(0);
    warn.mockRestore();
    expect(file).toMatch(
      /small__offline__x1\.2\.0-.*-j1\.1\.0-p1\.3\.0-s1\.0\.1-c1\.0\.1-v1\.0\.1__\d{8}-\d{6}\.json$/,
    );
    expect(result.report.coverage).toBe(1);
    expect(result.citation_violations).toEqual([]);
    // recompute ACC from the per-example rows written by evaluate()'s row evaluator
    const rows = result.examples;
    expect(rows.length).toBe(result.report.n);
    expect(result.report.overall.acc).toBeCloseTo(rows.filter((r) => r.correct).length / rows.length, 12);
    expect(rows.every((r) => r.correct === (r.predicted === r.label))).toBe(true);
    expect(result.langsmith.uploaded).toBe(false);
    // the trained classical baseline, scored on the same examples, in the result and the HTML report
    const logistic = result.report.baselines.logistic!;
    expect(logistic.n).toBe(result.report.n);
    expect(logistic.confusion.tp + logistic.confusion.tn + logistic.confusion.fp + logistic.confusion.fn).toBe(
      result.report.n,
    );
    expect(reportHtml(result)).toContain("logistic regression (events + previous return)");
  });
});

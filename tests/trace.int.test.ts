/** The local trace records every node (with inputs and outputs) and every model call of a ticker-day. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage } from "@langchain/core/messages";
import type { RunCreate } from "langsmith/schemas";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { timeline } from "../cli/trace.ts";
import { buildIngestGraph, graph as ingestGraph, ingestSteps } from "../graphs/ingest.ts";
import { graph as predictGraph, predictSteps } from "../graphs/predict.ts";
import { buildReflectGraph, graph as reflectGraph, reflectSteps } from "../graphs/reflect.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { toLangSmithRuns } from "../src/observability/langsmith-export.ts";
import { compact, LocalTracer, readTrace, summarize } from "../src/observability/trace.ts";
import { withResources } from "../src/runtime/resources.ts";
import { validAnswer } from "../testkit/answers.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { prepare, resources } from "./helpers/pipeline.ts";

let server: Awaited<ReturnType<typeof tempChroma>>;
beforeAll(async () => {
  server = await tempChroma();
});
afterAll(async () => {
  await server.stop();
});

let traced = "";

describe("local trace", () => {
  it("has every node with inputs and outputs, and every model call with model, prompt version and tokens", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
    await prepare(await resources(server.url, data, { run: "traced" }), "MSFT", "2015-09-28", "2015-10-06");
    const factory = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
      new ScriptedChatModel(
        (m) =>
          new AIMessage({
            content: validAnswer(agent, m),
            usage_metadata: { input_tokens: 100, output_tokens: 20, total_tokens: 120 },
          }),
      );
    const r = await resources(server.url, data, { run: "traced", model: "openai:scripted" }, factory);
    const file = join(mkdtempSync(join(tmpdir(), "stockmem-trace-")), "traced.jsonl");
    const tracer = new LocalTracer(file, "traced");
    const cfg = withResources(r, { callbacks: [tracer] });
    await ingestGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);
    await predictGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);
    await reflectGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);

    const recs = readTrace(file).filter((x) => x.ticker === "MSFT" && x.date === "2015-10-07");
    const nodes = recs.filter((x) => x.kind === "node");
    const expected = [
      ["ingest", "load"],
      ["ingest", "extract"],
      ["ingest", "merge"],
      ["ingest", "track"],
      ["ingest", "store"],
      ["predict", "load_series"],
      ["predict", "retrieve"],
      ["predict", "judge"],
      ["predict", "predict"],
      ["reflect", "reflect"],
    ];
    for (const [graph, node] of expected) {
      const rec = nodes.find((x) => x.graph === graph && x.node === node);
      expect(rec, `${graph}/${node}`).toBeDefined();
      expect(rec!.inputs).toMatchObject({ ticker: "MSFT", date: "2015-10-07" });
      expect(rec!.outputs).toBeTypeOf("object");
      expect(rec!.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(nodes.find((x) => x.node === "predict")!.outputs).toMatchObject({
      prediction: { movement: "up", ticker: "MSFT" },
    });

    const llm = recs.filter((x) => x.kind === "llm");
    expect(new Set(llm.map((x) => x.node))).toEqual(
      new Set(["extractor", "merger", "tracker-batch", "retriever-judge", "predictor", "reflector"]),
    );
    for (const call of llm) {
      expect(call.model).toBe("openai:scripted");
      expect(call.prompt_version).toMatch(new RegExp(`^${call.node}@\\d+\\.\\d+\\.\\d+$`));
      expect(call.tokens).toEqual({ input: 100, output: 20 });
      expect(call.graph).toMatch(/^(ingest|predict|reflect)$/);
      expect(typeof call.outputs).toBe("string");
    }

    const text = timeline(readTrace(file), "MSFT", "2015-10-07");
    for (const [graph, node] of expected) expect(text).toContain(`${graph}/${node}`);
    expect(text).toMatch(/model predictor openai:scripted predictor@1\.3\.0 tokens 100\/20/);
    // the predict node's line shows what it decided: movement and reason first, then the references
    expect(text).toMatch(/predict\/predict\n[^\n]*\n {6}out prediction: \{movement: "up", reason: "r", references: \[/);
    traced = file;
  });

  it("a run's phase, its graph's steps called in a task, answers and traces as the compiled graph does", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
    await prepare(await resources(server.url, data, { run: "steps" }), "MSFT", "2015-09-28", "2015-10-06");
    const factory = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
      new ScriptedChatModel((m) => new AIMessage({ content: validAnswer(agent, m) }));
    const r = await resources(server.url, data, { run: "steps", model: "openai:scripted" }, factory);
    const day = { ticker: "MSFT", date: "2015-10-07" };
    const knownAt = "2015-10-08T20:00:00.000Z";
    const dir = mkdtempSync(join(tmpdir(), "stockmem-steps-"));
    const both = async <T>(
      name: string,
      compiled: (cfg: ReturnType<typeof withResources>) => Promise<T>,
      steps: (cfg: ReturnType<typeof withResources>) => Promise<T>,
    ) => {
      const shape = async (how: typeof compiled, file: string) => {
        const out = await how(withResources(r, { callbacks: [new LocalTracer(file, "steps")] }));
        const recs = readTrace(file);
        const byId = new Map(recs.map((x) => [x.run_id, x]));
        // what a reader sees: each record's kind, graph and node, and those of its parent
        const seen = recs
          .map((x) => {
            const up = x.parent_run_id ? byId.get(x.parent_run_id) : undefined;
            return `${x.kind} ${x.graph}/${x.node} ${x.ticker} ${x.date} under ${up ? `${up.kind} ${up.graph}/${up.node}` : "-"}`;
          })
          .sort();
        return { out, seen };
      };
      const a = await shape(compiled, join(dir, `${name}-compiled.jsonl`));
      const b = await shape(steps, join(dir, `${name}-steps.jsonl`));
      expect(b.out).toEqual(a.out);
      expect(b.seen).toEqual(a.seen);
      return b.seen;
    };
    const ingest = buildIngestGraph({ store: false }).compile({ name: "ingest" });
    const ingested = await both(
      "ingest",
      (cfg) => ingest.invoke(day, cfg),
      (cfg) => ingestSteps("all", day, cfg),
    );
    expect(ingested).toEqual(
      expect.arrayContaining([
        "graph ingest/ingest MSFT 2015-10-07 under -",
        "node ingest/extract MSFT 2015-10-07 under graph ingest/ingest",
        "node ingest/track MSFT 2015-10-07 under graph ingest/ingest",
        "llm ingest/extractor MSFT 2015-10-07 under node ingest/extract",
      ]),
    );
    const predicted = await both(
      "predict",
      (cfg) => predictGraph.invoke(day, cfg),
      (cfg) => predictSteps(day, cfg),
    );
    expect(predicted).toContain("llm predict/predictor MSFT 2015-10-07 under node predict/predict");
    const reflect = buildReflectGraph({ store: false }).compile({ name: "reflect" });
    const reflected = await both(
      "reflect",
      (cfg) => reflect.invoke({ ...day, knownAt }, cfg),
      (cfg) => reflectSteps({ ...day, knownAt }, cfg),
    );
    expect(reflected).toContain("llm reflect/reflector MSFT 2015-10-07 under node reflect/reflect");
  });

  it("exports LangSmith run trees: each ticker-day its own trace, parents first, dotted orders nested", () => {
    const runs: RunCreate[] = toLangSmithRuns(readTrace(traced));
    const byId = new Map(runs.map((r) => [r.id!, r]));
    const roots = runs.filter((r) => r.id === r.trace_id);
    expect(roots.map((r) => r.name)).toEqual(["MSFT 2015-10-07"]);
    expect(roots[0]).toMatchObject({
      run_type: "chain",
      inputs: { ticker: "MSFT", date: "2015-10-07" },
      extra: { metadata: { ticker: "MSFT", date: "2015-10-07", run: "traced" } },
    });
    expect(roots[0]!.parent_run_id).toBeUndefined();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const seen = new Set<string>();
    for (const r of runs) {
      expect(r.id).toMatch(uuid);
      expect(["chain", "llm"]).toContain(r.run_type);
      expect(r.dotted_order).toMatch(new RegExp(`(^|\\.)\\d{8}T\\d{12}Z${r.id}$`));
      expect(Date.parse(String(r.end_time))).toBeGreaterThanOrEqual(Date.parse(String(r.start_time)));
      if (r.id !== r.trace_id) {
        const parent = byId.get(r.parent_run_id!)!;
        expect(seen.has(parent.id!)).toBe(true); // parents come first
        expect(parent.trace_id).toBe(r.trace_id);
        expect(r.dotted_order!.startsWith(`${parent.dotted_order}.`)).toBe(true);
      }
      seen.add(r.id!);
    }
    const llm = runs.filter((r) => r.run_type === "llm");
    expect(llm.length).toBeGreaterThan(5);
    for (const r of llm)
      expect(r.extra?.metadata).toMatchObject({
        model: "openai:scripted",
        usage_metadata: { input_tokens: 100, output_tokens: 20 },
      });
    const predictor = llm.find((r) => r.name === "predictor")!;
    const path: string[] = [];
    for (let p = byId.get(predictor.parent_run_id!); p; p = p.parent_run_id ? byId.get(p.parent_run_id) : undefined)
      path.push(p.name);
    expect(path).toEqual(["predict/predict", "predict", "MSFT 2015-10-07"]);
  });

  it("in a run, each ticker-day phase is a trace of its own (no parent run), named by its graph and dated", async () => {
    vi.stubEnv("CHROMA_URL", server.url);
    vi.stubEnv("STOCKMEM_DATA_DIR", mkdtempSync(join(tmpdir(), "stockmem-trace-run-")));
    try {
      const res = await executeRun({
        ctx: runContext({ run: "roots" }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: ["MSFT", "ORCL"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-02" },
        quiet: true,
      });
      const recs = readTrace(res.traceFile);
      const phases = recs.filter((x) => x.kind === "graph" && x.node !== "run");
      expect(new Set(phases.map((x) => x.node))).toEqual(new Set(["reflect", "ingest", "predict"]));
      for (const p of phases) {
        expect(p.parent_run_id, `${p.node} ${p.ticker} ${p.date}`).toBeNull();
        expect(p.ticker).toMatch(/^(MSFT|ORCL)$/);
        expect(p.date).toMatch(/^2015-/);
      }
      // the run's own steps stay under the run graph
      const run = recs.find((x) => x.kind === "graph" && x.node === "run")!;
      expect(recs.filter((x) => x.parent_run_id === run.run_id).map((x) => x.node)).toEqual(
        expect.arrayContaining(["plan", "commit"]),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reads past torn records anywhere with a note naming their lines, and recovers a record appended onto a torn one", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-trace-"));
    const file = join(dir, "t.jsonl");
    const rec = JSON.stringify({ run: "r", kind: "node", node: "load" });
    writeFileSync(file, `${rec}\n${rec}\n{"run": "r", "kind": "no`);
    const notes: string[] = [];
    expect(readTrace(file, (n) => notes.push(n))).toHaveLength(2);
    expect(notes).toEqual([
      `${file}: 1 torn record(s) (a crash or a full disk stopped the writer mid-record) at line 3, left out`,
    ]);
    // mid-file: a torn record, a line that is no record, and a resumed run's record appended onto a torn one
    writeFileSync(file, `${rec}\n{oops\n${rec}\n{"run":"r","kind":"llm","inpu${rec}\n${rec}\n`);
    notes.length = 0;
    expect(readTrace(file, (n) => notes.push(n))).toHaveLength(4);
    expect(notes).toEqual([
      `${file}: 2 torn record(s) (a crash or a full disk stopped the writer mid-record) at line 2, 4, left out`,
    ]);
  });

  it("stops at its last whole record when a write fails (a full disk), once, without throwing into the run", () => {
    const tracer = new LocalTracer("/dev/full", "r"); // every write: ENOSPC
    tracer.handleChainStart(
      { lc: 1, type: "not_implemented", id: ["x"] },
      { ticker: "MSFT" },
      "a",
      undefined,
      [],
      { langgraph_node: "load" },
      undefined,
      "load",
    );
    expect(() => tracer.handleChainEnd({}, "a")).not.toThrow();
    expect(tracer.failure?.message).toMatch(/ENOSPC/);
    // a tracer appending to a file torn by an earlier crash starts on a new line
    const dir = mkdtempSync(join(tmpdir(), "stockmem-trace-"));
    const file = join(dir, "t.jsonl");
    writeFileSync(file, '{"run":"r","kind":"node","node":"lo');
    const t2 = new LocalTracer(file, "r");
    t2.handleChainStart(
      { lc: 1, type: "not_implemented", id: ["x"] },
      { ticker: "MSFT" },
      "b",
      undefined,
      [],
      { langgraph_node: "load" },
      undefined,
      "load",
    );
    t2.handleChainEnd({}, "b");
    const notes: string[] = [];
    expect(readTrace(file, (n) => notes.push(n)).map((r) => r.run_id)).toEqual(["b"]);
    expect(notes).toHaveLength(1);
    expect(readFileSync(file, "utf8").split("\n")[1]).toMatch(/^\{"run":"r","run_id":"b"/);
  });

  it("compacts long values with a marker", () => {
    expect(compact("x".repeat(2000))).toMatch(/…\[500 more chars\]$/);
    expect((compact(Array.from({ length: 45 }, (_, i) => i)) as unknown[]).at(-1)).toBe("…[5 more items]");
  });

  it("summarizes node values: ids and counts instead of full state copies", () => {
    const state = {
      ticker: "MSFT",
      events: Array.from({ length: 12 }, (_, i) => ({ id: `ev:${i}`, description: "x".repeat(500) })),
      cursor: 3,
      tickers: ["A", "B"],
      deep: { a: { b: { c: 1 } } },
    };
    expect(summarize(state)).toEqual({
      ticker: "MSFT",
      events: "[12 items: ev:0, ev:1, ev:2, …]",
      cursor: 3,
      tickers: ["A", "B"],
      deep: { a: "{1 keys}" },
    });
    expect(summarize("y".repeat(400))).toMatch(/…\[100 more chars\]$/);
  });
});

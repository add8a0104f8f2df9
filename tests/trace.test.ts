/** The local trace records every node (with inputs and outputs) and every model call of a ticker-day. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as ingestGraph } from "../graphs/ingest.ts";
import { graph as predictGraph } from "../graphs/predict.ts";
import { graph as reflectGraph } from "../graphs/reflect.ts";
import { timeline } from "../src/cli/trace.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { compact, LocalTracer, readTrace, summarize } from "../src/observability/trace.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { withResources } from "../src/pipeline/resources.ts";
import { validAnswer } from "./helpers/answers.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { prepare, resources } from "./helpers/pipeline.ts";

let server: Awaited<ReturnType<typeof tempChroma>>;
beforeAll(async () => {
  server = await tempChroma();
});
afterAll(async () => {
  await server.stop();
});

describe("local trace", () => {
  it("has every node with inputs and outputs, and every model call with model, prompt version and tokens", async () => {
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
    await prepare(await resources(server.url, data, { run: "traced" }), "MSFT", "2015-09-28", "2015-10-06");
    const factory = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
      new ScriptedChatModel((m) => new AIMessage({ content: validAnswer(agent, m), usage_metadata: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } }));
    const r = await resources(server.url, data, { run: "traced", model: "openai:scripted" }, factory);
    const file = join(mkdtempSync(join(tmpdir(), "stockmem-trace-")), "traced.jsonl");
    const tracer = new LocalTracer(file, "traced");
    const cfg = withResources(r, { callbacks: [tracer] });
    await ingestGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);
    await predictGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);
    await reflectGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, cfg);

    const recs = readTrace(file).filter((x) => x.ticker === "MSFT" && x.date === "2015-10-07");
    const nodes = recs.filter((x) => x.kind === "node");
    const expected = [["ingest", "load"], ["ingest", "extract"], ["ingest", "merge"], ["ingest", "track"], ["ingest", "store"], ["predict", "load_series"], ["predict", "retrieve"], ["predict", "judge"], ["predict", "predict"], ["reflect", "reflect"]];
    for (const [graph, node] of expected) {
      const rec = nodes.find((x) => x.graph === graph && x.node === node);
      expect(rec, `${graph}/${node}`).toBeDefined();
      expect(rec!.inputs).toMatchObject({ ticker: "MSFT", date: "2015-10-07" });
      expect(rec!.outputs).toBeTypeOf("object");
      expect(rec!.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(nodes.find((x) => x.node === "predict")!.outputs).toMatchObject({ prediction: { movement: "up", ticker: "MSFT" } });

    const llm = recs.filter((x) => x.kind === "llm");
    expect(new Set(llm.map((x) => x.node))).toEqual(new Set(["extractor", "merger", "tracker-batch", "retriever-judge", "predictor", "reflector"]));
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
  });

  it("reads past a torn last line with a note, and names file:line of a bad line elsewhere", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-trace-"));
    const file = join(dir, "t.jsonl");
    const rec = JSON.stringify({ run: "r", kind: "node", node: "load" });
    writeFileSync(file, `${rec}\n${rec}\n{"run": "r", "kind": "no`);
    const notes: string[] = [];
    expect(readTrace(file, (n) => notes.push(n))).toHaveLength(2);
    expect(notes).toEqual([`${file}:3: a torn last line (the writer stopped mid-record), left out`]);
    writeFileSync(file, `${rec}\n{oops\n${rec}\n`);
    expect(() => readTrace(file)).toThrow(`${file}:2: not a trace record`);
  });

  it("compacts long values with a marker", () => {
    expect(compact("x".repeat(2000))).toMatch(/…\[500 more chars\]$/);
    expect((compact(Array.from({ length: 45 }, (_, i) => i)) as unknown[]).at(-1)).toBe("…[5 more items]");
  });

  it("summarizes node values: ids and counts instead of full state copies", () => {
    const state = { ticker: "MSFT", events: Array.from({ length: 12 }, (_, i) => ({ id: `ev:${i}`, description: "x".repeat(500) })), cursor: 3, tickers: ["A", "B"], deep: { a: { b: { c: 1 } } } };
    expect(summarize(state)).toEqual({ ticker: "MSFT", events: "[12 items: ev:0, ev:1, ev:2, …]", cursor: 3, tickers: ["A", "B"], deep: { a: "{1 keys}" } });
    expect(summarize("y".repeat(400))).toMatch(/…\[100 more chars\]$/);
  });
});

/**
 * The LangGraph dev server (what LangGraph Studio talks to), driven through @langchain/langgraph-sdk:
 * find the assistants, read the schemas, run the predict graph for a sample ticker-day on a thread,
 * stream its updates, and read the thread state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { freePort } from "../src/memory/chroma-server.ts";
import { tempChroma, waitUntil } from "./helpers/chroma.ts";
import { prepare, resources } from "./helpers/pipeline.ts";

let chroma: Awaited<ReturnType<typeof tempChroma>>;
let server: ChildProcess;
let url: string;
let log = "";

beforeAll(async () => {
  chroma = await tempChroma();
  // memory for run "studio": a week of MSFT, so the served predict graph has events and references
  const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "INTC"] });
  const r = await resources(chroma.url, data, { run: "studio" });
  await prepare(r, "MSFT", "2015-09-21", "2015-10-07");
  await prepare(r, "INTC", "2015-09-21", "2015-10-06");

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(join(PACKAGE_ROOT, "node_modules/.bin/langgraphjs"), ["dev", "--host", "127.0.0.1", "--port", String(port), "--no-browser"], {
    cwd: PACKAGE_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: "1", CHROMA_URL: chroma.url, STOCKMEM_DATA_DIR: mkdtempSync(join(tmpdir(), "stockmem-studio-")), LANGSMITH_TRACING: "false" },
  });
  server.stdout!.on("data", (b) => (log += b));
  server.stderr!.on("data", (b) => (log += b));
  let ok = false;
  const deadline = Date.now() + 90_000;
  while (!ok && Date.now() < deadline && server.exitCode === null) {
    ok = await fetch(`${url}/ok`).then((r) => r.ok, () => false);
    if (!ok) await new Promise((res) => setTimeout(res, 300));
  }
  if (!ok) throw new Error(`the LangGraph dev server did not come up:\n${log.slice(-2000)}`);
}, 120_000);

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    process.kill(-server.pid, "SIGTERM");
    await waitUntil(() => server.exitCode !== null || server.signalCode !== null, 10_000);
  }
  await chroma?.stop();
});

describe("LangGraph dev server (Studio's API)", () => {
  it("serves every graph, with typed input and context schemas", async () => {
    const client = new Client({ apiUrl: url });
    const assistants = await client.assistants.search({ limit: 20 });
    expect(assistants.map((a) => a.graph_id).sort()).toEqual(["chat", "day", "ingest", "predict", "reflect", "run"]);
    const predict = assistants.find((a) => a.graph_id === "predict")!;
    const schemas = await client.assistants.getSchemas(predict.assistant_id);
    const input = schemas.input_schema as { properties: Record<string, unknown> };
    expect(Object.keys(input.properties)).toEqual(expect.arrayContaining(["ticker", "date"]));
    const context = schemas.context_schema as { properties: Record<string, { default?: unknown }> };
    expect(context.properties.w!.default).toBe(5);
    expect(context.properties.a!.default).toBe(0.7);
    expect(context.properties.model!.default).toBe("offline");
  });

  it("runs predict for a sample ticker-day on a thread, streaming its updates, and keeps the state", async () => {
    const client = new Client({ apiUrl: url });
    const thread = await client.threads.create();
    const nodes: string[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "predict", {
      input: { ticker: "MSFT", date: "2015-10-07" },
      context: { run: "studio" },
      streamMode: "updates",
    })) {
      if (chunk.event === "error") throw new Error(`run failed: ${JSON.stringify(chunk.data)}\n${log.slice(-1500)}`);
      if (chunk.event === "updates") nodes.push(...Object.keys(chunk.data as object));
    }
    expect(nodes).toEqual(["load_series", "retrieve", "judge", "predict"]);
    const state = await client.threads.getState<{ prediction: { movement: string; references: string[]; as_of: string }; candidates: { id: string }[]; series: unknown[] }>(thread.thread_id);
    const p = state.values.prediction;
    expect(["up", "down"]).toContain(p.movement);
    expect(p.as_of).toBe("2015-10-07T20:00:00.000Z");
    expect(state.values.series).toHaveLength(5);
    expect(state.values.candidates.length).toBeGreaterThan(0); // the run's memory was used
    for (const ref of p.references) expect(state.values.candidates.map((c) => c.id)).toContain(ref);
  });
});

/**
 * The LangGraph dev server (what LangGraph Studio talks to), driven through @langchain/langgraph-sdk:
 * find the assistants, read the schemas, run the predict graph for a sample ticker-day on a thread,
 * stream its updates, and read the thread state; edit the context between runs and see the edit
 * used; and SIGKILL the dev server: nothing it started (worker, watcher, Chroma) outlives it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { freePort } from "../src/memory/chroma-server.ts";
import { validAnswer } from "../testkit/answers.ts";
import { type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { descendants, pidAlive, tempChroma, waitUntil } from "./helpers/chroma.ts";
import { prepare, resources } from "./helpers/pipeline.ts";

let server: ChildProcess;
let url: string;
let log = "";
let fake: FakeOpenAI;
const state = mkdtempSync(join(tmpdir(), "stockmem-studio-"));

beforeAll(async () => {
  // The dev server starts its own Chroma on <state>/chroma: prepare the memory there first.
  const chroma = await tempChroma(join(state, "chroma"));
  // memory for run "studio": a week of MSFT, so the served predict graph has events and references
  const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "INTC"] });
  const r = await resources(chroma.url, data, { run: "studio" });
  await prepare(r, "MSFT", "2015-09-21", "2015-10-07");
  await prepare(r, "INTC", "2015-09-21", "2015-10-06");
  await chroma.stop();
  fake = await fakeOpenAI({ delayMs: 0, answer: validAnswer });

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(
    join(PACKAGE_ROOT, "node_modules/.bin/langgraphjs"),
    ["dev", "--host", "127.0.0.1", "--port", String(port), "--no-browser"],
    {
      cwd: PACKAGE_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        LANGGRAPH_CLI_NO_ANALYTICS: "1",
        CHROMA_URL: "",
        STOCKMEM_DATA_DIR: state,
        LANGSMITH_TRACING: "false",
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: "sk-fake",
        STOCKMEM_STUDIO_BUDGET_CALLS: "2",
      },
    },
  );
  server.stdout!.on("data", (b) => (log += b));
  server.stderr!.on("data", (b) => (log += b));
  let ok = false;
  const deadline = Date.now() + 90_000;
  while (!ok && Date.now() < deadline && server.exitCode === null) {
    ok = await fetch(`${url}/ok`).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) await new Promise((res) => setTimeout(res, 300));
  }
  if (!ok) throw new Error(`the LangGraph dev server did not come up:\n${log.slice(-2000)}`);
});

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // gone already
    }
    await waitUntil(() => server.exitCode !== null || server.signalCode !== null, 10_000);
  }
  await fake?.close();
});

describe("LangGraph dev server (Studio's API)", () => {
  it("serves every graph, with typed input and context schemas", async () => {
    const client = new Client({ apiUrl: url });
    const assistants = await client.assistants.search({ limit: 20 });
    expect(assistants.map((a) => a.graph_id).sort()).toEqual(["chat", "day", "ingest", "predict", "reflect", "run"]);
    const predict = assistants.find((a) => a.graph_id === "predict")!;
    const schemas = await client.assistants.getSchemas(predict.assistant_id);
    // the input is what a user sets, its required fields marked; never the state the nodes fill in
    const input = schemas.input_schema as { properties: Record<string, unknown> };
    expect(Object.keys(input.properties).sort()).toEqual(["date", "ticker"]);
    // LangGraph publishes every input schema as partial (getInputTypeSchema, asPartial): the required
    // fields say so in their description, and the graph's entry parse refuses a run without them
    const props = input.properties as Record<string, { description?: string }>;
    expect(props.ticker!.description).toMatch(/^\(required\) /);
    expect(props.date!.description).toMatch(/^\(required\) /);
    const inputs = Object.fromEntries(
      await Promise.all(
        assistants.map(async (a) => [
          a.graph_id,
          (await client.assistants.getSchemas(a.assistant_id)).input_schema as {
            properties: Record<string, { langgraph_type?: string; description?: string }>;
          },
        ]),
      ),
    );
    expect(Object.keys(inputs.ingest!.properties).sort()).toEqual(["date", "ticker"]);
    expect(Object.keys(inputs.day!.properties).sort()).toEqual(["date", "ticker"]);
    expect(Object.keys(inputs.reflect!.properties).sort()).toEqual(["date", "knownAt", "ticker"]);
    expect(inputs.reflect!.properties.knownAt!.description).not.toMatch(/required/);
    expect(Object.keys(inputs.run!.properties).sort()).toEqual(["test", "tickers", "train"]);
    expect(inputs.run!.properties.train!.description).toMatch(/^\(required\) /);
    // the chat's messages are marked as messages: Studio opens its chat view on them
    expect(inputs.chat!.properties.messages?.langgraph_type).toBe("messages");
    expect(inputs.chat!.properties.ticker!.description).toMatch(/^\(required\) /);
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
    const state = await client.threads.getState<{
      prediction: { movement: string; references: string[]; as_of: string };
      candidates: { id: string }[];
      series: unknown[];
    }>(thread.thread_id);
    const p = state.values.prediction;
    expect(["up", "down"]).toContain(p.movement);
    expect(p.as_of).toBe("2015-10-07T20:00:00.000Z");
    expect(state.values.series).toHaveLength(5);
    expect(state.values.candidates.length).toBeGreaterThan(0); // the run's memory was used
    for (const ref of p.references) expect(state.values.candidates.map((c) => c.id)).toContain(ref);
  });

  it("uses the context of each run: editing K or the model in Studio takes effect at once", async () => {
    const client = new Client({ apiUrl: url });
    const predict = async (context: Record<string, unknown>) => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "predict", {
        input: { ticker: "MSFT", date: "2015-10-07" },
        context: { run: "studio", ...context },
      });
      return (
        await client.threads.getState<{ candidates: unknown[]; prediction: { models: Record<string, string> } }>(
          thread.thread_id,
        )
      ).values;
    };
    expect((await predict({ K: 1 })).candidates).toHaveLength(1);
    expect((await predict({ K: 3 })).candidates).toHaveLength(3);
    const before = fake.calls.length;
    const offline = await predict({ K: 3 });
    expect(fake.calls.length).toBe(before); // the offline analyst makes no call
    const llm = await predict({ K: 3, model: "openai:fake-model" });
    expect(llm.prediction.models.predictor).toBe("openai:fake-model");
    expect(offline.prediction.models.predictor).toBe("offline");
    expect(fake.calls.slice(before).map((c) => c.agent)).toEqual(
      expect.arrayContaining(["retriever-judge", "predictor"]),
    );
  });

  it("runs the run graph with its phases as nodes, streaming the progress events the CLI draws", async () => {
    const client = new Client({ apiUrl: url });
    const thread = await client.threads.create();
    const nodes = new Set<string>();
    const progress: { phase: string; done: number; total: number; day: number; days: number }[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "run", {
      input: {
        tickers: ["MSFT", "INTC"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-02" },
      },
      context: { run: "studio-run" },
      streamMode: ["updates", "custom"],
    })) {
      if (chunk.event === "error") throw new Error(`run failed: ${JSON.stringify(chunk.data)}\n${log.slice(-1500)}`);
      if (chunk.event === "updates") for (const k of Object.keys(chunk.data as object)) nodes.add(k);
      if (chunk.event === "custom") progress.push(chunk.data as (typeof progress)[number]);
    }
    expect([...nodes].sort()).toEqual([
      "commit",
      "ingest",
      "ingested",
      "plan",
      "predict",
      "reflect",
      "reflected",
      "summarize",
    ]);
    expect(progress.at(-1)).toMatchObject({ phase: "commit", done: 10, total: 10 });
    // the last event counts the day it committed: day 5 of 5, not 6 of 5 (issue 21, item 14)
    expect(progress.at(-1)).toMatchObject({ day: 5, days: 5 });
    expect(progress.every((p) => p.day <= p.days)).toBe(true);
    const state = await client.threads.getState<{ predicted: number; scores: { ticker: string }[] }>(thread.thread_id);
    expect(state.values.predicted).toBe(4);
    expect(state.values.scores.map((x) => x.ticker)).toEqual(["INTC", "MSFT", "ALL"]);
  });

  it("refuses other origins and rebound host names at the door, keeps data dirs to the project's, budgets runs, writes owner-only", async () => {
    const evil = await fetch(`${url}/assistants/search`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" }, // a "simple" cross-origin request: no preflight
      body: "{}",
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(await evil.text()).toMatch(/origin \\"https:\/\/evil\.example\\" may not drive the dev server/);
    const studio = await fetch(`${url}/ok`, { headers: { origin: "https://smith.langchain.com" } });
    expect(studio.status).toBe(200);
    expect(studio.headers.get("access-control-allow-origin")).toBe("https://smith.langchain.com");
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own host name
    const port = new URL(url).port;
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/ok", headers: { host: `evil.example:${port}` } }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(403);

    // a data dir the project does not configure is refused by name, its files never read or quoted
    const outside = mkdtempSync(join(tmpdir(), "stockmem-outside-"));
    writeFileSync(join(outside, "prices.csv"), "root:x:0:0:root:/root:/bin/bash\n");
    writeFileSync(join(outside, "news.jsonl"), "");
    const client = new Client({ apiUrl: url });
    const thread = await client.threads.create();
    const run = await client.runs.wait(thread.thread_id, "predict", {
      input: { ticker: "MSFT", date: "2015-10-07" },
      context: { run: "studio", dataDir: outside },
      raiseError: false,
    } as never);
    const text = JSON.stringify(run) + JSON.stringify(await client.runs.list(thread.thread_id));
    expect(text).toMatch(/is not a data dir this project configures/);
    expect(text).not.toMatch(/root:x:0:0/);

    // a run without memory is an error naming the runs that have one, not an empty run "defaulting to up"
    const t3 = await client.threads.create();
    const nope = await client.runs.wait(t3.thread_id, "predict", {
      input: { ticker: "MSFT", date: "2015-10-07" },
      context: { run: "nope" },
      raiseError: false,
    } as never);
    expect(JSON.stringify(nope) + JSON.stringify(await client.runs.list(t3.thread_id))).toMatch(
      /run \\+"nope\\+" has no memory here \(runs with memory: [^)]*studio/,
    );

    // a run without a budget in its context gets the dev server's default (2 calls here): a run graph
    // on a model that would make dozens of calls makes exactly 2, then stops naming the budget
    const before = fake.calls.length;
    const t2 = await client.threads.create();
    const spent = await client.runs.wait(t2.thread_id, "run", {
      input: {
        tickers: ["MSFT"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-02" },
      },
      context: { run: "studio-budget", model: "openai:fake-model", cache: false },
      raiseError: false,
    } as never);
    expect(fake.calls.length - before).toBe(2);
    expect(JSON.stringify(spent) + JSON.stringify(await client.runs.list(t2.thread_id))).toMatch(/budget/i);

    // owner-only files: what the dev server wrote
    const api = join(PACKAGE_ROOT, ".langgraph_api");
    expect(statSync(api).mode & 0o077).toBe(0);
    for (const f of readdirSync(api)) expect({ f, mode: statSync(join(api, f)).mode & 0o077 }).toEqual({ f, mode: 0 });
  });

  it("runs every graph on one Chroma server per state dir, and leaves no process behind when SIGKILLed", async () => {
    const client = new Client({ apiUrl: url });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "predict", {
      input: { ticker: "MSFT", date: "2015-10-07" },
      context: { run: "studio-run" }, // another run than "studio" (made by the run graph above)
    });
    const tree = descendants(server.pid!);
    const chromas = tree.filter((p) => p.cmd.includes("chroma-child.mjs"));
    expect(chromas).toHaveLength(1);
    process.kill(server.pid!, "SIGKILL"); // the dev server itself, not its process group
    const gone = await waitUntil(() => tree.every((p) => !pidAlive(p.pid)), 30_000);
    expect(
      gone,
      `still running: ${tree
        .filter((p) => pidAlive(p.pid))
        .map((p) => p.cmd.slice(0, 80))
        .join(" | ")}`,
    ).toBe(true);
  });
});

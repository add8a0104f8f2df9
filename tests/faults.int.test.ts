/**
 * The model endpoint misbehaving, over real HTTP (ChatOpenAI against a server on 127.0.0.1 that
 * answers each request with a scripted fault): a hang ends at the timeout, 429 waits for the
 * server's Retry-After, 5xx and closed sockets are retried with backoff, and a 2xx that is not a chat
 * completion (an HTML page, JSON without choices) is named by what came back. Every final failure
 * names the agent, the item and the endpoint. A run stopped by one resumes with no duplicate.
 */

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runAgent } from "../agents/kit.ts";
import { predictor } from "../agents/predictor/index.ts";
import { executeRun } from "../app/run.ts";
import { type RunContext, runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { ModelCallError } from "../src/models/structured.ts";
import { BudgetExceededError, Usage } from "../src/models/usage.ts";
import { validAnswer } from "../testkit/answers.ts";
import { agentOfSystem } from "../testkit/fake-openai.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

type Fault = (res: ServerResponse, body: { model: string; messages: { role: string; content: string }[] }) => void;

const completion = (body: Parameters<Fault>[1]) => {
  const agent = agentOfSystem(body.messages[0]!.content);
  const content =
    agent === "unknown"
      ? "{}"
      : validAnswer(agent, [new SystemMessage(body.messages[0]!.content), new HumanMessage(body.messages[1]!.content)]);
  return {
    id: "c",
    object: "chat.completion",
    created: 0,
    model: body.model,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
  };
};
const ok: Fault = (res, body) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(completion(body)));
};
const hang: Fault = () => {}; // never answers
const status =
  (code: number, headers: Record<string, string> = {}): Fault =>
  (res) => {
    res.writeHead(code, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify({ error: { message: `scripted ${code}` } }));
  };
const html: Fault = (res) => {
  res.writeHead(200, { "content-type": "text/html" });
  res.end("<html><body>502 Bad Gateway from the proxy</body></html>");
};
const noChoices: Fault = (res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ id: "x", object: "chat.completion", error: "overloaded" }));
};
const closeSocket: Fault = (res) => res.socket?.destroy();

/** A server answering request n with faults[n] (the last one repeats); records when each request arrived. */
async function faultyServer(faults: Fault[]) {
  const arrivals: number[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      // the model list, as OpenAI-compatible servers answer it (a run checks its endpoint with it first): not a call
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"object":"list","data":[]}');
        return;
      }
      arrivals.push(Date.now());
      open.add(res);
      res.on("close", () => open.delete(res));
      faults[Math.min(arrivals.length - 1, faults.length - 1)]!(res, JSON.parse(raw));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  return {
    url,
    arrivals,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.socket?.destroy();
        server.close(() => r());
      }),
  };
}

const input = {
  ticker: "MSFT",
  date: "2015-10-07",
  series: [],
  today: { date: "2015-10-07", events: [] },
  references: [],
};
async function predictWith(url: string, ctx: Partial<RunContext>, usage = new Usage()) {
  vi.stubEnv("OPENAI_BASE_URL", url);
  vi.stubEnv("OPENAI_API_KEY", "sk-fault-test-key-0123456789");
  const c = runContext({ run: "faults", model: "openai:fault-model", modelRetryBaseMs: 20, ...ctx });
  return runAgent(predictor, input, {
    ctx: c,
    embedder: new HashEmbedder(64),
    usage,
    scope: { ticker: "MSFT", date: "2015-10-07" },
  });
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const serve = async (faults: Fault[]) => {
  const s = await faultyServer(faults);
  servers.push(s);
  return s;
};

describe("a misbehaving model endpoint", () => {
  it("a hung endpoint: each attempt ends at the timeout, then the call fails naming agent, item and endpoint", async () => {
    const s = await serve([hang]);
    const err = await predictWith(s.url, { modelTimeoutSeconds: 0.3, modelRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.message).toBe(
      `predictor could not get an answer from ${s.url} for MSFT 2015-10-07 prediction after 2 attempts: no answer within the timeout`,
    );
    expect(s.arrivals).toHaveLength(2);
  });

  it("429 with Retry-After: waits as asked, then succeeds", async () => {
    const s = await serve([status(429, { "retry-after": "1" }), ok]);
    const out = await predictWith(s.url, { modelRetries: 2 });
    expect(out.movement).toBe("up");
    expect(s.arrivals).toHaveLength(2);
    expect(s.arrivals[1]! - s.arrivals[0]!).toBeGreaterThanOrEqual(950); // it waited the second the server asked for
  });

  it("5xx and a closed socket are retried with backoff; a persistent 500 fails with the status", async () => {
    const s = await serve([status(503), closeSocket, ok]);
    expect((await predictWith(s.url, { modelRetries: 3 })).movement).toBe("up");
    expect(s.arrivals).toHaveLength(3);
    const t = await serve([status(500)]);
    const err = await predictWith(t.url, { modelRetries: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.message).toMatch(
      new RegExp(
        `^predictor could not get an answer from ${t.url.replace(/[.]/g, "\\.")} for MSFT 2015-10-07 prediction after 3 attempts: HTTP 500`,
      ),
    );
  });

  it("retries count against the call budget: each request sent is a call", async () => {
    const s = await serve([status(500)]);
    const usage = new Usage({ maxCalls: 2 });
    const err = await predictWith(s.url, { modelRetries: 5 }, usage).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(s.arrivals).toHaveLength(2);
    expect(usage.calls).toBe(2);
  });

  it("a 400 is not retried", async () => {
    const s = await serve([status(400)]);
    const err = await predictWith(s.url, { modelRetries: 3 }).catch((e) => e);
    expect(err.message).toMatch(/after 1 attempt: HTTP 400/);
    expect(s.arrivals).toHaveLength(1);
  });

  it("a 2xx that is not a chat completion is named by what came back", async () => {
    const a = await serve([html]);
    const e1 = await predictWith(a.url, { modelRetries: 0 }).catch((e) => e);
    expect(e1.message).toMatch(
      /after 1 attempt: the endpoint answered 200 text\/html that is not a chat completion: "<html><body>502 Bad Gateway/,
    );
    const b = await serve([noChoices]);
    const e2 = await predictWith(b.url, { modelRetries: 0 }).catch((e) => e);
    expect(e2.message).toMatch(
      /the endpoint answered 200 application\/json that is not a chat completion: "\{\\"id\\":\\"x\\",.*overloaded/,
    );
    expect(e2.message).not.toMatch(/Cannot read properties/);
  });
});

describe("a provider's rate limits (issue 22, item 3)", () => {
  it("a provider saying its limit is reached holds every next request until its reset, not only one", async () => {
    const limited: Fault = (res, body) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1.2s",
      });
      res.end(JSON.stringify(completion(body)));
    };
    const s = await serve([limited, ok]);
    await predictWith(s.url, {});
    const answered = Date.now();
    await Promise.all([predictWith(s.url, {}), predictWith(s.url, {}), predictWith(s.url, {})]);
    expect(s.arrivals).toHaveLength(4);
    // the three later requests waited for the reset the first answer named (a busy machine only makes them later)
    for (const at of s.arrivals.slice(1)) expect(at - answered).toBeGreaterThanOrEqual(1100);
  });
});

describe("a run stopped by a failing endpoint", () => {
  useIsolatedStockmem();
  it("exits with the message, and a resume with the endpoint back continues with no duplicate", async () => {
    // healthy for the first calls, then 500 for good
    const faults: Fault[] = [...Array.from({ length: 12 }, () => ok), status(500)];
    const s = await serve(faults);
    vi.stubEnv("OPENAI_BASE_URL", s.url);
    vi.stubEnv("OPENAI_API_KEY", "sk-fault-test-key-0123456789");
    const opts = {
      ctx: runContext({
        run: "fault-run",
        model: "openai:fault-model",
        modelRetries: 1,
        modelRetryBaseMs: 10,
        cache: false,
      }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["MSFT"],
      train: { from: "2015-09-30", to: "2015-10-02" },
      test: { from: "2015-10-05", to: "2015-10-07" },
      quiet: true,
    };
    const err = await executeRun(opts).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.message).toMatch(
      /could not get an answer from http:\/\/127\.0\.0\.1:\d+\/v1 for MSFT 2015-\d\d-\d\d .* after 2 attempts: HTTP 500/,
    );
    const good = await serve([ok]);
    vi.stubEnv("OPENAI_BASE_URL", good.url);
    const out = await executeRun(opts);
    const lines = readFileSync(out.predictionsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ticker: string; date: string });
    expect(lines.map((p) => p.date)).toEqual(["2015-10-05", "2015-10-06", "2015-10-07"]);
  });
});

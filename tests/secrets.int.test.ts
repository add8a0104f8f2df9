/**
 * No file a run writes (traces, predictions, progress, cache, eval results) contains an API key or
 * URL credentials: a real ChatOpenAI talks to a local OpenAI-compatible server with a planted key.
 */

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { buildDataset, saveDataset } from "../evals/dataset.ts";
import { runExperiment } from "../evals/runner.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { scrub, secretValues } from "../src/observability/secrets.ts";
import { readTrace } from "../src/observability/trace.ts";
import { validAnswer } from "../testkit/answers.ts";
import { agentOfSystem, fakeOpenAI } from "../testkit/fake-openai.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { localServer } from "./helpers/http-server.ts";

const KEY = "sk-PLANTEDsecret0123456789abcdefXYZ";

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

let chroma: Awaited<ReturnType<typeof tempChroma>>;
let api: Awaited<ReturnType<typeof localServer>>;
let state: string;
let evalsDir: string;
beforeAll(async () => {
  chroma = await tempChroma();
  api = await localServer((req) => {
    // the model list, as OpenAI-compatible servers answer it (a run checks its endpoint with it first)
    if (req.method === "GET" && req.url.endsWith("/models")) return { json: { object: "list", data: [] } };
    const body = req.body as { model: string; messages: { role: string; content: string }[] };
    const found = agentOfSystem(body.messages[0]!.content);
    const agent = found === "unknown" ? undefined : found;
    if (!agent) return { status: 400, json: { error: { message: "unknown agent" } } };
    const content = validAnswer(agent, [
      new SystemMessage(body.messages[0]!.content),
      new HumanMessage(body.messages[1]!.content),
    ]);
    return {
      json: {
        id: "c",
        object: "chat.completion",
        created: 0,
        model: body.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      },
    };
  });
  state = mkdtempSync(join(tmpdir(), "stockmem-secret-state-"));
  evalsDir = mkdtempSync(join(tmpdir(), "stockmem-secret-evals-"));
  vi.stubEnv("CHROMA_URL", chroma.url);
  vi.stubEnv("STOCKMEM_DATA_DIR", state);
  vi.stubEnv("STOCKMEM_EVALS_DIR", evalsDir);
  vi.stubEnv("OPENAI_API_KEY", KEY);
  vi.stubEnv("OPENAI_BASE_URL", `${api.url}/v1`);
  vi.stubEnv("LANGSMITH_API_KEY", "");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  await chroma.stop();
});

describe("secrets", () => {
  it("scrubs keys, bearer tokens, URL credentials and secret env values", () => {
    const env = { MY_SERVICE_TOKEN: "tok-123456789", OPENAI_BASE_URL: "http://bob:pa55word@host/v1", HOME: "/root" };
    const text = `key ${KEY} auth Bearer abcdefghijk123 url http://bob:pa55word@host/v1 tok-123456789 /root`;
    const out = scrub(text, secretValues(env));
    expect(out).not.toMatch(/PLANTED|abcdefghijk123|pa55word|tok-123456789/);
    expect(out).toContain("/root"); // not a secret
    // news is scrubbed too: ordinary words after "Basic" or "Bearer" are not credentials
    const news = "SMN ProShares UltraShort Basic Materials; the lack of basic business acumen; Bearer bonds rally";
    expect(scrub(news, [])).toBe(news);
  });

  it("never lands in any file a run and an eval write", async () => {
    const model = "openai:gpt-planted";
    await executeRun({
      ctx: runContext({ run: "secret", model }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["MSFT"],
      train: { from: "2015-09-28", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-02" },
      quiet: true,
    });
    const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
    saveDataset(
      await buildDataset({
        name: "secret",
        data,
        tickers: ["MSFT"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-06" },
        labelThreshold: 0.01,
      }),
    );
    await runExperiment({ dataset: "secret", context: { model }, quiet: true });

    // not vacuous: the key was really in use, and the model calls really were traced and cached
    expect(api.requests.length).toBeGreaterThan(10);
    expect(api.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(readTrace(join(state, "traces", "secret.jsonl")).filter((r) => r.kind === "llm").length).toBeGreaterThan(5);
    const written = [...files(state), ...files(evalsDir)].filter(
      (f) => !f.includes(`${join(state, "chroma")}`) && !/chroma/.test(f),
    );
    expect(written.some((f) => f.includes(join(state, "cache")))).toBe(true);
    expect(written.length).toBeGreaterThan(10);
    for (const f of written) {
      const text = readFileSync(f, "latin1");
      expect(text.includes(KEY), f).toBe(false);
      expect(text.includes("PLANTEDsecret"), f).toBe(false);
    }
    // nor the Chroma data files
    for (const f of files(join(state)))
      if (/chroma/.test(f)) expect(readFileSync(f, "latin1").includes("PLANTEDsecret"), f).toBe(false);
  });
});

describe("secrets planted in news, model answers and the environment", () => {
  const PLAIN = "PlainPlanted0123456789tokenvalue"; // a key without the sk- shape: known only as an env value
  it("reach no byte under the state dir (Chroma's files included), no child's environment, and the state is owner-only", async () => {
    const home = mkdtempSync(join(tmpdir(), "stockmem-secret2-"));
    const st = join(home, "state");
    vi.stubEnv("STOCKMEM_DATA_DIR", st);
    vi.stubEnv("MY_SERVICE_TOKEN", PLAIN);
    // news carrying both keys
    const dataDir = join(home, "data");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dataDir);
    copyFileSync(join(SAMPLE_DATA_DIR, "prices.csv"), join(dataDir, "prices.csv"));
    const news = readFileSync(join(SAMPLE_DATA_DIR, "news.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((n) => n.ticker === "MSFT" && n.published_at >= "2015-09-25" && n.published_at < "2015-10-03");
    writeFileSync(
      join(dataDir, "news.jsonl"),
      `${news.map((n) => JSON.stringify({ ...n, text: `${n.text} my key is ${KEY} and token ${PLAIN}` })).join("\n")}\n`,
    );
    // a model that echoes both keys in every answer, and, in the extractor's, one straddling the trace's 1500-character
    // cut
    const echo = (v: unknown): unknown =>
      typeof v === "string"
        ? `${v} ${KEY} ${PLAIN}`
        : Array.isArray(v)
          ? v.map(echo)
          : v && typeof v === "object"
            ? Object.fromEntries(
                Object.entries(v).map(([k, x]) => [
                  k,
                  ["description", "reason", "why", "delta", "key_events"].includes(k) ? echo(x) : x,
                ]),
              )
            : v;
    const fake = await fakeOpenAI({
      delayMs: 0,
      answer: (agent, messages) => {
        const body = JSON.stringify(echo(JSON.parse(validAnswer(agent, messages))));
        const head = '{"note": "';
        return agent === "extractor" ? `${head}${"x".repeat(1490 - head.length)}${KEY}", ${body.slice(1)}` : body;
      },
    });
    vi.stubEnv("OPENAI_BASE_URL", fake.url);
    const server = await tempChroma(join(st, "chroma"));
    vi.stubEnv("CHROMA_URL", server.url);
    try {
      await executeRun({
        ctx: runContext({ run: "planted", model: "openai:fake-model", cache: true, layered: true }),
        dataDir,
        tickers: ["MSFT"],
        train: { from: "2015-09-28", to: "2015-09-30" },
        test: { from: "2015-10-01", to: "2015-10-02" },
        quiet: true,
      });
      // no prompt carried either key (the news did: the extractor's prompts show where they were cut out)
      const sent = fake.calls.flatMap((c) => c.messages.map((m) => m.content));
      expect(sent.some((t) => t.includes(KEY) || t.includes(PLAIN) || t.includes("PLANTEDsecret"))).toBe(false);
      expect(sent.some((t) => /my key is (sk-)?\*\*\* and token \*\*\*/.test(t))).toBe(true);
    } finally {
      await fake.close();
      const environ = server.pid ? readFileSync(`/proc/${server.pid}/environ`, "latin1") : "";
      await server.stop();
      expect(environ).toContain("CHROMA_TELEMETRY");
      expect(environ).not.toContain(KEY);
      expect(environ).not.toContain(PLAIN);
    }
    expect(statSync(st).mode & 0o777).toBe(0o700);
    const all = [...files(st)];
    expect(all.some((f) => f.endsWith("chroma.sqlite3"))).toBe(true);
    expect(all.some((f) => f.includes(join(st, "traces")))).toBe(true);
    for (const f of all) {
      const bytes = readFileSync(f, "latin1");
      for (const part of ["PLANTEDsecret", "Planted0123"])
        expect(bytes.includes(part), `${f} holds ${part}`).toBe(false);
      expect(statSync(f).mode & 0o077, `${f} is readable by others`).toBe(0);
    }
  });
});

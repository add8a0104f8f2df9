/**
 * A run checks its models before its first ticker-day (issue 21, item 13): a missing key is named, an endpoint that
 * does not answer or refuses the key is named, and nothing runs. Before, a run without OPENAI_API_KEY failed mid-run
 * with the SDK's text about `workloadIdentity`/`adminAPIKey`.
 */

import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDir } from "../src/config/paths.ts";
import { checkModels } from "../src/models/preflight.ts";
import { type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";

useIsolatedStockmem();
let fake: FakeOpenAI;
let refusing: Server;
let refusingUrl = "";
let closedUrl = "";
beforeAll(async () => {
  fake = await fakeOpenAI({ delayMs: 0, answer: () => "{}" });
  refusing = createServer((_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end('{"error":{"message":"Incorrect API key provided"}}');
  });
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}/v1`;
  // a port that was just free: nothing listens there
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}/v1`;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  await fake.close();
  await new Promise((r) => refusing.close(r));
});

describe("the models' check before a run", () => {
  it("names the missing key, the endpoint that does not answer, and the one that refuses the key", async () => {
    await expect(checkModels(["offline", "offline:hash"], {})).resolves.toBeUndefined();
    await expect(checkModels(["openai:gpt-4o-mini"], {})).rejects.toThrow(
      /^openai:gpt-4o-mini needs OPENAI_API_KEY: set it in the environment or in \.env .*nothing was run\)$/,
    );
    await expect(checkModels(["openai:m"], { OPENAI_BASE_URL: closedUrl })).rejects.toThrow(
      new RegExp(`openai:m: its endpoint ${closedUrl} cannot be reached \\(ECONNREFUSED\\)`),
    );
    await expect(
      checkModels(["openai:m"], { OPENAI_BASE_URL: refusingUrl, OPENAI_API_KEY: "sk-wrong" }),
    ).rejects.toThrow(/refused the key \(401\): check OPENAI_API_KEY/);
    // an OpenAI-compatible server that answers its model list passes, and the check is not a model call
    await expect(
      checkModels(["openai:m", "openai:text-embedding-3-small"], { OPENAI_BASE_URL: fake.url }),
    ).resolves.toBeUndefined();
    expect(fake.calls).toHaveLength(0);
  });

  it("stops `stockmem run` before its first ticker-day, exit 1, with nothing of the run written", async () => {
    const saved = { key: process.env.OPENAI_API_KEY, base: process.env.OPENAI_BASE_URL };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    try {
      const r = await cli("run", "--run", "nokey", "--model", "openai:gpt-4o-mini", "--tickers", "MSFT");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^stockmem: openai:gpt-4o-mini needs OPENAI_API_KEY/m);
      expect(r.err).not.toMatch(/workloadIdentity|adminAPIKey/);
      expect(existsSync(runDir("nokey"))).toBe(false);
    } finally {
      if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
      if (saved.base !== undefined) process.env.OPENAI_BASE_URL = saved.base;
    }
  });
});

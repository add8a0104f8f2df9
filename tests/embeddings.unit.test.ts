import { describe, expect, it } from "vitest";
import { createEmbedder, HashEmbedder, hashEmbedding, words } from "../src/memory/embeddings.ts";
import { localServer } from "./helpers/http-server.ts";

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.hypot(...a);

describe("offline:hash embeddings", () => {
  it("are deterministic, L2-normalised and of the configured dimension", async () => {
    const e = new HashEmbedder(256);
    const [a, b] = await e.embed(["Apple beats earnings estimates", "Apple beats earnings estimates"]);
    expect(a).toHaveLength(256);
    expect(a).toEqual(b);
    expect(norm(a!)).toBeCloseTo(1, 12);
    expect(e.id).toBe("offline:hash/256");
  });

  it("place related texts closer than unrelated ones", () => {
    const q = hashEmbedding("Apple launches new iPhone", 512);
    const near = hashEmbedding("Apple launched the new iPhone 6s", 512);
    const far = hashEmbedding("Oracle cuts its dividend after weak cloud revenue", 512);
    expect(cos(q, near)).toBeGreaterThan(cos(q, far) + 0.2);
  });

  it("work on text without spaces (character n-grams)", () => {
    const q = hashEmbedding("苹果发布新款手机", 512);
    const near = hashEmbedding("苹果公司发布新款手机产品", 512);
    const far = hashEmbedding("甲骨文削减股息", 512);
    expect(cos(q, near)).toBeGreaterThan(cos(q, far) + 0.2);
  });

  it("give empty text a unit vector, never zeros", () => {
    const v = hashEmbedding("", 64);
    expect(norm(v)).toBeCloseTo(1, 12);
  });

  it("tokenise cashtags and any script", () => {
    expect(words("$AAPL up 3%, Apple's iPhone!")).toEqual(["$aapl", "up", "3", "apple's", "iphone"]);
    expect(words("Ünïcode café")).toEqual(["ünïcode", "café"]);
  });
});

describe("provider selection", () => {
  it("parses provider:model strings and rejects unknown ones", () => {
    expect(createEmbedder("offline:hash", { dim: 128 }).id).toBe("offline:hash/128");
    expect(createEmbedder("ollama:bge-m3").id).toBe("ollama:bge-m3");
    expect(createEmbedder("openai:text-embedding-3-small", { env: { OPENAI_API_KEY: "sk-test" } }).id).toBe(
      "openai:text-embedding-3-small",
    );
    expect(() => createEmbedder("cohere:embed")).toThrow(/unknown embedding model "cohere:embed"/);
  });

  it("calls an OpenAI-compatible endpoint at OPENAI_BASE_URL, batched", async () => {
    // Like the real API: float arrays, or little-endian float32 in base64 when encoding_format says so.
    const srv = await localServer((req) => {
      const { input, encoding_format } = req.body as { input: string[]; encoding_format?: string };
      const encode = (v: number[]) =>
        encoding_format === "base64" ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v;
      const data = input.map((_, i) => ({ object: "embedding", index: i, embedding: encode([i, 1, 0]) }));
      return { json: { object: "list", model: "m", data, usage: { prompt_tokens: 1, total_tokens: 1 } } };
    });
    try {
      const e = createEmbedder("openai:text-embedding-3-small", {
        env: { OPENAI_BASE_URL: `${srv.url}/v1`, OPENAI_API_KEY: "sk-test" },
      });
      const out = await e.embed(["a", "b", "c"]);
      expect(out).toEqual([
        [0, 1, 0],
        [1, 1, 0],
        [2, 1, 0],
      ]);
      expect(srv.requests[0]!.url).toBe("/v1/embeddings");
      expect(srv.requests[0]!.body).toMatchObject({ model: "text-embedding-3-small", input: ["a", "b", "c"] });
    } finally {
      await srv.close();
    }
  });

  it("calls Ollama's /api/embed in batches and names a bad answer", async () => {
    const srv = await localServer((req) => {
      const { input, model } = req.body as { input: string[]; model: string };
      if (model === "broken") return { json: { embeddings: [] } };
      return { json: { model, embeddings: input.map((t) => [t.length, 0]) } };
    });
    try {
      const e = createEmbedder("ollama:bge-m3", { env: { OLLAMA_BASE_URL: srv.url } });
      const texts = Array.from({ length: 70 }, (_, i) => "x".repeat(i));
      const out = await e.embed(texts);
      expect(out.map((v) => v[0])).toEqual(texts.map((t) => t.length));
      expect(srv.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([64, 6]);
      await expect(createEmbedder("ollama:broken", { env: { OLLAMA_BASE_URL: srv.url } }).embed(["a"])).rejects.toThrow(
        /ollama:broken returned 0 embeddings for 1 texts/,
      );
    } finally {
      await srv.close();
    }
  });
});

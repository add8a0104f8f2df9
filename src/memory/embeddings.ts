/**
 * Embeddings behind one interface, chosen by a `provider:model` string:
 *   offline:hash      deterministic feature hashing (the default; no network)
 *   openai:<model>    OpenAI or any OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY)
 *   ollama:<model>    a local Ollama (OLLAMA_BASE_URL, default http://127.0.0.1:11434), e.g. ollama:bge-m3
 * The embedder's `id` is stored with each Chroma collection; reopening with another id is an error.
 */

import { OpenAIEmbeddings } from "@langchain/openai";
import { messageOf } from "../domain/errors.ts";

export interface Embedder {
  /** identity stored with collections, e.g. "offline:hash/512" or "openai:text-embedding-3-small" */
  readonly id: string;
  embed(texts: readonly string[]): Promise<number[][]>;
}

// ---- offline: feature hashing --------------------------------------------------------------

/** 32-bit FNV-1a over the UTF-16 code units of a string. */
function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Lower-cased word tokens (letters, digits, cashtags), any script. */
export function words(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/\$?[\p{L}\p{N}][\p{L}\p{N}'._-]*/gu)
      ?.map((w) => w.replace(/[._'-]+$/, "")) ?? []
  );
}

const WEIGHT = { unigram: 1, bigram: 0.7, chargram: 0.35 } as const;

/** Hashed bag of word unigrams, word bigrams and character 3-grams (so unsegmented scripts work), L2-normalised. */
export function hashEmbedding(text: string, dim: number): number[] {
  const v = new Float64Array(dim);
  const add = (feature: string, w: number) => {
    const h = fnv1a(feature);
    v[h % dim]! += h & 0x80000000 ? -w : w; // the top bit picks the sign: collisions cancel instead of piling up
  };
  const ws = words(text);
  ws.forEach((w, i) => {
    add(`u:${w}`, WEIGHT.unigram);
    if (i > 0) add(`b:${ws[i - 1]} ${w}`, WEIGHT.bigram);
    const padded = `#${w}#`;
    const chars = [...padded];
    for (let k = 0; k + 3 <= chars.length; k++) add(`c:${chars.slice(k, k + 3).join("")}`, WEIGHT.chargram);
  });
  let norm = Math.hypot(...v);
  if (norm === 0) {
    add("∅", 1); // empty text: a fixed unit vector, never a zero vector (cosine of zero is undefined)
    norm = 1;
  }
  return Array.from(v, (x) => x / norm);
}

export class HashEmbedder implements Embedder {
  readonly id: string;
  constructor(readonly dim = 512) {
    if (!Number.isInteger(dim) || dim < 16)
      throw new RangeError(`hash embedding dimension must be an integer >= 16, got ${dim}`);
    this.id = `offline:hash/${dim}`;
  }
  /** the latest texts embedded (a day's events are embedded to be tracked, then again to be stored) */
  private readonly recent = new Map<string, number[]>();
  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((t) => {
      let v = this.recent.get(t);
      if (!v) {
        v = hashEmbedding(t, this.dim);
        if (this.recent.size >= 4096) this.recent.delete(this.recent.keys().next().value!);
        this.recent.set(t, v);
      }
      return v.slice();
    });
  }
}

// ---- remote providers ----------------------------------------------------------------------

class OllamaEmbedder implements Embedder {
  readonly id: string;
  constructor(
    readonly model: string,
    readonly baseUrl = process.env.OLLAMA_BASE_URL ?? "http://127.0.0.1:11434",
    readonly batchSize = 64,
  ) {
    this.id = `ollama:${model}`;
  }
  async embed(texts: readonly string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const input = texts.slice(i, i + this.batchSize);
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl.replace(/\/$/, "")}/api/embed`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: this.model, input }),
        });
      } catch (e) {
        throw new Error(`Ollama at ${this.baseUrl} is unreachable for ${this.id}: ${messageOf(e)}`);
      }
      if (!res.ok)
        throw new Error(`Ollama ${this.id} answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { embeddings?: number[][] };
      if (!Array.isArray(body.embeddings) || body.embeddings.length !== input.length) {
        throw new Error(
          `Ollama ${this.id} returned ${body.embeddings?.length ?? "no"} embeddings for ${input.length} texts`,
        );
      }
      out.push(...body.embeddings);
    }
    return out;
  }
}

class OpenAIEmbedder implements Embedder {
  readonly id: string;
  private readonly client: OpenAIEmbeddings;
  constructor(
    readonly model: string,
    env: NodeJS.ProcessEnv = process.env,
    batchSize = 256,
  ) {
    this.id = `openai:${model}`;
    this.client = new OpenAIEmbeddings({
      model,
      batchSize,
      apiKey: env.OPENAI_API_KEY ?? (env.OPENAI_BASE_URL ? "not-needed" : undefined),
      configuration: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : undefined,
    });
  }
  async embed(texts: readonly string[]): Promise<number[][]> {
    const out = await this.client.embedDocuments([...texts]);
    if (out.length !== texts.length)
      throw new Error(`${this.id} returned ${out.length} embeddings for ${texts.length} texts`);
    return out;
  }
}

/** Builds the embedder of a `provider:model` id (see the module comment). */
export function createEmbedder(spec: string, opts: { dim?: number; env?: NodeJS.ProcessEnv } = {}): Embedder {
  const [provider, ...rest] = spec.split(":");
  const model = rest.join(":");
  if (provider === "offline" && (model === "hash" || model === "")) return new HashEmbedder(opts.dim ?? 512);
  if (provider === "openai" && model) return new OpenAIEmbedder(model, opts.env);
  if (provider === "ollama" && model)
    return new OllamaEmbedder(model, opts.env?.OLLAMA_BASE_URL ?? process.env.OLLAMA_BASE_URL);
  throw new Error(`unknown embedding model "${spec}": use offline:hash, openai:<model> or ollama:<model>`);
}

/** The embedder of a stored embedding model id (as written on collections), e.g. "offline:hash/512". */
export function embedderForId(id: string, env?: NodeJS.ProcessEnv): Embedder {
  const hash = /^offline:hash\/(\d+)$/.exec(id);
  return hash ? new HashEmbedder(Number(hash[1])) : createEmbedder(id, { env });
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return cosineOf(a, sqNorm(a), b, sqNorm(b));
}

/** The squared norm, summed in index order (what `cosine` computes for each side). */
export function sqNorm(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i]! * a[i]!;
  return n;
}

/** `cosine` with both squared norms known (held with a stored vector): the same value, one pass fewer. */
export function cosineOf(a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number): number {
  if (na === 0 || nb === 0) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot / Math.sqrt(na * nb);
}

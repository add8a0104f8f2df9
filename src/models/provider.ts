/**
 * Chat models from `provider:model` strings:
 *   openai:<model>   ChatOpenAI; OPENAI_BASE_URL points it at any OpenAI-compatible server
 *                    (DeepSeek, vLLM, llama.cpp server, ...)
 *   ollama:<model>   a local Ollama through its OpenAI-compatible API (OLLAMA_BASE_URL/v1)
 *   offline          no model: the agent's offline analyst (a classical baseline) answers
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { windowOf } from "./rate.ts";

const OFFLINE = "offline";

export function isOffline(spec: string): boolean {
  return spec === OFFLINE;
}

/** Where a model spec answers (named in failures); no credentials. */
export function endpointOf(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  const [provider] = spec.split(":");
  if (provider === "ollama") return `${(env.OLLAMA_BASE_URL ?? "http://127.0.0.1:11434").replace(/\/$/, "")}/v1`;
  return (env.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/\/[^/@]*@/, "//");
}

/** An endpoint answered 2xx with something that is not a chat completion: what came back, in brief. */
class MalformedAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly head: string,
  ) {
    super(
      `the endpoint answered ${status} ${contentType || "(no content type)"} that is not a chat completion: ${JSON.stringify(head)}`,
    );
    this.name = "MalformedAnswerError";
  }
}

/**
 * fetch for the OpenAI client that refuses, with what came back, a 2xx answer that is not a chat
 * completion (an HTML page from a proxy, JSON without `choices`): the SDK would otherwise fail inside
 * with "Cannot read properties of undefined". Streams and error statuses pass through untouched.
 */
const checkedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  // what the provider says of its limits holds for every call to that model (src/models/rate.ts)
  const model = typeof init?.body === "string" ? /"model"\s*:\s*"([^"]+)"/.exec(init.body)?.[1] : undefined;
  if (model) windowOf(url, model)?.noteHeaders(res.headers);
  if (!res.ok) return res;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/event-stream")) return res;
  const body = await res.clone().text();
  const head = body.slice(0, 200);
  if (!type.includes("json")) throw new MalformedAnswerError(res.status, type, head);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedAnswerError(res.status, type, head);
  }
  if (url.endsWith("/chat/completions") && !Array.isArray((parsed as { choices?: unknown })?.choices))
    throw new MalformedAnswerError(res.status, type, head);
  return res;
};

export interface ModelOptions {
  temperature?: number;
  /** per attempt; the SDK's own retries are off (invokeStructured retries, with messages) */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function createChatModel(spec: string, opts: ModelOptions = {}): BaseChatModel {
  const env = opts.env ?? process.env;
  const [provider, ...rest] = spec.split(":");
  const model = rest.join(":");
  const temperature = opts.temperature ?? 0;
  const common = { model, temperature, maxRetries: 0, timeout: opts.timeoutMs ?? 60_000 };
  if (provider === "openai" && model) {
    return new ChatOpenAI({
      ...common,
      apiKey: env.OPENAI_API_KEY ?? (env.OPENAI_BASE_URL ? "not-needed" : undefined),
      configuration: { fetch: checkedFetch, ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) },
    });
  }
  if (provider === "ollama" && model) {
    return new ChatOpenAI({
      ...common,
      apiKey: "ollama",
      configuration: { baseURL: endpointOf(spec, env), fetch: checkedFetch },
    });
  }
  throw new Error(`unknown chat model "${spec}": use offline, openai:<model> or ollama:<model>`);
}

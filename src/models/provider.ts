/**
 * Chat models from `provider:model` strings:
 *   openai:<model>   ChatOpenAI; OPENAI_BASE_URL points it at any OpenAI-compatible server
 *                    (DeepSeek, vLLM, llama.cpp server, ...)
 *   ollama:<model>   a local Ollama through its OpenAI-compatible API (OLLAMA_BASE_URL/v1)
 *   offline          no model: the agent's offline analyst (a classical baseline) answers
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";

export const OFFLINE = "offline";

export function isOffline(spec: string): boolean {
  return spec === OFFLINE;
}

export function createChatModel(spec: string, opts: { temperature?: number; env?: NodeJS.ProcessEnv } = {}): BaseChatModel {
  const env = opts.env ?? process.env;
  const [provider, ...rest] = spec.split(":");
  const model = rest.join(":");
  const temperature = opts.temperature ?? 0;
  if (provider === "openai" && model) {
    return new ChatOpenAI({
      model, temperature, maxRetries: 2,
      apiKey: env.OPENAI_API_KEY ?? (env.OPENAI_BASE_URL ? "not-needed" : undefined),
      configuration: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : undefined,
    });
  }
  if (provider === "ollama" && model) {
    const base = (env.OLLAMA_BASE_URL ?? "http://127.0.0.1:11434").replace(/\/$/, "");
    return new ChatOpenAI({ model, temperature, maxRetries: 2, apiKey: "ollama", configuration: { baseURL: `${base}/v1` } });
  }
  throw new Error(`unknown chat model "${spec}": use offline, openai:<model> or ollama:<model>`);
}

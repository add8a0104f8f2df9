/**
 * One structured model call: prompt -> JSON -> zod, with bounded repair. A malformed or invalid
 * answer is shown back to the model with the exact validation error; after `maxAttempts` the item
 * fails loudly with its id. Plain JSON (not tool calling) works the same on every OpenAI-compatible
 * server and on Ollama, which do not all support tools or json_schema.
 */

import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { z } from "zod";
import { retryAfterMs } from "../data/sources/http.ts";
import { messageOf } from "../domain/errors.ts";
import { scrub } from "../observability/secrets.ts";
import type { ResponseCache } from "./cache.ts";
import { JSON_RULE, type Prompt } from "./prompt.ts";
import type { RateWindow } from "./rate.ts";
import type { Scope, Usage } from "./usage.ts";

/**
 * A model call that could not be made or answered (timeouts, refused or closed connections, error statuses, malformed
 * answers), after its retries.
 */
export class ModelCallError extends Error {
  constructor(
    readonly agent: string,
    readonly itemId: string,
    readonly endpoint: string,
    readonly attempts: number,
    readonly reason: string,
  ) {
    super(
      `${agent} could not get an answer from ${endpoint} for ${itemId} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`,
    );
    this.name = "ModelCallError";
  }
}

/**
 * How transport failures are retried: up to `retries` more attempts, waiting `baseMs` x 2^n (or the server's
 * Retry-After), never more than `capMs`.
 */
interface RetryPolicy {
  retries: number;
  baseMs: number;
  capMs: number;
}
const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseMs: 1000, capMs: 60_000 };

/** Whether a failed call may succeed if sent again, how long the server asks to wait, and the failure in one line. */
function classifyFailure(e: unknown): { retry: boolean; afterMs?: number; reason: string } {
  const err = e as {
    status?: number;
    headers?: Record<string, string> | Headers;
    message?: string;
    name?: string;
    cause?: unknown;
    code?: string;
  };
  const cause = err.cause as { name?: string; message?: string; code?: string } | undefined;
  if (cause?.name === "MalformedAnswerError" || err.name === "MalformedAnswerError")
    return {
      retry: true,
      reason: (cause?.name === "MalformedAnswerError" ? cause.message : err.message) ?? "malformed answer",
    };
  const status = typeof err.status === "number" ? err.status : undefined;
  if (status !== undefined) {
    const h = err.headers;
    const raw = h
      ? typeof (h as Headers).get === "function"
        ? (h as Headers).get("retry-after")
        : (h as Record<string, string>)["retry-after"]
      : undefined;
    // seconds or an HTTP date (one already past: at once), read as the sources read it; the caller caps it
    const afterMs = retryAfterMs(raw ?? null, Date.now(), Number.POSITIVE_INFINITY);
    const retry = status === 408 || status === 409 || status === 429 || status >= 500;
    return { retry, afterMs, reason: `HTTP ${status}: ${(err.message ?? "").replace(/\s+/g, " ").slice(0, 300)}` };
  }
  const text = `${err.name ?? ""} ${err.message ?? ""} ${cause?.code ?? err.code ?? ""} ${cause?.message ?? ""}`;
  if (/timed? ?out|timeout/i.test(text)) return { retry: true, reason: "no answer within the timeout" };
  if (
    /APIConnection|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|fetch failed|terminated|network/i.test(
      text,
    )
  ) {
    return {
      retry: true,
      reason: `connection failed (${(cause?.code ?? cause?.message ?? err.message ?? "").toString().slice(0, 200)})`,
    };
  }
  return { retry: false, reason: (err.message ?? String(e)).slice(0, 300) };
}

export class ModelOutputError extends Error {
  constructor(
    readonly agent: string,
    readonly itemId: string,
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`${agent} failed on ${itemId}: no valid answer after ${attempts} attempts (last error: ${lastError})`);
    this.name = "ModelOutputError";
  }
}

/** The first JSON object in a text, tolerating code fences and prose around it. */
export function extractJson(text: string): unknown {
  const unfenced = text.replace(/```(?:json)?/gi, "");
  const start = unfenced.indexOf("{");
  const end = unfenced.lastIndexOf("}");
  if (start < 0 || end <= start) throw new Error("the answer contains no JSON object");
  return JSON.parse(unfenced.slice(start, end + 1));
}

const contentText = (m: BaseMessage): string =>
  typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join("");

/** The tokens an answer says it used (prompt and completion), if it says. */
function usedTokens(answer: BaseMessage | undefined): number | undefined {
  const meta = (answer as { usage_metadata?: { input_tokens?: number; output_tokens?: number } } | undefined)
    ?.usage_metadata;
  const n = (meta?.input_tokens ?? 0) + (meta?.output_tokens ?? 0);
  return n > 0 ? n : undefined;
}

export interface StructuredCall<I, O> {
  agent: string;
  itemId: string;
  model: BaseChatModel;
  modelId: string;
  prompt: Prompt<I>;
  input: I;
  schema: z.ZodType<O>;
  /** extra checks against the input (e.g. cited ids exist); returns an error message or undefined */
  check?: (output: O) => string | undefined;
  maxAttempts?: number;
  usage?: Usage;
  /** the ticker-day the call is for (usage per ticker-day, trace metadata) */
  scope?: Scope & { asOf?: string };
  cache?: ResponseCache;
  /** distinguishes answers to the same input that must not share a cache entry (group samples) */
  cacheSalt?: string;
  config?: RunnableConfig;
  /** bounds the calls in flight (shared by the run) */
  limiter?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** the provider's requests- and tokens-per-minute window of this model (none: no limit kept here) */
  rate?: RateWindow;
  /** where the model answers, named in failures */
  endpoint?: string;
  retry?: RetryPolicy;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rough token count (4 characters a token) for budgets when an answer carries no usage. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Parses and checks one answer; returns the output or throws with the reason. */
function validate<I, O>(call: StructuredCall<I, O>, text: string): O {
  const parsed = call.schema.safeParse(extractJson(text));
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  const problem = call.check?.(parsed.data);
  if (problem) throw new Error(problem);
  return parsed.data;
}

/**
 * The messages a prompt sends for an input: the system message with the JSON rule, the rendered input scrubbed of
 * secrets.
 */
export function promptMessages<I>(prompt: Prompt<I>, input: I): BaseMessage[] {
  // scrubbed: a key planted in news (or our own, echoed back into memory) is never sent to the endpoint
  return [new SystemMessage(`${prompt.system}\n\n${JSON_RULE}`), new HumanMessage(scrub(prompt.render(input)))];
}

/** Estimated prompt tokens of a message list (what budgets reserve and dry runs count). */
export const messageTokens = (messages: readonly BaseMessage[]): number =>
  estimateTokens(messages.map(contentText).join("\n"));

export async function invokeStructured<I, O>(call: StructuredCall<I, O>): Promise<O> {
  const maxAttempts = call.maxAttempts ?? 3;
  const key = call.cache?.key(
    call.modelId,
    call.prompt.id,
    call.prompt.version,
    call.cacheSalt ? { input: call.input, salt: call.cacheSalt } : call.input,
  );
  const hit = key ? call.cache!.get(key) : undefined;
  if (hit) {
    try {
      const out = validate(call, hit.text);
      call.usage?.recordCacheHit(call.agent, call.scope);
      return out;
    } catch {
      // an entry that no longer validates (schema or check changed): ask the model again
    }
  }
  const messages = promptMessages(call.prompt, call.input);
  let lastError = "";
  const limiter = call.limiter ?? ((fn) => fn());
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const input = messageTokens(messages);
    const reply = await limiter(async () => {
      const policy = call.retry ?? DEFAULT_RETRY;
      for (let n = 0; ; n++) {
        // inside the limiter, and per attempt: every request sent reserves its share of the budget just before
        await call.usage?.reserve(input, call.agent);
        // then the provider's rate limits: the budget is decided first, so a refused call takes no slot
        const slot = await call.rate?.acquire(input);
        let answer: BaseMessage | undefined;
        let failure: unknown;
        try {
          answer = await call.model.invoke(messages, {
            ...call.config,
            runName: call.agent,
            metadata: {
              ...call.config?.metadata,
              agent: call.agent,
              item: call.itemId,
              model: call.modelId,
              promptId: call.prompt.id,
              promptVersion: call.prompt.version,
              ...(call.scope?.ticker
                ? { ticker: call.scope.ticker, date: call.scope.date, asOf: call.scope.asOf }
                : {}),
            },
          });
        } catch (e) {
          failure = e;
        } finally {
          const output = answer ? estimateTokens(contentText(answer)) : 0;
          call.usage?.record(call.agent, answer, call.scope, { input, output });
          if (slot) call.rate!.settle(slot, usedTokens(answer) ?? input + output);
        }
        if (failure === undefined) return answer!;
        const f = classifyFailure(failure);
        if (!f.retry || n >= policy.retries)
          throw new ModelCallError(call.agent, call.itemId, call.endpoint ?? call.modelId, n + 1, scrub(f.reason));
        await sleep(Math.min(policy.capMs, f.afterMs ?? policy.baseMs * 2 ** n));
      }
    });
    const text = scrub(contentText(reply)); // what a model writes is stored, checkpointed and shown: no secret passes
    try {
      const out = validate(call, text);
      if (key) call.cache!.set(key, { model: call.modelId, prompt: `${call.prompt.id}@${call.prompt.version}`, text });
      return out;
    } catch (e) {
      lastError = messageOf(e).slice(0, 500);
      messages.push(
        new AIMessage(text),
        new HumanMessage(
          scrub(`Your answer was not valid: ${lastError}\nAnswer again with the corrected JSON object only.`),
        ),
      );
    }
  }
  throw new ModelOutputError(call.agent, call.itemId, maxAttempts, lastError);
}

/**
 * What every agent is: a prompt, an output schema, a check of the output against the input, and an
 * offline strategy (the deterministic baseline) behind the same contract. `runAgent` picks the path
 * from the run context: `offline`, or a chat model through `invokeStructured`.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import type { Prompt } from "../prompts/define.ts";
import type { RunContext } from "../src/config/context.ts";
import type { AgentName } from "../src/domain/agents.ts";
import type { Embedder } from "../src/memory/embeddings.ts";
import { createChatModel, endpointOf, isOffline } from "../src/models/provider.ts";
import { type RateWindow, rateWindow } from "../src/models/rate.ts";
import { estimateTokens, invokeStructured, messageTokens, promptMessages } from "../src/models/structured.ts";
import type { AgentRuntime } from "../src/runtime/agent-runtime.ts";

/** What an offline strategy may use: the run's parameters and the embedder. */
interface OfflineEnv {
  ctx: RunContext;
  embedder: Embedder;
  /**
   * A dry run's rehearsal: the offline analyst stands in for a model to size the calls that follow from answers, and
   * leans to more (the extractor keeps every item it finds an event in, as a model reading more generously might), so a
   * budget set from the estimate is not short.
   */
  rehearsal?: boolean;
}

/** An agent; `N` is its name, so the registry can check that each agent sits under its own name. */
export interface AgentDef<I, O, N extends AgentName = AgentName> {
  name: N;
  /** every version of the agent's prompt, oldest first; the run context picks one (default: the last) */
  prompts: readonly Prompt<I>[];
  schema: z.ZodType<O>;
  itemId(input: I): string;
  check?(input: I, output: O): string | undefined;
  offline(input: I, env: OfflineEnv): O | Promise<O>;
}

export function modelIdFor(ctx: RunContext, agent: AgentName | "chat"): string {
  // tracker-batch / tracker-link / tracker-delta share the tracker's override
  const key = agent.startsWith("tracker") ? "tracker" : agent;
  return ctx.models[agent] ?? ctx.models[key] ?? ctx.model;
}

/**
 * A check's answer for ids a model named that its input does not hold: "<field> a, b are not <what>",
 * or undefined when every id is known. One wording for every agent that cites ids.
 */
export function unknownIds(
  field: string,
  named: Iterable<string>,
  known: Iterable<string>,
  what: string,
): string | undefined {
  const ok = new Set(known);
  const bad = [...named].filter((id) => !ok.has(id));
  return bad.length ? `${field} ${bad.join(", ")} are not ${what}` : undefined;
}

/** The prompt version the run context asks for (default: the newest). */
export function promptFor<I>(def: AgentDef<I, unknown>, ctx: RunContext): Prompt<I> {
  const want = ctx.prompts[def.name];
  if (!want) return def.prompts.at(-1)!;
  const p = def.prompts.find((x) => x.version === want);
  if (!p)
    throw new Error(
      `${def.name} has no prompt version ${want} (versions: ${def.prompts.map((x) => x.version).join(", ")})`,
    );
  return p;
}

const modelCache = new Map<string, BaseChatModel>();

export async function runAgent<I, O>(def: AgentDef<I, O>, input: I, rt: AgentRuntime): Promise<O> {
  const modelId = modelIdFor(rt.ctx, def.name);
  if (isOffline(modelId)) return def.offline(input, { ctx: rt.ctx, embedder: rt.embedder });
  if (rt.dryRun) {
    // nothing is sent: the call is counted from the prompt it would send, the offline analyst answers
    const out = await def.offline(input, { ctx: rt.ctx, embedder: rt.embedder, rehearsal: true });
    rt.usage.recordUnsent(def.name, rt.scope, {
      input: messageTokens(promptMessages(promptFor(def, rt.ctx), input)),
      output: estimateTokens(JSON.stringify(out)),
    });
    return out;
  }
  let model: BaseChatModel;
  if (rt.chatModel) model = rt.chatModel(modelId, def.name);
  else {
    // keyed by where the model answers too: a changed OPENAI_BASE_URL / OLLAMA_BASE_URL takes effect
    const key = `${modelId}@${rt.temperature ?? 0}@${rt.ctx.modelTimeoutSeconds}@${process.env.OPENAI_BASE_URL ?? ""}@${process.env.OLLAMA_BASE_URL ?? ""}`;
    model =
      modelCache.get(key) ??
      createChatModel(modelId, { temperature: rt.temperature ?? 0, timeoutMs: rt.ctx.modelTimeoutSeconds * 1000 });
    modelCache.set(key, model);
  }
  return invokeStructured({
    agent: def.name,
    itemId: def.itemId(input),
    model,
    modelId,
    prompt: promptFor(def, rt.ctx),
    input,
    schema: def.schema,
    check: def.check ? (o) => def.check!(input, o) : undefined,
    usage: rt.usage,
    limiter: rt.limiter,
    rate: rateOf(rt.ctx, modelId),
    config: rt.config,
    cache: rt.cache,
    scope: rt.scope,
    cacheSalt: rt.sample !== undefined ? `sample ${rt.sample} t=${rt.temperature ?? 0}` : undefined,
    endpoint: endpointOf(modelId),
    retry: { retries: rt.ctx.modelRetries, baseMs: rt.ctx.modelRetryBaseMs, capMs: 60_000 },
  });
}

/**
 * The rate window a model's calls count in: the run's per-model limits, else its `rpm`/`tpm`. A model without limits
 * set has one too, so that what its provider says of its limits (headers) is kept.
 */
function rateOf(ctx: RunContext, modelId: string): RateWindow {
  const own = ctx.rateLimits[modelId];
  const limits = { rpm: own?.rpm ?? ctx.rpm, tpm: own?.tpm ?? ctx.tpm };
  return rateWindow(endpointOf(modelId), modelId.slice(modelId.indexOf(":") + 1), limits);
}

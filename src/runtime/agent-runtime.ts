/** What an agent call runs with: the run's context, embedder, usage meter and limits (built by the run's resources). */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { RunContext } from "../config/context.ts";
import type { AgentName } from "../domain/agents.ts";
import type { Embedder } from "../memory/embeddings.ts";
import type { ResponseCache } from "../models/cache.ts";
import type { Scope, Usage } from "../models/usage.ts";

export interface AgentRuntime {
  ctx: RunContext;
  embedder: Embedder;
  usage: Usage;
  /** builds chat models; tests inject scripted models here */
  chatModel?: (spec: string, agent: AgentName) => BaseChatModel;
  config?: RunnableConfig;
  /** bounds the model calls in flight across the run */
  limiter?: <T>(fn: () => Promise<T>) => Promise<T>;
  cache?: ResponseCache;
  scope?: Scope & { asOf?: string };
  /** sampling temperature (default 0); with `sample`, each sample of a group is cached apart */
  temperature?: number;
  sample?: number;
  /**
   * a dry run: model calls are counted in `usage` from their rendered prompts, not sent, and answered by the offline
   * analyst
   */
  dryRun?: boolean;
}

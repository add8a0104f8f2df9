/** Counts model calls and tokens per agent (tokens when the provider reports them). */
import type { BaseMessage } from "@langchain/core/messages";

export interface AgentUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export class Usage {
  readonly byAgent = new Map<string, AgentUsage>();

  record(agent: string, reply: BaseMessage): void {
    const u = this.byAgent.get(agent) ?? { calls: 0, inputTokens: 0, outputTokens: 0 };
    const meta = (reply as { usage_metadata?: { input_tokens?: number; output_tokens?: number } }).usage_metadata;
    u.calls++;
    u.inputTokens += meta?.input_tokens ?? 0;
    u.outputTokens += meta?.output_tokens ?? 0;
    this.byAgent.set(agent, u);
  }

  get calls(): number {
    let n = 0;
    for (const u of this.byAgent.values()) n += u.calls;
    return n;
  }
}

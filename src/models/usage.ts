/** Counts model calls, cache hits and tokens per agent and per ticker-day, and enforces an optional budget. */
import type { BaseMessage } from "@langchain/core/messages";

export interface Tally {
  calls: number;
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Scope {
  ticker?: string;
  date?: string;
}

export interface Budget {
  maxCalls?: number;
  maxTokens?: number;
}

export class BudgetExceededError extends Error {
  constructor(what: string) {
    super(`budget exceeded: ${what}. The run stopped cleanly; raise the budget and re-run with the same --run to resume.`);
    this.name = "BudgetExceededError";
  }
}

const empty = (): Tally => ({ calls: 0, cacheHits: 0, inputTokens: 0, outputTokens: 0 });

export class Usage {
  readonly byAgent = new Map<string, Tally>();
  readonly byTickerDay = new Map<string, Tally>();

  constructor(readonly budget: Budget = {}) {}

  private tallies(agent: string, scope?: Scope): Tally[] {
    const a = this.byAgent.get(agent) ?? empty();
    this.byAgent.set(agent, a);
    if (!scope?.ticker || !scope.date) return [a];
    const key = `${scope.ticker} ${scope.date}`;
    const d = this.byTickerDay.get(key) ?? empty();
    this.byTickerDay.set(key, d);
    return [a, d];
  }

  /** Throws before a call that would exceed the call budget, or once the token budget is spent. */
  ensureBudget(): void {
    if (this.budget.maxCalls !== undefined && this.calls >= this.budget.maxCalls) throw new BudgetExceededError(`${this.calls} model calls of ${this.budget.maxCalls} allowed`);
    if (this.budget.maxTokens !== undefined && this.tokens >= this.budget.maxTokens) throw new BudgetExceededError(`${this.tokens} tokens of ${this.budget.maxTokens} allowed`);
  }

  record(agent: string, reply: BaseMessage, scope?: Scope): void {
    const meta = (reply as { usage_metadata?: { input_tokens?: number; output_tokens?: number } }).usage_metadata;
    for (const t of this.tallies(agent, scope)) {
      t.calls++;
      t.inputTokens += meta?.input_tokens ?? 0;
      t.outputTokens += meta?.output_tokens ?? 0;
    }
  }

  recordCacheHit(agent: string, scope?: Scope): void {
    for (const t of this.tallies(agent, scope)) t.cacheHits++;
  }

  private sum(f: (t: Tally) => number): number {
    let n = 0;
    for (const t of this.byAgent.values()) n += f(t);
    return n;
  }

  get calls(): number {
    return this.sum((t) => t.calls);
  }
  get cacheHits(): number {
    return this.sum((t) => t.cacheHits);
  }
  get tokens(): number {
    return this.sum((t) => t.inputTokens + t.outputTokens);
  }
}

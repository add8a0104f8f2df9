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
    super(
      `budget exceeded: ${what}. The run stopped cleanly; raise the budget and re-run with the same --run to resume.`,
    );
    this.name = "BudgetExceededError";
  }
}

const empty = (): Tally => ({ calls: 0, cacheHits: 0, inputTokens: 0, outputTokens: 0 });

export class Usage {
  readonly byAgent = new Map<string, Tally>();
  readonly byTickerDay = new Map<string, Tally>();
  /** calls sent and not answered yet, and their estimated tokens: budgets count them before they are sent */
  private inFlight = 0;
  private inFlightTokens = 0;
  /** the most calls that were ever in flight at once */
  maxInFlight = 0;
  /** calls in flight per agent (the live progress line shows them) */
  private readonly flyingByAgent = new Map<string, number>();
  /** tokens counted from an estimate because an answer carried no usage */
  estimatedTokens = 0;

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

  /**
   * Reserves one call (and its estimated prompt tokens) just before it is sent; throws instead when the
   * calls answered plus those in flight reach the call budget, or the tokens (spent plus reserved) the
   * token budget. Under any concurrency, at most `maxCalls` calls are ever sent.
   */
  async reserve(estimatedPromptTokens = 0, agent?: string): Promise<void> {
    // Over budget with calls still in flight: wait for their answers (they are paid for, and a failed
    // one gives its share back) before deciding.
    while (this.overBudget() && this.inFlight > 0) await new Promise<void>((r) => this.waiting.push(r));
    const { maxCalls, maxTokens } = this.budget;
    if (maxCalls !== undefined && this.calls + this.inFlight >= maxCalls)
      throw new BudgetExceededError(`${this.calls + this.inFlight} model calls of ${maxCalls} allowed`);
    if (maxTokens !== undefined && this.tokens + this.inFlightTokens >= maxTokens)
      throw new BudgetExceededError(
        `${this.tokens + this.inFlightTokens} tokens of ${maxTokens} allowed${this.estimatedTokens ? " (partly estimated: some answers carried no usage)" : ""}`,
      );
    this.inFlight++;
    this.inFlightTokens += estimatedPromptTokens;
    if (agent) this.flyingByAgent.set(agent, (this.flyingByAgent.get(agent) ?? 0) + 1);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  private readonly waiting: (() => void)[] = [];

  private overBudget(): boolean {
    const { maxCalls, maxTokens } = this.budget;
    return (
      (maxCalls !== undefined && this.calls + this.inFlight >= maxCalls) ||
      (maxTokens !== undefined && this.tokens + this.inFlightTokens >= maxTokens)
    );
  }

  /** Ends a reserved call: with its reply (counted), or without one (failed: counted as a call with no tokens). */
  record(
    agent: string,
    reply: BaseMessage | undefined,
    scope?: Scope,
    estimate?: { input: number; output: number },
  ): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.inFlightTokens = Math.max(0, this.inFlightTokens - (estimate?.input ?? 0));
    const flying = this.flyingByAgent.get(agent);
    if (flying !== undefined) {
      if (flying > 1) this.flyingByAgent.set(agent, flying - 1);
      else this.flyingByAgent.delete(agent);
    }
    queueMicrotask(() => {
      for (const wake of this.waiting.splice(0)) wake();
    });
    const meta = (reply as { usage_metadata?: { input_tokens?: number; output_tokens?: number } } | undefined)
      ?.usage_metadata;
    // ChatOpenAI reports zeros when the server sends no usage: that is no usage either
    const none = !meta || (meta.input_tokens ?? 0) + (meta.output_tokens ?? 0) === 0;
    const useEstimate = reply !== undefined && none && estimate !== undefined;
    if (useEstimate) this.estimatedTokens += estimate.input + estimate.output;
    for (const t of this.tallies(agent, scope)) {
      t.calls++;
      t.inputTokens += useEstimate ? estimate.input : (meta?.input_tokens ?? 0);
      t.outputTokens += useEstimate ? estimate.output : (meta?.output_tokens ?? 0);
    }
  }

  /** Counts a call a dry run did not send, at its estimated tokens (no reservation, no budget). */
  recordUnsent(agent: string, scope: Scope | undefined, estimate: { input: number; output: number }): void {
    this.estimatedTokens += estimate.input + estimate.output;
    for (const t of this.tallies(agent, scope)) {
      t.calls++;
      t.inputTokens += estimate.input;
      t.outputTokens += estimate.output;
    }
  }

  /** The calls in flight now, per agent (agents with none left out), by name. */
  flying(): Record<string, number> {
    return Object.fromEntries([...this.flyingByAgent].sort(([a], [b]) => a.localeCompare(b)));
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

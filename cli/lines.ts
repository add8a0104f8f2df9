import { type AgentEstimate, type CostEstimate, costOf, type Prices } from "../app/dry-run.ts";
import type { ScoreRow } from "../src/metrics/summary.ts";
import { table } from "../src/metrics/table.ts";
import type { Usage } from "../src/models/usage.ts";

/** Model calls, cache hits and tokens per agent, and per ticker-day (mean and maximum). */
export function usageLines(u: Usage): string {
  if (u.calls === 0 && u.cacheHits === 0) return "model calls: 0 (offline analyst)";
  const rows = [...u.byAgent]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, t]) => [agent, t.calls, t.cacheHits, t.inputTokens, t.outputTokens]);
  const days = [...u.byTickerDay.values()].map((t) => t.calls);
  const per = days.length
    ? `; per ticker-day: mean ${(days.reduce((a, b) => a + b, 0) / days.length).toFixed(1)}, max ${Math.max(...days)} calls over ${days.length} ticker-days`
    : "";
  const est = u.estimatedTokens ? ` (${u.estimatedTokens} of them estimated: some answers carried no usage)` : "";
  return `model calls: ${u.calls} (+${u.cacheHits} from the cache, at most ${u.maxInFlight} in flight), tokens ${u.tokens}${est}${per}\n${table(["agent", "calls", "cache hits", "input tokens", "output tokens"], rows)}`;
}

/** The dry run's table: expected calls and tokens per agent, and the cost when prices are given. */
export function estimateLines(est: CostEstimate, prices?: Prices): string {
  if (est.total.calls === 0) return "dry run: no model calls (every agent runs on the offline analyst)";
  const money = (a: AgentEstimate) => (prices ? [costOf(a, prices).toFixed(2)] : []);
  const rows = [...est.byAgent].map(([agent, a]) => [agent, a.calls, a.inputTokens, a.outputTokens, ...money(a)]);
  rows.push(["total", est.total.calls, est.total.inputTokens, est.total.outputTokens, ...money(est.total)]);
  const per = est.tickerDays
    ? `; per ticker-day: ${(est.total.calls / est.tickerDays).toFixed(1)} calls, ${Math.round((est.total.inputTokens + est.total.outputTokens) / est.tickerDays)} tokens over ${est.tickerDays} ticker-days`
    : "";
  return [
    `dry run: nothing was sent. Expected model calls and tokens${per}`,
    table(
      [
        "agent",
        "calls",
        "input tokens",
        "output tokens",
        ...(prices ? [`cost (at ${prices.input}/${prices.output} per 1M in/out)`] : []),
      ],
      rows,
    ),
    "Prompt tokens are counted from the prompts this run would send (4 characters a token); the calls that depend on answers and the output tokens follow the offline analyst's answers, so a model that finds more events or writes longer answers costs more. Cache hits are not subtracted.",
  ].join("\n");
}

export function scoreLines(scores: readonly ScoreRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}`;
  return table(
    ["ticker", "predicted", "scored", "ACC %", "MCC", "always-up ACC %"],
    scores.map((s) => [s.ticker, s.predicted, s.scored, pct(s.acc), s.mcc.toFixed(3), pct(s.alwaysUpAcc)]),
  );
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

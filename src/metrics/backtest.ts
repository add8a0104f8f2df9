/**
 * Predictions as a daily long/short signal: at the close of day t, go long for "up" and short for
 * "down", held to the close of t+1 (the move the prediction is about). Per ticker and for an
 * equal-weight portfolio, beside buy-and-hold. No costs. Pure.
 */
import type { Movement } from "../domain/schemas.ts";
export interface Signal {
  ticker: string;
  date: string;
  movement: Movement;
  next_return: number | null;
}

export interface Performance {
  days: number;
  cumulativeReturn: number;
  /** mean / std of daily returns * sqrt(252); 0 when the returns do not vary */
  sharpe: number;
  /** largest peak-to-trough fall of the equity curve, as a positive fraction */
  maxDrawdown: number;
  /** share of days with a non-zero move whose sign the position got right */
  hitRate: number;
}

export interface Curve {
  dates: string[];
  strategy: number[];
  buyHold: number[];
}

export interface Backtest {
  byTicker: Record<string, { strategy: Performance; buyHold: Performance; curve: Curve }>;
  portfolio: { strategy: Performance; buyHold: Performance; curve: Curve };
}

export function performance(returns: readonly number[]): Performance {
  let equity = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (const r of returns) {
    equity *= 1 + r;
    peak = Math.max(peak, equity);
    maxDrawdown = Math.max(maxDrawdown, 1 - equity / peak);
  }
  const n = returns.length;
  const mean = n ? returns.reduce((a, b) => a + b, 0) / n : 0;
  const variance = n > 1 ? returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const moved = returns.filter((r) => r !== 0);
  return {
    days: n,
    cumulativeReturn: equity - 1,
    sharpe: sd > 1e-12 ? (mean / sd) * Math.sqrt(252) : 0,
    maxDrawdown,
    hitRate: moved.length ? moved.filter((r) => r > 0).length / moved.length : 0,
  };
}

const equityCurve = (returns: readonly number[]) => {
  let e = 1;
  return returns.map((r) => (e *= 1 + r));
};

export function backtest(signals: readonly Signal[]): Backtest {
  const usable = signals.filter((s): s is Signal & { next_return: number } => s.next_return !== null);
  const tickers = [...new Set(usable.map((s) => s.ticker))].sort();
  const byTicker: Backtest["byTicker"] = {};
  for (const t of tickers) {
    const rows = usable.filter((s) => s.ticker === t).sort((a, b) => a.date.localeCompare(b.date));
    const strat = rows.map((s) => (s.movement === "up" ? s.next_return : -s.next_return));
    const hold = rows.map((s) => s.next_return);
    byTicker[t] = {
      strategy: performance(strat),
      buyHold: performance(hold),
      curve: { dates: rows.map((s) => s.date), strategy: equityCurve(strat), buyHold: equityCurve(hold) },
    };
  }
  // equal-weight portfolio: each day, the mean of the tickers traded that day
  const dates = [...new Set(usable.map((s) => s.date))].sort();
  const strat: number[] = [];
  const hold: number[] = [];
  for (const d of dates) {
    const day = usable.filter((s) => s.date === d);
    strat.push(day.reduce((a, s) => a + (s.movement === "up" ? s.next_return : -s.next_return), 0) / day.length);
    hold.push(day.reduce((a, s) => a + s.next_return, 0) / day.length);
  }
  return {
    byTicker,
    portfolio: {
      strategy: performance(strat),
      buyHold: performance(hold),
      curve: { dates, strategy: equityCurve(strat), buyHold: equityCurve(hold) },
    },
  };
}

/** Accuracy over a trailing window of scored days (flat days are not scored). */
export function rollingAccuracy(
  rows: readonly { date: string; correct: boolean | null }[],
  window = 20,
): { date: string; acc: number }[] {
  const scored = rows
    .filter((r): r is { date: string; correct: boolean } => r.correct !== null)
    .sort((a, b) => a.date.localeCompare(b.date));
  const out: { date: string; acc: number }[] = [];
  for (let i = window - 1; i < scored.length; i++) {
    const slice = scored.slice(i - window + 1, i + 1);
    out.push({ date: scored[i]!.date, acc: slice.filter((r) => r.correct).length / window });
  }
  return out;
}

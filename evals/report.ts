/**
 * `stockmem report --experiment NAME`: the backtest of an experiment's predictions, in the terminal
 * and as one self-contained HTML file (inline SVG charts, no scripts, no network): equity curves
 * beside buy-and-hold, rolling accuracy, the confusion matrix and a per-ticker table.
 */
import { table } from "../src/metrics/table.ts";
import { backtest, rollingAccuracy, type Backtest, type Curve, type Performance } from "./backtest.ts";
import type { ExperimentResult } from "./runner.ts";
import { SCORE_HEADER, baselineRows, scoreRow } from "./metrics.ts";

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const f3 = (x: number) => x.toFixed(3);

/** A line chart as an SVG string: one polyline per series over a shared x axis of dates. */
export function lineChart(title: string, dates: readonly string[], series: readonly { name: string; color: string; values: readonly number[] }[], opts: { width?: number; height?: number; baseline?: number } = {}): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 220;
  const pad = { l: 48, r: 12, t: 24, b: 28 };
  const all = series.flatMap((s) => s.values).concat(opts.baseline !== undefined ? [opts.baseline] : []);
  if (dates.length < 2 || all.length === 0) return `<svg class="chart" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><text x="10" y="20">${esc(title)}: not enough data</text></svg>`;
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const x = (i: number) => pad.l + (i * (W - pad.l - pad.r)) / (dates.length - 1);
  const y = (v: number) => pad.t + (1 - (v - lo) / span) * (H - pad.t - pad.b);
  const lines = series.map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"><title>${esc(s.name)}</title></polyline>`);
  const base = opts.baseline !== undefined ? `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(opts.baseline)}" y2="${y(opts.baseline)}" stroke="#bbb" stroke-dasharray="4 3"/>` : "";
  const legend = series.map((s, i) => `<text x="${pad.l + 8 + i * 150}" y="16" fill="${s.color}" font-size="12">■ ${esc(s.name)}</text>`).join("") +
    `<text x="${W - pad.r}" y="16" text-anchor="end" font-size="13" font-weight="bold">${esc(title)}</text>`;
  const axis = `<text x="4" y="${y(hi) + 4}" font-size="11">${hi.toFixed(2)}</text><text x="4" y="${y(lo) + 4}" font-size="11">${lo.toFixed(2)}</text>` +
    `<text x="${pad.l}" y="${H - 8}" font-size="11">${esc(dates[0]!)}</text><text x="${W - pad.r - 70}" y="${H - 8}" font-size="11">${esc(dates.at(-1)!)}</text>`;
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><rect width="${W}" height="${H}" fill="#fff"/>${base}${lines.join("")}${legend}${axis}</svg>`;
}

const equity = (title: string, c: Curve) =>
  lineChart(title, c.dates, [{ name: "long/short signal", color: "#1f6feb", values: c.strategy }, { name: "buy and hold", color: "#999", values: c.buyHold }], { baseline: 1, width: 530 });

function perfRows(bt: Backtest): (string | number)[][] {
  const row = (name: string, s: Performance, b: Performance) => [name, s.days, pct(s.cumulativeReturn), pct(b.cumulativeReturn), f3(s.sharpe), f3(b.sharpe), pct(s.maxDrawdown), pct(b.maxDrawdown), pct(s.hitRate)];
  return [...Object.entries(bt.byTicker).map(([t, v]) => row(t, v.strategy, v.buyHold)), row("portfolio", bt.portfolio.strategy, bt.portfolio.buyHold)];
}
const PERF_HEADER = ["", "days", "return", "buy&hold", "Sharpe", "b&h Sharpe", "max DD", "b&h max DD", "hit rate"];

export function reportText(r: ExperimentResult): string {
  const bt = backtest(r.test_predictions);
  return `experiment ${r.experiment}\n\n${table(PERF_HEADER, perfRows(bt))}`;
}

export function reportHtml(r: ExperimentResult): string {
  const bt = backtest(r.test_predictions);
  const rolling = rollingAccuracy(r.examples, 20);
  const rep = r.report;
  const c = rep.overall.confusion;
  const htmlTable = (header: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
    `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((v) => `<td>${esc(String(v))}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const scoreRows = [scoreRow("stockmem", rep), ...baselineRows(rep)];
  const tickerRows = Object.entries(rep.byTicker).map(([t, s]) => [t, s.n, f3(s.acc), f3(s.mcc), pct(bt.byTicker[t]?.strategy.cumulativeReturn ?? 0), pct(bt.byTicker[t]?.buyHold.cumulativeReturn ?? 0)]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockmem report: ${esc(r.experiment)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:12px}.muted{color:#666}.cm td{width:70px;text-align:center}
</style></head><body>
<h1>stockmem report</h1>
<p class="muted">experiment <b>${esc(r.experiment)}</b> on dataset <b>${esc(r.dataset)}</b>; models ${esc([...new Set(Object.values(r.models))].join(", "))}; prompts ${esc(Object.entries(r.prompt_versions).map(([a, v]) => `${a} ${v}`).join(", "))}. Signal: long on "up", short on "down", from the close of t to the close of t+1, no costs.</p>
<h2>Direction accuracy (scored days, 95 % bootstrap intervals)</h2>
${htmlTable(SCORE_HEADER, scoreRows)}
<p>coverage ${pct(rep.coverage)}; citations after asOf: ${r.citation_violations.length}</p>
<h2>Backtest</h2>
${htmlTable(PERF_HEADER, perfRows(bt))}
<h2>Equity curves</h2>
<div class="grid">${equity("portfolio", bt.portfolio.curve)}${Object.entries(bt.byTicker).map(([t, v]) => equity(t, v.curve)).join("")}</div>
<h2>Rolling accuracy (20 scored days)</h2>
${lineChart("rolling accuracy", rolling.map((x) => x.date), [{ name: "accuracy", color: "#2da44e", values: rolling.map((x) => x.acc) }], { baseline: 0.5 })}
<h2>Confusion matrix</h2>
<table class="cm"><tr><th></th><th>moved up</th><th>moved down</th></tr><tr><th>said up</th><td>${c.tp}</td><td>${c.fp}</td></tr><tr><th>said down</th><td>${c.fn}</td><td>${c.tn}</td></tr></table>
<h2>Per ticker</h2>
${htmlTable(["ticker", "n", "ACC", "MCC", "return", "buy&hold"], tickerRows)}
</body></html>
`;
}

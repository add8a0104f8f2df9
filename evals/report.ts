/**
 * `stockmem report --experiment NAME`: the backtest of an experiment's predictions, in the terminal
 * and as one self-contained HTML file (inline SVG charts, no scripts, no network): equity curves
 * beside buy-and-hold, rolling accuracy, the confusion matrix and a per-ticker table.
 */

import { type Backtest, backtest, type Curve, type Performance, rollingAccuracy } from "../src/metrics/backtest.ts";
import { table } from "../src/metrics/table.ts";
import { baselineRows, SCORE_HEADER, scoreRow } from "./metrics.ts";
import type { ExperimentResult } from "./runner.ts";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const f3 = (x: number) => x.toFixed(3);

/** About `n` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks.length && ticks[0]! > lo) ticks.unshift(ticks[0]! - step);
  if (ticks.at(-1)! < hi) ticks.push(ticks.at(-1)! + step);
  return ticks;
}

interface ChartOptions {
  width?: number;
  height?: number;
  /** a reference level drawn dashed and labelled, e.g. 1.0 (the start) or 0.5 (a coin flip) */
  baseline?: { value: number; label: string };
  /** the y range to use (charts meant to be compared share one) */
  yRange?: { lo: number; hi: number };
}

/**
 * A line chart as an SVG string: one polyline per series over a shared x axis of dates, with y ticks
 * and grid lines at round values, dated x ticks, a legend, and an optional labelled baseline.
 */
function lineChart(
  title: string,
  dates: readonly string[],
  series: readonly { name: string; color: string; values: readonly number[] }[],
  opts: ChartOptions = {},
): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 240;
  const pad = { l: 52, r: 14, t: 26, b: 34 };
  const all = series.flatMap((s) => s.values).concat(opts.baseline ? [opts.baseline.value] : []);
  if (dates.length < 2 || all.length === 0)
    return `<svg class="chart" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><text x="10" y="20">${esc(title)}: not enough data</text></svg>`;
  const ticks = niceTicks(opts.yRange?.lo ?? Math.min(...all), opts.yRange?.hi ?? Math.max(...all));
  const lo = ticks[0]!;
  const hi = ticks.at(-1)!;
  const x = (i: number) => pad.l + (i * (W - pad.l - pad.r)) / (dates.length - 1);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo || 1)) * (H - pad.t - pad.b);
  const digits = hi - lo < 0.2 ? 3 : 2;
  const grid = ticks
    .map(
      (v) =>
        `<line class="grid" x1="${pad.l}" x2="${W - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/><text class="ytick" x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${v.toFixed(digits)}</text>`,
    )
    .join("");
  const nx = Math.max(2, Math.min(dates.length, Math.floor((W - pad.l - pad.r) / 100) + 1)); // a date label needs ~100 px
  const xIdx = [...new Set(Array.from({ length: nx }, (_, k) => Math.round((k * (dates.length - 1)) / (nx - 1))))];
  const xTicks = xIdx
    .map(
      (i) =>
        `<line x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${H - pad.b}" y2="${H - pad.b + 4}" stroke="#999"/><text class="xtick" x="${x(i).toFixed(1)}" y="${H - pad.b + 16}" text-anchor="${i === 0 ? "start" : i === dates.length - 1 ? "end" : "middle"}" font-size="11" fill="#555">${esc(dates[i]!)}</text>`,
    )
    .join("");
  const frame = `<line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#999"/><line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#999"/>`;
  const base = opts.baseline
    ? `<line class="baseline" x1="${pad.l}" x2="${W - pad.r}" y1="${y(opts.baseline.value).toFixed(1)}" y2="${y(opts.baseline.value).toFixed(1)}" stroke="#888" stroke-dasharray="4 3"/><text x="${W - pad.r - 2}" y="${(y(opts.baseline.value) - 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#666">${esc(opts.baseline.label)}</text>`
    : "";
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"><title>${esc(s.name)}</title></polyline>`,
  );
  const legend =
    series
      .map((s, i) => `<text x="${pad.l + 6 + i * 150}" y="16" fill="${s.color}" font-size="12">■ ${esc(s.name)}</text>`)
      .join("") +
    `<text x="${W - pad.r}" y="16" text-anchor="end" font-size="13" font-weight="bold">${esc(title)}</text>`;
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><rect width="${W}" height="${H}" fill="#fff"/>${grid}${frame}${xTicks}${base}${lines.join("")}${legend}</svg>`;
}

/** Equity from 1.0 (before the first trade), the signal beside buy-and-hold, on a range shared by every panel. */
const equity = (title: string, c: Curve, yRange: { lo: number; hi: number }) =>
  lineChart(
    title,
    ["start", ...c.dates],
    [
      { name: "long/short signal", color: "#1f6feb", values: [1, ...c.strategy] },
      { name: "buy and hold", color: "#999", values: [1, ...c.buyHold] },
    ],
    { baseline: { value: 1, label: "1.0 = start" }, width: 530, yRange },
  );

/** One y range for curves meant to be compared side by side. */
function sharedRange(curves: readonly Curve[]): { lo: number; hi: number } {
  const all = curves.flatMap((c) => [...c.strategy, ...c.buyHold]).concat(1);
  return { lo: Math.min(...all), hi: Math.max(...all) };
}

function perfRows(bt: Backtest): (string | number)[][] {
  const row = (name: string, s: Performance, b: Performance) => [
    name,
    s.days,
    pct(s.cumulativeReturn),
    pct(b.cumulativeReturn),
    f3(s.sharpe),
    f3(b.sharpe),
    pct(s.maxDrawdown),
    pct(b.maxDrawdown),
    pct(s.hitRate),
  ];
  return [
    ...Object.entries(bt.byTicker).map(([t, v]) => row(t, v.strategy, v.buyHold)),
    row("portfolio", bt.portfolio.strategy, bt.portfolio.buyHold),
  ];
}
const PERF_HEADER = ["", "days", "return", "buy&hold", "Sharpe", "b&h Sharpe", "max DD", "b&h max DD", "hit rate"];

export function reportText(r: ExperimentResult): string {
  const bt = backtest(r.test_predictions);
  return `experiment ${r.experiment}\n\n${table(PERF_HEADER, perfRows(bt))}`;
}

export function reportHtml(r: ExperimentResult): string {
  const bt = backtest(r.test_predictions);
  const rolling = rollingAccuracy(r.examples, 20);
  const range = sharedRange([bt.portfolio.curve, ...Object.values(bt.byTicker).map((v) => v.curve)]);
  const rep = r.report;
  const c = rep.overall.confusion;
  const htmlTable = (header: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
    `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((v) => `<td>${esc(String(v))}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const scoreRows = [scoreRow("stockmem", rep), ...baselineRows(rep)];
  const tickerRows = Object.entries(rep.byTicker).map(([t, s]) => [
    t,
    s.n,
    f3(s.acc),
    f3(s.mcc),
    pct(bt.byTicker[t]?.strategy.cumulativeReturn ?? 0),
    pct(bt.byTicker[t]?.buyHold.cumulativeReturn ?? 0),
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockmem report: ${esc(r.experiment)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:12px}.muted{color:#666}.cm td{width:70px;text-align:center}
</style></head><body>
<h1>stockmem report</h1>
<p class="muted">experiment <b>${esc(r.experiment)}</b> on dataset <b>${esc(r.dataset)}</b>; models ${esc([...new Set(Object.values(r.models))].join(", "))}; prompts ${esc(
    Object.entries(r.prompt_versions)
      .map(([a, v]) => `${a} ${v}`)
      .join(", "),
  )}. Signal: long on "up", short on "down", from the close of t to the close of t+1, no costs.</p>
<h2>Direction accuracy (scored days, 95 % bootstrap intervals)</h2>
${htmlTable(SCORE_HEADER, scoreRows)}
<p>coverage ${pct(rep.coverage)}; citations after asOf: ${r.citation_violations.length}</p>
<h2>Backtest</h2>
${htmlTable(PERF_HEADER, perfRows(bt))}
<h2>Equity curves</h2>
<p class="muted">Growth of 1.0 invested at the first prediction; x: the prediction day t (the value after t+1's close); one y scale for every panel.</p>
<div class="grid">${equity("portfolio", bt.portfolio.curve, range)}${Object.entries(bt.byTicker)
    .map(([t, v]) => equity(t, v.curve, range))
    .join("")}</div>
<h2>Rolling accuracy (20 scored days)</h2>
${lineChart(
  "rolling accuracy",
  rolling.map((x) => x.date),
  [{ name: "accuracy", color: "#2da44e", values: rolling.map((x) => x.acc) }],
  { baseline: { value: 0.5, label: "0.5 = coin flip" }, yRange: { lo: 0, hi: 1 } },
)}
<h2>Confusion matrix</h2>
<table class="cm"><tr><th></th><th>moved up</th><th>moved down</th></tr><tr><th>said up</th><td>${c.tp}</td><td>${c.fp}</td></tr><tr><th>said down</th><td>${c.fn}</td><td>${c.tn}</td></tr></table>
<h2>Per ticker</h2>
${htmlTable(["ticker", "n", "ACC", "MCC", "return", "buy&hold"], tickerRows)}
</body></html>
`;
}

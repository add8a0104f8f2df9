/**
 * `stockmem report --experiment NAME | --run NAME`: the backtest of an experiment's or a run's predictions, in the
 * terminal and as one self-contained HTML file (inline SVG charts, no scripts, no network): equity curves beside
 * buy-and-hold, rolling accuracy, the confusion matrix, a per-ticker table, and every call with its reason.
 */

import {
  type Backtest,
  backtest,
  type Curve,
  type Performance,
  rollingAccuracy,
  type Signal,
} from "../src/metrics/backtest.ts";
import { table } from "../src/metrics/table.ts";
import { baselineRows, type Dir, type Report, SCORE_HEADER, scoreRow } from "./metrics.ts";
import type { ExperimentResult } from "./runner.ts";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const pct = (x: number) => `${(100 * x).toFixed(2)}\u00a0%`; // a number and its unit stay on one line
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
  /** a series drawn wide and light under the others, so that a series equal to it stays visible */
  under?: string;
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
    ? `<line class="baseline" x1="${pad.l}" x2="${W - pad.r}" y1="${y(opts.baseline.value).toFixed(1)}" y2="${y(opts.baseline.value).toFixed(1)}" stroke="#888" stroke-dasharray="4 3"/>`
    : "";
  // the series named `under` first, wide and light: a series on top of it with the same values stays visible in it
  const ordered = [...series].sort((a, b) => Number(b.name === opts.under) - Number(a.name === opts.under));
  const lines = ordered.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="${s.name === opts.under ? 5 : 1.8}"${s.name === opts.under ? ' stroke-opacity="0.45"' : ""} points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"><title>${esc(s.name)}</title></polyline>`,
  );
  // the legend, baseline included, sits in the top margin, above every curve
  const legend =
    series
      .map((s, i) => `<text x="${pad.l + 6 + i * 150}" y="16" fill="${s.color}" font-size="12">■ ${esc(s.name)}</text>`)
      .join("") +
    (opts.baseline
      ? `<text x="${pad.l + 6 + series.length * 150}" y="16" font-size="12" fill="#666">- - ${esc(opts.baseline.label)}</text>`
      : "");
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><rect width="${W}" height="${H}" fill="#fff"/>${grid}${frame}${xTicks}${base}${lines.join("")}${legend}</svg></figure>`;
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
    { baseline: { value: 1, label: "1.0 = start" }, width: 530, yRange, under: "buy and hold" },
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

/** What a report shows: an experiment's result or a run's predictions, in one shape. */
export interface ReportInput {
  /** "experiment NAME" or "run NAME" */
  title: string;
  /** one line on what was run: dataset or data, models, prompts (plain text) */
  about: string;
  report: Report;
  /** citations of records not yet readable at the call's asOf (experiments check them; runs leave it out) */
  citationViolations?: number;
  /** every call, flat days included (their `correct` is null) */
  calls: {
    ticker: string;
    date: string;
    predicted: Dir | null;
    /** the realised label: null until the next close is known */
    label: Dir | "flat" | null;
    next_return: number | null;
    correct: boolean | null;
    reason: string | null;
    references: readonly string[];
  }[];
}

/** An experiment's result as a report's input. */
export function experimentReport(r: ExperimentResult): ReportInput {
  const moves = new Map(r.test_predictions.map((p) => [`${p.ticker} ${p.date}`, p]));
  const scored = new Map(r.examples.map((e) => [`${e.ticker} ${e.date}`, e]));
  const keys = [...new Set([...moves.keys(), ...scored.keys()])];
  return {
    title: `experiment ${r.experiment}`,
    about: `on dataset ${r.dataset}; models ${[...new Set(Object.values(r.models))].join(", ")}; prompts ${Object.entries(
      r.prompt_versions,
    )
      .map(([a, v]) => `${a} ${v}`)
      .join(", ")}`,
    report: r.report,
    citationViolations: r.citation_violations.length,
    calls: keys.map((k) => {
      const [p, e] = [moves.get(k), scored.get(k)];
      return {
        ticker: (p ?? e)!.ticker,
        date: (p ?? e)!.date,
        predicted: p?.movement ?? e?.predicted ?? null,
        label: e?.label ?? null,
        next_return: p?.next_return ?? null,
        correct: e?.correct ?? null,
        reason: e?.reason ?? null,
        references: e?.references ?? [],
      };
    }),
  };
}

/** The calls as the backtest's signals. */
const signalsOf = (input: ReportInput): Signal[] =>
  input.calls.flatMap((c) =>
    c.predicted ? [{ ticker: c.ticker, date: c.date, movement: c.predicted, next_return: c.next_return }] : [],
  );

/** An experiment's result is shown as its report input. */
const inputOf = (x: ReportInput | ExperimentResult): ReportInput => ("experiment" in x ? experimentReport(x) : x);

export function reportText(x: ReportInput | ExperimentResult): string {
  const input = inputOf(x);
  const bt = backtest(signalsOf(input));
  return `${input.title}\n\n${table(PERF_HEADER, perfRows(bt))}\n\n${HIT_RATE}`;
}

/** Hit rate and ACC differ: the report says how, beside both. */
const HIT_RATE =
  "hit rate: the share of traded days (a call with a next close) whose signal made money, small moves included; ACC: the share of scored calls (moves beyond ±1 %, flat days left out) that named the direction.";

/** Rolling accuracy over this many scored days. */
const ROLLING = 20;
/** The calls table shows at most this many (the latest); the JSON and predictions file hold them all. */
const MAX_CALL_ROWS = 2000;

export function reportHtml(x: ReportInput | ExperimentResult): string {
  const input = inputOf(x);
  const bt = backtest(signalsOf(input));
  const scoredCalls = input.calls.filter((c) => c.correct !== null);
  const rolling = rollingAccuracy(scoredCalls, ROLLING);
  const range = sharedRange([bt.portfolio.curve, ...Object.values(bt.byTicker).map((v) => v.curve)]);
  const rep = input.report;
  const c = rep.overall.confusion;
  const htmlTable = (header: readonly string[], rows: readonly (readonly (string | number)[])[], cls = "") =>
    `<div class="wide"><table${cls ? ` class="${cls}"` : ""}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((v) => `<td>${esc(String(v))}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
  const scoreRows = [scoreRow("stockmem", rep), ...baselineRows(rep)];
  const tickerRows = Object.entries(rep.byTicker).map(([t, s]) => [
    t,
    s.n,
    f3(s.acc),
    f3(s.mcc),
    pct(bt.byTicker[t]?.strategy.cumulativeReturn ?? 0),
    pct(bt.byTicker[t]?.buyHold.cumulativeReturn ?? 0),
  ]);
  const same = (cv: Curve) => cv.strategy.every((v, i) => Math.abs(v - cv.buyHold[i]!) < 1e-12);
  const identical = [
    ["portfolio", bt.portfolio.curve] as const,
    ...Object.entries(bt.byTicker).map(([t, v]) => [t, v.curve] as const),
  ]
    .filter(([, cv]) => cv.dates.length > 0 && same(cv))
    .map(([t]) => t);
  const calls = [...input.calls].sort((a, b) => b.date.localeCompare(a.date) || a.ticker.localeCompare(b.ticker));
  const shown = calls.slice(0, MAX_CALL_ROWS);
  const callRows = shown
    .map((k) => {
      const moved =
        k.next_return === null
          ? "not yet"
          : `${k.label ?? "?"} ${k.next_return >= 0 ? "+" : ""}${(100 * k.next_return).toFixed(2)}\u00a0%`;
      const mark = k.correct === null ? "" : k.correct ? "right" : "wrong";
      const refs = k.references.length
        ? `<details><summary>${k.references.length}</summary>${esc(k.references.join(", "))}</details>`
        : "none";
      return `<tr><td class="n">${esc(k.date)}<br>${esc(k.ticker)}</td><td class="n">${esc(k.predicted ?? "-")}${mark ? `<br><span class="${mark}">${mark}</span>` : ""}</td><td class="n">${esc(moved).replace(" ", "<br>")}</td><td class="text">${esc(k.reason ?? "")}</td><td class="refs">${refs}</td></tr>`;
    })
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>stockmem report: ${esc(input.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 12px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.wide{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
table.calls{width:100%;table-layout:fixed}table.calls td{text-align:left;vertical-align:top;overflow-wrap:break-word}
table.calls td.n{white-space:nowrap}table.calls td.refs{overflow-wrap:anywhere;font-size:12px}
.right{color:#1a7f37}.wrong{color:#cf222e}
figure{margin:0}figcaption{font-weight:bold;font-size:13px}svg.chart{max-width:100%;height:auto}
.grid{display:flex;flex-wrap:wrap;gap:12px}.muted{color:#666}.cm td{width:70px;text-align:center}
</style></head><body>
<h1>stockmem report</h1>
<p class="muted"><b>${esc(input.title)}</b> ${esc(input.about)}. Signal: long on "up", short on "down", from the close of t to the close of t+1, no costs.</p>
<h2>Direction accuracy (scored days, 95 % bootstrap intervals)</h2>
${htmlTable(SCORE_HEADER, scoreRows)}
<p>coverage ${pct(rep.coverage)}${input.citationViolations === undefined ? "" : `; citations after asOf: ${input.citationViolations}`}</p>
<h2>Backtest</h2>
${htmlTable(PERF_HEADER, perfRows(bt))}
<p class="muted">${esc(HIT_RATE)}</p>
<h2>Equity curves</h2>
<p class="muted">Growth of 1.0 invested at the first prediction; x: the prediction day t (the value after t+1's close); one y scale for every panel; buy and hold is the wide light line, the signal the thin one on it.${identical.length ? ` The signal equals buy and hold (every call up) for: ${esc(identical.join(", "))}.` : ""}</p>
<div class="grid">${equity("portfolio", bt.portfolio.curve, range)}${Object.entries(bt.byTicker)
    .map(([t, v]) => equity(t, v.curve, range))
    .join("")}</div>
<h2>Rolling accuracy (${ROLLING} scored days)</h2>
${
  rolling.length >= 2
    ? lineChart(
        "rolling accuracy",
        rolling.map((x) => x.date),
        [{ name: "accuracy", color: "#2da44e", values: rolling.map((x) => x.acc) }],
        { baseline: { value: 0.5, label: "0.5 = coin flip" }, yRange: { lo: 0, hi: 1 } },
      )
    : `<p class="muted">Too few points: a rolling accuracy over ${ROLLING} scored days needs at least ${ROLLING + 1} of them; this report has ${scoredCalls.length}.</p>`
}
<h2>Confusion matrix</h2>
<table class="cm"><tr><th></th><th>moved up</th><th>moved down</th></tr><tr><th>said up</th><td>${c.tp}</td><td>${c.fp}</td></tr><tr><th>said down</th><td>${c.fn}</td><td>${c.tn}</td></tr></table>
<h2>Per ticker</h2>
${htmlTable(["ticker", "n", "ACC", "MCC", "return", "buy&hold"], tickerRows)}
<h2>Calls and their reasons</h2>
<p class="muted">Newest first${calls.length > shown.length ? `, the latest ${shown.length} of ${calls.length}` : `, all ${calls.length}`}. "moved": the move from the call's close to the next (flat within ±1 %, not scored).</p>
<table class="calls"><colgroup><col style="width:6.6em"><col style="width:4.2em"><col style="width:5.6em"><col><col style="width:4.5em"></colgroup><thead><tr><th>day</th><th>call</th><th>moved</th><th>reason</th><th>refs</th></tr></thead><tbody>${callRows}</tbody></table>
</body></html>
`;
}

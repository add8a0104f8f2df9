/**
 * The daily report: the calls for the next trading day with what they rest on, kept as JSON, and as a
 * page a person reads (the calls with their reasons, key events and references, and the record so far).
 */

import type { ScoreRow } from "../src/metrics/summary.ts";
import type { PredictionRecord } from "../src/runtime/run-files.ts";

/** One call for the next trading day, with what it rests on. */
export interface DailyCall {
  ticker: string;
  /** the day whose close the call was made at */
  date: string;
  movement: PredictionRecord["movement"];
  reason: string;
  /** the day's events in memory (most of a chain first), with their incremental information */
  key_events: {
    id: string;
    type: string;
    description: string;
    chain_depth: number;
    delta: string | null;
    /** the earlier stages of its story, oldest first (at most four) */
    chain: { date: string; description: string }[];
  }[];
  /** the past situations (reflections, memory records) the call cited */
  references: string[];
  /** the cited reflections: what happened then, and why (read from memory as of the call) */
  reflections: { id: string; label: string; reason: string }[];
}

export interface DailyReport {
  run: string;
  /** the last trading day in the data: the calls are made at its close */
  date: string;
  /** the trading day the calls are for */
  for: string;
  /** the data as it stood at the close of this date (a replay), when given */
  at?: string;
  calls: DailyCall[];
  /** the calls so far as a long/short signal (long on up, short on down, close to close, no costs) beside buy-and-hold, equal weight */
  equity: {
    days: number;
    signal: number;
    buyHold: number;
    curve: { dates: string[]; signal: number[]; buyHold: number[] };
  };
  /** the run's record so far: ACC and MCC of its scored calls */
  scores: ScoreRow[];
}

/** Everything shown comes from news or from models that read news: escaped, never markup. */
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const pctSigned = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} %`;

/** The two equity curves as a small inline chart (no script, no external file). */
function sparkline(c: DailyReport["equity"]["curve"]): string {
  if (c.dates.length < 2) return "";
  const all = [...c.signal, ...c.buyHold];
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const x = (i: number) => ((i / (c.dates.length - 1)) * 580 + 10).toFixed(1);
  const y = (v: number) => (hi === lo ? 60 : 110 - ((v - lo) / (hi - lo)) * 100).toFixed(1);
  const line = (vs: number[], color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${vs.map((v, i) => `${x(i)},${y(v)}`).join(" ")}"/>`;
  return `<svg width="600" height="120" role="img" aria-label="equity: signal (green) and buy-and-hold (grey)">${line(c.buyHold, "#8c959f")}${line(c.signal, "#1a7f37")}</svg>
<p><small>${esc(c.dates[0]!)} .. ${esc(c.dates.at(-1)!)}: signal in green, buy-and-hold in grey</small></p>`;
}

export function dailyHtml(r: DailyReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const calls = r.calls
    .map(
      (c) => `<section>
<h2>${esc(c.ticker)}: <span class="${c.movement}">${c.movement}</span> on ${esc(r.for)}</h2>
<p>${esc(c.reason)}</p>
<h3>Key events of ${esc(c.date)}</h3>
<ul>${c.key_events.map((e) => `<li><b>${esc(e.type)}</b> ${esc(e.description)}${e.chain_depth ? ` <i>(story stage ${e.chain_depth + 1})</i>` : ""}${e.delta ? `<br><small>${esc(e.delta)}</small>` : ""}${e.chain.length ? `<br><small>the story so far: ${e.chain.map((s) => `${esc(s.date)} ${esc(s.description)}`).join(" &rarr; ")}</small>` : ""}</li>`).join("") || "<li>none</li>"}</ul>
<h3>References</h3>
<ul>${
        c.references
          .map((x) => {
            const rf = c.reflections.find((f) => f.id === x);
            return `<li><code>${esc(x)}</code>${rf ? `: went <span class="${rf.label}">${esc(rf.label)}</span>. ${esc(rf.reason)}` : ""}</li>`;
          })
          .join("") || "<li>none</li>"
      }</ul>
</section>`,
    )
    .join("\n");
  const scores = r.scores
    .map(
      (s) =>
        `<tr><td>${esc(s.ticker)}</td><td>${s.predicted}</td><td>${s.scored}</td><td>${pct(s.acc)}</td><td>${s.mcc.toFixed(3)}</td><td>${pct(s.alwaysUpAcc)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockmem ${esc(r.run)}: calls for ${esc(r.for)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}.up{color:#1a7f37}.down{color:#cf222e}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Run ${esc(r.run)}: calls for ${esc(r.for)}</h1>
<p>Made at the close of ${esc(r.date)}${r.at ? ` (a replay: the data as it stood at the close of ${esc(r.at)})` : ""}.</p>
${calls || "<p>No calls: no ticker traded on that day.</p>"}
<h2>The record so far</h2>
<p>As a signal (long on up, short on down, close to close, equal weight, no costs), over ${r.equity.days} day(s):
<b>${pctSigned(r.equity.signal)}</b>, beside buy-and-hold ${pctSigned(r.equity.buyHold)}.</p>
${sparkline(r.equity.curve)}
<table><tr><th>ticker</th><th>predicted</th><th>scored</th><th>ACC</th><th>MCC</th><th>always-up ACC</th></tr>${scores}</table>
</body></html>
`;
}

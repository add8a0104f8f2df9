import { basename } from "node:path";
import type { Progress } from "../src/data/read-lines.ts";
import { painter } from "./colour.ts";

/** A one-line progress indicator on stderr, only when stderr is a terminal (keeps --json output and CI logs clean). */
export function fileProgress(file: string): Progress | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    process.stderr.write(`\rreading ${basename(file)} ${pct}%${done >= total ? "\n" : ""}`);
  };
}

/** Calls in flight per agent, the busiest first: "extractor 6, tracker 2". */
function inFlightText(inFlight: Record<string, number>): string {
  return Object.entries(inFlight)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([agent, n]) => `${agent} ${n}`)
    .join(", ");
}

interface RunProgressEvent {
  phase: string;
  window?: string;
  date: string | null;
  done: number;
  total: number;
  calls: number;
  cacheHits: number;
}

/**
 * The run's progress from the graph's custom stream: a live bar on a terminal (ticker-days done of the
 * total, the phase and date, model calls, ETA), plain lines at every tenth otherwise; notes between.
 */
export function runProgress(out: NodeJS.WriteStream = process.stderr) {
  const t0 = Date.now();
  const tty = Boolean(out.isTTY);
  const paint = painter(out);
  let last: RunProgressEvent | undefined;
  let flying = "";
  let first: { at: number; done: number } | undefined;
  let lastTenth = -1;
  let drawn = false;
  const eta = (e: RunProgressEvent) => {
    first ??= { at: Date.now(), done: e.done };
    const rate = (e.done - first.done) / Math.max(1, Date.now() - first.at);
    if (rate <= 0 || e.done >= e.total) return "";
    const s = Math.round((e.total - e.done) / rate / 1000);
    return `, ETA ${s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`}`;
  };
  const line = (e: RunProgressEvent) => {
    const calls =
      e.calls || e.cacheHits ? `, ${e.calls} model calls${e.cacheHits ? ` (+${e.cacheHits} cached)` : ""}` : "";
    const air = flying ? `; in flight: ${flying}` : "";
    return `${e.window ?? ""} ${e.date ?? ""} ${e.phase}: ${e.done}/${e.total} ticker-days${calls}${air}${eta(e)}`.trim();
  };
  /** the live line, cut to the terminal's width (a wrapped line could not be redrawn in place) */
  const draw = (e: RunProgressEvent) => {
    const width = 24;
    const filled = e.total > 0 ? Math.round((width * e.done) / e.total) : width;
    const text = line(e).slice(0, Math.max(20, (out.columns ?? 120) - width - 4));
    out.write(`\r\x1b[2K[${paint("green", "#".repeat(filled))}${".".repeat(width - filled)}] ${text}`);
    drawn = true;
  };
  return {
    update(e: RunProgressEvent) {
      last = e;
      if (tty) return draw(e);
      const tenth = e.total > 0 ? Math.floor((10 * e.done) / e.total) : 10;
      if (e.phase === "commit" && tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${line(e)} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      }
    },
    /** the model calls as they go (the LLM path): the live line shows those in flight per agent */
    calls(c: { calls: number; cacheHits: number; inFlight: Record<string, number> }) {
      flying = inFlightText(c.inFlight);
      if (tty && last) draw({ ...last, calls: c.calls, cacheHits: c.cacheHits });
    },
    note(n: string) {
      out.write(`${tty && drawn ? "\r\x1b[2K" : ""}${paint("yellow", "note:")} ${n}\n`);
      if (tty && last) draw(last);
    },
    end() {
      if (tty && drawn) out.write("\n");
    },
  };
}

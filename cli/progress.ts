import { basename } from "node:path";
import type { Progress } from "../src/data/read-lines.ts";

/** A one-line progress indicator on stderr, only when stderr is a terminal (keeps --json output and CI logs clean). */
export function fileProgress(file: string): Progress | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    process.stderr.write(`\rreading ${basename(file)} ${pct}%${done >= total ? "\n" : ""}`);
  };
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
    return `${e.window ?? ""} ${e.date ?? ""} ${e.phase}: ${e.done}/${e.total} ticker-days${calls}${eta(e)}`.trim();
  };
  return {
    update(e: RunProgressEvent) {
      if (tty) {
        const width = 24;
        const filled = e.total > 0 ? Math.round((width * e.done) / e.total) : width;
        out.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${line(e)}`);
        drawn = true;
        return;
      }
      const tenth = e.total > 0 ? Math.floor((10 * e.done) / e.total) : 10;
      if (e.phase === "commit" && tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${line(e)} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      }
    },
    note(n: string) {
      out.write(`${tty && drawn ? "\r\x1b[2K" : ""}note: ${n}\n`);
    },
    end() {
      if (tty && drawn) out.write("\n");
    },
  };
}

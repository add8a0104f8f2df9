import { basename } from "node:path";
import type { Progress } from "../data/read-lines.ts";

/** A one-line progress indicator on stderr, only when stderr is a terminal (keeps --json output and CI logs clean). */
export function fileProgress(file: string): Progress | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    process.stderr.write(`\rreading ${basename(file)} ${pct}%${done >= total ? "\n" : ""}`);
  };
}

export function bar(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 24;
  const filled = total > 0 ? Math.round((width * done) / total) : width;
  process.stderr.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${done >= total ? "\n" : ""}`);
}

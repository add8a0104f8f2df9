/**
 * Append-only JSONL files whose committed length lives in the run's checkpoint. Before each append the
 * file is cut back to that length: whatever lies beyond it was written by a step that never committed
 * (a crash, kill -9 or a full disk between writes, possibly a torn half line) and is written again by
 * the resumed step. A file shorter than its committed length was edited or truncated behind the run's
 * back: that is an integrity error, never silently repaired.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname } from "node:path";
import { scrub } from "../observability/secrets.ts";

export class LedgerIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerIntegrityError";
  }
}

/** What a cut removed: bytes, complete lines, and whether the last one was torn (no newline). */
export interface Cut {
  file: string;
  bytes: number;
  lines: number;
  torn: boolean;
}

export function describeCut(c: Cut): string {
  const what = c.torn ? `${c.lines > 1 ? `${c.lines - 1} line(s) and ` : ""}a torn half line` : `${c.lines} line(s)`;
  return `${basename(c.file)}: cut ${c.bytes} bytes (${what}) written by a step that did not commit; the resumed run writes them again`;
}

/** Cuts `file` back to `committed` bytes; returns what was cut (undefined if nothing). */
export function cutToCommitted(file: string, committed: number, fresh = "--fresh"): Cut | undefined {
  const size = existsSync(file) ? statSync(file).size : 0;
  if (size < committed) {
    throw new LedgerIntegrityError(
      `${file} holds ${size} bytes but the run's checkpoint committed ${committed}: it was truncated or edited outside the run. Re-run with ${fresh} to start over.`,
    );
  }
  if (size === committed) return undefined;
  const fd = openSync(file, "r+");
  try {
    const tail = Buffer.alloc(size - committed);
    readSync(fd, tail, 0, tail.length, committed);
    ftruncateSync(fd, committed);
    fsyncSync(fd);
    const text = tail.toString("utf8");
    return {
      file,
      bytes: tail.length,
      lines: text.split("\n").filter((l) => l.length > 0).length,
      torn: !text.endsWith("\n"),
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends records (scrubbed of secrets) after cutting back to `committed`; returns the new committed length and any
 * cut.
 */
export function appendCommitted(
  file: string,
  committed: number,
  records: readonly unknown[],
): { length: number; cut?: Cut } {
  const cut = cutToCommitted(file, committed);
  if (records.length === 0) return { length: committed, cut };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, "a", 0o600);
  try {
    const text = records.map((r) => `${scrub(JSON.stringify(r))}\n`).join("");
    writeSync(fd, text);
    fsyncSync(fd);
    return { length: committed + Buffer.byteLength(text), cut };
  } finally {
    closeSync(fd);
  }
}

/** The complete lines of a file (0 when it does not exist). */
export function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file);
  let n = 0;
  for (const b of text) if (b === 10) n++;
  return n;
}

import { createReadStream, statSync } from "node:fs";

export type Progress = (done: number, total: number) => void;

export interface Line {
  /** 1-based */
  line: number;
  text: string;
  /** the line's bytes are not valid UTF-8 (`text` then has U+FFFD where they were): the caller reports it */
  invalidUtf8?: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Streams a text file line by line (1-based line numbers, `\n` or `\r\n`), reporting bytes read. A
 * UTF-8 byte-order mark opening the file is dropped; a line that is not valid UTF-8 is marked,
 * never silently repaired.
 */
export async function* readLines(file: string, onProgress?: Progress): AsyncGenerator<Line> {
  const total = statSync(file).size;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let line = 0;
  let read = 0;
  let lastReport = 0;
  let rest: Buffer = Buffer.alloc(0);
  const decode = (bytes: Buffer): Line => {
    line++;
    let b = bytes;
    if (b.length && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
    if (line === 1 && b.length >= 3 && BOM.every((x, i) => b[i] === x)) b = b.subarray(3);
    try {
      return { line, text: strict.decode(b) };
    } catch {
      return { line, text: lossy.decode(b), invalidUtf8: true };
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    read += chunk.length;
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      yield decode(buf.subarray(start, nl));
      start = nl + 1;
    }
    rest = Buffer.from(buf.subarray(start));
    if (onProgress && read - lastReport >= 1 << 20) {
      lastReport = read;
      onProgress(read, total);
    }
  }
  if (rest.length) yield decode(rest);
  onProgress?.(total, total);
}

import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";

export type Progress = (done: number, total: number) => void;

/** Streams a text file line by line (1-based line numbers), reporting bytes read. */
export async function* readLines(file: string, onProgress?: Progress): AsyncGenerator<{ line: number; text: string }> {
  const total = statSync(file).size;
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let lastReport = 0;
  for await (const text of rl) {
    line++;
    if (onProgress && stream.bytesRead - lastReport >= 1 << 20) {
      lastReport = stream.bytesRead;
      onProgress(stream.bytesRead, total);
    }
    yield { line, text };
  }
  onProgress?.(total, total);
}

/**
 * A bounded fuzz of the input path: 1,000 seeded mutations of a slice of the sample files
 * (truncation, byte flips, field swaps, lines re-encoded as Latin-1 or UTF-16, repeated, dropped or
 * garbage lines, stray byte-order marks) through the loader, and a short offline run on a share of
 * the ones that load. Each case ends in a result or in one line naming file:line; never a stack
 * trace, never a hang (each case is bounded).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { InMemoryMemory } from "../src/memory/in-memory.ts";
import { resourcesOn } from "../src/runtime/resources.ts";
import { lcg } from "../testkit/random.ts";

const CASES = 1000;
const RUNS_EVERY = 50; // a short run on every 50th case that loads
const BOUND_MS = 20_000;

// a slice: MSFT's prices of 2015-09..10 and its news of 2015-09-21..10-09
const priceLines = readFileSync(join(SAMPLE_DATA_DIR, "prices.csv"), "utf8")
  .split("\n")
  .filter((l, i) => i === 0 || l.startsWith("MSFT,2015-09") || l.startsWith("MSFT,2015-10"));
const newsLines = readFileSync(join(SAMPLE_DATA_DIR, "news.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.includes('"ticker": "MSFT"') && /"published_at": "2015-(09-2|09-3|10-0)/.test(l))
  .slice(0, 80);
const BASE = {
  "prices.csv": Buffer.from(`${priceLines.join("\n")}\n`),
  "news.jsonl": Buffer.from(`${newsLines.join("\n")}\n`),
};
type File = keyof typeof BASE;

const rng = lcg;

/** One seeded mutation of one file. */
function mutate(buf: Buffer, r: () => number): { out: Buffer; what: string } {
  const pick = (n: number) => Math.floor(r() * n);
  const lines = buf.toString("latin1").split("\n");
  const li = pick(lines.length);
  const kind = pick(9);
  switch (kind) {
    case 0: {
      const at = pick(buf.length);
      return { out: buf.subarray(0, at), what: `truncated at byte ${at}` };
    }
    case 1: {
      const out = Buffer.from(buf);
      const at = pick(out.length);
      out[at] = pick(256);
      return { out, what: `byte ${at} flipped` };
    }
    case 2: {
      // swap two fields of a line (CSV cells, or two JSON values)
      const line = lines[li]!;
      if (line.startsWith("{")) {
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          const keys = Object.keys(o);
          const [a, b] = [keys[pick(keys.length)]!, keys[pick(keys.length)]!];
          [o[a], o[b]] = [o[b], o[a]];
          lines[li] = JSON.stringify(o);
        } catch {
          /* already broken */
        }
      } else {
        const cells = line.split(",");
        const [a, b] = [pick(cells.length), pick(cells.length)];
        [cells[a], cells[b]] = [cells[b]!, cells[a]!];
        lines[li] = cells.join(",");
      }
      return { out: Buffer.from(lines.join("\n"), "latin1"), what: `fields swapped on line ${li + 1}` };
    }
    case 3: {
      // a line re-encoded: Latin-1 (é as one byte) or UTF-16
      const text = Buffer.from(lines[li]!, "latin1").toString("utf8").replace(/e/g, "é");
      const enc = r() < 0.5 ? Buffer.from(text, "latin1") : Buffer.from(text, "utf16le");
      const before = Buffer.from(lines.slice(0, li).join("\n") + (li ? "\n" : ""), "latin1");
      const after = Buffer.from((li < lines.length - 1 ? "\n" : "") + lines.slice(li + 1).join("\n"), "latin1");
      return { out: Buffer.concat([before, enc, after]), what: `line ${li + 1} re-encoded` };
    }
    case 4:
      lines.splice(li, 0, lines[li]!);
      return { out: Buffer.from(lines.join("\n"), "latin1"), what: `line ${li + 1} repeated` };
    case 5:
      lines.splice(li, 1);
      return { out: Buffer.from(lines.join("\n"), "latin1"), what: `line ${li + 1} dropped` };
    case 6: {
      const junk = [
        "",
        "null",
        "[]",
        "{}",
        '{"id": 1}',
        ",,,,,,,",
        "\u0000\u0001",
        "NaN",
        "MSFT,2015-10-10,1,1,1,1,1,1",
        '{"id":"x","ticker":"MSFT","published_at":"2015-10-05T99:00:00Z","text":"t"}',
      ][pick(10)]!;
      lines.splice(li, 0, junk);
      return { out: Buffer.from(lines.join("\n"), "latin1"), what: `garbage line ${li + 1}: ${JSON.stringify(junk)}` };
    }
    case 7:
      return { out: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]), what: "byte-order mark" };
    default: {
      // a number in a line made huge, negative, hexadecimal or not a number
      const swap = ["1e308", "-5", "0x1F", "NaN", "Infinity", "", "2015-02-30", "9999-99-99"][pick(8)]!;
      lines[li] = lines[li]!.replace(/\d+(\.\d+)?/, swap);
      return {
        out: Buffer.from(lines.join("\n"), "latin1"),
        what: `a number on line ${li + 1} became ${JSON.stringify(swap)}`,
      };
    }
  }
}

const bounded = <T>(p: Promise<T>, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`HANG: ${what} did not end within ${BOUND_MS} ms`)), BOUND_MS).unref(),
    ),
  ]);

/** A failure as a user meets it: one line, naming the file and line when it is about the input. */
function expectOneLine(e: unknown, what: string) {
  const msg = (e as Error).message ?? String(e);
  expect(msg, `${what}: ${msg}`).not.toMatch(/HANG/);
  expect(msg.includes("\n"), `${what}: a multi-line message: ${msg}`).toBe(false);
  expect(msg, `${what}: no file:line in "${msg}"`).toMatch(
    /(news\.jsonl|prices\.csv):\d+: |the test window .* has no trading day/,
  );
  expect(msg, `${what}: an internal error leaked: ${msg}`).not.toMatch(
    /Cannot read properties|is not a function|undefined is not|TypeError|RangeError| {4}at /,
  );
}

describe("fuzzed input", () => {
  it(`${CASES} seeded mutations end in data or in one line naming file:line`, async () => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-fuzz-state-"));
    const dir = mkdtempSync(join(tmpdir(), "stockmem-fuzz-")); // one data dir, rewritten for each case
    vi.stubEnv("STOCKMEM_DATA_DIR", state);
    const r = rng(20261122);
    const outcomes = { loaded: 0, refused: 0, runs: 0, runErrors: 0 };
    try {
      for (let c = 0; c < CASES; c++) {
        const file: File = r() < 0.5 ? "prices.csv" : "news.jsonl";
        const { out, what } = mutate(BASE[file], r);
        for (const f of Object.keys(BASE) as File[]) writeFileSync(join(dir, f), f === file ? out : BASE[f]);
        const label = `case ${c} (${file}: ${what})`;
        let data: Awaited<ReturnType<typeof loadMarketData>>;
        try {
          data = await bounded(loadMarketData(dir), label);
          outcomes.loaded++;
        } catch (e) {
          expectOneLine(e, label);
          outcomes.refused++;
          continue;
        }
        if (outcomes.loaded % RUNS_EVERY !== 0) continue;
        const ctx = runContext({ run: `fuzz-${c}` });
        const tickers = data.tickers.filter((t) => t === "MSFT");
        if (tickers.length === 0) continue;
        outcomes.runs++;
        try {
          await bounded(
            executeRun({
              ctx,
              dataDir: dir,
              data,
              tickers,
              train: { from: "2015-09-21", to: "2015-09-30" },
              test: { from: "2015-10-01", to: "2015-10-09" },
              quiet: true,
              resources: resourcesOn(new InMemoryMemory(ctx.run, new HashEmbedder(ctx.embeddingDim)), ctx, data),
            }),
            `${label}, run`,
          );
        } catch (e) {
          outcomes.runErrors++;
          expectOneLine(e, `${label}, run`);
        }
      }
    } finally {
      vi.unstubAllEnvs();
      for (const d of [dir, state]) rmSync(d, { recursive: true, force: true });
    }
    console.log(`fuzz: ${JSON.stringify(outcomes)}`);
    // not vacuous: mutations both pass and get refused, and some runs ran
    expect(outcomes.loaded).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.runs).toBeGreaterThanOrEqual(5);
  });
});

/**
 * The command in a terminal and in a pipe (issue 21, items 9 and 10): Ctrl-C on a run says what stopped and how to go
 * on, and the same command resumes it; a reader that closes the pipe early ends the command quietly.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config/paths.ts";
import type { ChromaEndpoint } from "../src/memory/chroma-server.ts";
import { type TraceRecord, traceFile } from "../src/observability/trace.ts";
import { validAnswer } from "../testkit/answers.ts";
import { fakeOpenAI } from "../testkit/fake-openai.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { item, writeDataDir } from "./helpers/data-dir.ts";
import { HAS_TMUX, type Terminal, terminal } from "./helpers/tmux.ts";

const BIN = join(PACKAGE_ROOT, "bin/stockmem.mjs");
let chroma: ChromaEndpoint;
const terms: Terminal[] = [];
beforeAll(async () => {
  chroma = await tempChroma();
});
afterAll(async () => {
  for (const t of terms) t.close();
  await chroma.stop();
});

describe.skipIf(!HAS_TMUX)("Ctrl-C on a run", () => {
  it("says it stopped and that the same command resumes it; it does", async () => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-intr-"));
    const run = `STOCKMEM_DATA_DIR=${state} CHROMA_URL=${chroma.url} ${process.execPath} ${BIN} run --run intr --tickers MSFT,INTC`;
    const first = terminal(`${run}; echo "exited $?"; sleep 600`);
    terms.push(first);
    await first.until(/test 2015-1\d-\d\d \w+: \d+\/\d+ ticker-days/); // into the test window
    first.keys("C-c");
    const stopped = await first.until(/exited \d+/);
    expect(stopped).toMatch(/\nstockmem: stopped; resume with the same command\n(.*\n)*exited 130/);
    const again = terminal(`${run}; echo "exited $?"; sleep 600`);
    terms.push(again);
    const resumed = await again.until(/exited \d+/, 120_000);
    expect(resumed).toMatch(/resuming run "intr" from its checkpoint/);
    expect(resumed).toMatch(/exited 0/);
  });
});

describe.skipIf(!HAS_TMUX)("colour and the live line (issue 21, item 16)", () => {
  it("paints notes and errors on a terminal, never with NO_COLOR or into a pipe", async () => {
    const data = writeDataDir(
      [
        { date: "2015-10-01", adj: 1 },
        { date: "2015-10-02", adj: 1 },
      ],
      [item("z", "2015-10-02T12:00:00Z", "x", "ZZZ")],
    );
    const cmd = (pre: string, post = "") =>
      `${pre} ${process.execPath} ${BIN} data stats --data ${data}${post}; ${process.execPath} ${BIN} data stats --data /nonexistent${post}; echo "done $?"; sleep 600`;
    const coloured = terminal(cmd(""));
    terms.push(coloured);
    await coloured.until(/done \d/);
    const raw = coloured.screen(true);
    expect(raw).toContain("\x1b[33mnote:\x1b[39m 1 items of tickers without prices skipped");
    expect(raw).toMatch(/\x1b\[31mstockmem:\x1b\[39m data dir \/nonexistent has no news\.jsonl/);
    for (const [pre, post] of [
      ["export NO_COLOR=1;", ""],
      ["", " 2>&1 | cat"],
    ]) {
      const plain = terminal(cmd(pre!, post));
      terms.push(plain);
      await plain.until(/done \d/);
      expect(plain.screen(true)).toMatch(/note: 1 items of tickers without prices skipped/);
      expect(plain.screen(true)).not.toMatch(/\x1b\[3\dm/);
    }
  });

  it("shows the model calls in flight per agent on the LLM path", async () => {
    const fake = await fakeOpenAI({ delayMs: 400, answer: validAnswer });
    try {
      const state = mkdtempSync(join(tmpdir(), "stockmem-fly-"));
      const run = `STOCKMEM_DATA_DIR=${state} CHROMA_URL=${chroma.url} OPENAI_BASE_URL=${fake.url} OPENAI_API_KEY=sk-fake ${process.execPath} ${BIN} run --run fly --model openai:fake-model --no-cache --tickers MSFT,INTC --train 2015-09-28:2015-09-30 --test 2015-10-01:2015-10-02`;
      const t = terminal(`${run}; echo "exited $?"; sleep 600`, 200, 40);
      terms.push(t);
      const seen = await t.until(/in flight: (extractor|reflector|tracker-\w+|merger|retriever-judge|predictor) \d+/);
      expect(seen).toMatch(/ticker-days(, \d+ model calls)?; in flight: [a-z-]+ \d+(, [a-z-]+ \d+)*/);
      await t.until(/exited \d+/, 300_000);
      expect(t.screen()).toMatch(/exited 0/);
    } finally {
      await fake.close();
    }
  });
});

describe("a closed pipe", () => {
  it("ends `trace --json | head` quietly, exit 0", () => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-pipe-"));
    // a trace far larger than a pipe's buffer, so the writer meets the closed pipe
    const rec = (i: number): TraceRecord => ({
      run: "big",
      run_id: `r${i}`,
      parent_run_id: null,
      kind: "node",
      graph: "ingest",
      node: "extract",
      ticker: "MSFT",
      date: "2015-10-07",
      started_at: "2015-10-07T21:00:00.000Z",
      duration_ms: 1,
      inputs: { text: "x".repeat(400) },
      outputs: {},
    });
    const file = traceFile(state, "big");
    spawnSync("mkdir", ["-p", join(state, "traces")]);
    writeFileSync(file, `${Array.from({ length: 5000 }, (_, i) => JSON.stringify(rec(i))).join("\n")}\n`);
    const r = spawnSync(
      "bash",
      ["-c", `${process.execPath} ${BIN} trace big --json | head -c 100 >/dev/null; echo "rc=\${PIPESTATUS[0]}"`],
      {
        env: { ...process.env, STOCKMEM_DATA_DIR: state },
        encoding: "utf8",
      },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("rc=0");
  });
});

/**
 * The run engine on a real Chroma server and LangGraph's SQLite checkpointer: results never depend
 * on ticker order; a run killed with SIGKILL at any point resumes to byte-identical predictions; a
 * resume on other memory or an edited file stops with a message; a torn tail is cut with a note; a
 * second process on the same run is refused at once.
 *
 * Runs take the LLM path against a fake OpenAI-compatible server (deterministic answers, no cache),
 * so a kill point is an event, not a moment: the server freezes at the n-th call, the run blocks
 * there, and only then is it killed.
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { resetRun } from "../src/memory/store.ts";
import { lockRun } from "../src/runtime/lock.ts";
import { validAnswer } from "../testkit/answers.ts";
import { type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { killFrozen, stockmemChild } from "./helpers/child.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { postgresBin, startPostgres, type TempPostgres } from "./helpers/postgres.ts";

const TRAIN = { from: "2015-09-01", to: "2015-09-30" };
const TEST = { from: "2015-10-01", to: "2015-10-20" };
const env = useIsolatedStockmem();
const file = (run: string) => join(env.state(), "runs", run, "predictions.jsonl");
const MODEL = { model: "openai:fake-model", cache: false };
const run = (name: string, tickers = ["MSFT", "INTC"], fresh = false) =>
  executeRun({
    ctx: runContext({ run: name, ...MODEL }),
    dataDir: SAMPLE_DATA_DIR,
    tickers,
    train: TRAIN,
    test: TEST,
    quiet: true,
    fresh,
  });
let fake: FakeOpenAI;
let calls = 0; // model calls of a whole run

/** The CLI in a child process, on the fake endpoint. */
function cli(name: string, extraEnv: Record<string, string> = {}) {
  return stockmemChild(
    [
      "run",
      "--run",
      name,
      "--tickers",
      "MSFT,INTC",
      "--train",
      `${TRAIN.from}:${TRAIN.to}`,
      "--test",
      `${TEST.from}:${TEST.to}`,
      "--model",
      MODEL.model,
      "--no-cache",
    ],
    {
      CHROMA_URL: env.server().url,
      STOCKMEM_DATA_DIR: env.state(),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-fake",
      ...extraEnv,
    },
  );
}

/**
 * Runs the CLI until the endpoint has answered `share` of a run's calls, freezes it there, and kills it with SIGKILL.
 */
async function killAt(name: string, share: number, extraEnv: Record<string, string> = {}): Promise<void> {
  const frozen = fake.holdAfter(Math.max(1, Math.round(share * calls)));
  await killFrozen(cli(name, extraEnv), frozen, () => fake.release());
}

let reference = "";
beforeAll(async () => {
  fake = await fakeOpenAI({ delayMs: 0, answer: validAnswer });
  vi.stubEnv("OPENAI_BASE_URL", fake.url);
  vi.stubEnv("OPENAI_API_KEY", "sk-fake");
  const before = fake.calls.length;
  await run("ref");
  calls = fake.calls.length - before;
  reference = readFileSync(file("ref"), "utf8");
  return () => fake.close();
});

describe("run engine", () => {
  it("gives byte-identical predictions whatever the order of --tickers", async () => {
    await run("perm", ["INTC", "MSFT"]);
    expect(reference.split("\n").length - 1).toBe(2 * 14);
    expect(readFileSync(file("perm"), "utf8")).toBe(reference);
  });

  it("resumes a run killed with SIGKILL at three points to byte-identical predictions", async () => {
    for (const [k, share] of [
      [1, 0.2],
      [2, 0.55],
      [3, 0.9],
    ] as const) {
      await killAt(`kill${k}`, share); // in training, about the train/test border, late in the test window
      const res = await run(`kill${k}`);
      expect(
        res.notes.some((x) => /resuming run/.test(x)),
        `kill at ${share}: ${res.notes.join(" | ")}`,
      ).toBe(true);
      expect(readFileSync(file(`kill${k}`), "utf8"), `killed at ${share} of the calls`).toBe(reference);
    }
  });

  it("cuts a torn tail left by a crash, with a note, and resumes correctly", async () => {
    await killAt("torn", 0.9);
    appendFileSync(file("torn"), '{"ticker":"MSFT","date":"2015-10-1'); // a write torn by the crash
    const res = await run("torn");
    expect(res.notes.join("\n")).toMatch(
      /predictions\.jsonl: cut \d+ bytes \((\d+ line\(s\) and )?a torn half line\) written by a step that did not commit/,
    );
    expect(readFileSync(file("torn"), "utf8")).toBe(reference);
  });

  it("refuses to resume on other memory (reset between kill and resume), exit code and message naming --fresh", async () => {
    await killAt("reset", 0.55);
    await resetRun(env.server().url, "reset");
    const c = cli("reset");
    const { code, stderr } = await c.exit;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /cannot resume run "reset": its memory .* is not the memory its checkpoint .* relies on .*events: 0 records where the checkpoint relies on \d+.*--fresh/s,
    );
    // --fresh starts over and gets the same result
    await run("reset", ["MSFT", "INTC"], true);
    expect(readFileSync(file("reset"), "utf8")).toBe(reference);
  });

  it("refuses a file truncated behind the run's back", async () => {
    await killAt("cut", 0.9);
    truncateSync(file("cut"), 100); // into committed lines
    await expect(run("cut")).rejects.toThrow(
      /predictions\.jsonl holds 100 bytes but the run's checkpoint committed \d+: it was truncated or edited outside the run\. Re-run with --fresh/,
    );
  });

  it("refuses a second process on the same run at once, naming the holder's PID; takes over a dead holder's lock", async () => {
    const held = lockRun(join(env.state(), "runs", "twice", "lock"), "twice"); // this test process holds the run
    const second = cli("twice");
    const { code, stderr } = await second.exit;
    expect(code).not.toBe(0);
    expect(stderr).toContain(`run "twice" is in use by process ${process.pid}`);
    held.release();
    // a lock left by a process that is gone (kill -9) is taken over
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(join(env.state(), "runs", "twice", "lock"), `${dead.pid}\n`);
    const res = await run("twice");
    expect(res.notes).toContain(`took over the lock of run "twice" from process ${dead.pid}, which is gone`);
    expect(readFileSync(file("twice"), "utf8")).toBe(reference);
  });

  it("a finished run keeps one checkpoint per day and no pending writes (issue 23, item 10)", async () => {
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(join(env.state(), "checkpoints.sqlite"), { readonly: true });
    try {
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) FROM ${table} WHERE thread_id = 'ref'`).pluck().get() as number) ?? 0;
      // 35 trading days (21 in September, 14 in October 1-20): the plan's checkpoint, one per day, the summary's
      expect(count("checkpoints")).toBe(35 + 2);
      expect(count("writes")).toBe(0);
    } finally {
      db.close();
    }
  });

  it("a finished run re-run changes nothing; with other settings it is refused", async () => {
    const again = await run("ref");
    expect(again.alreadyDone).toBe(true);
    expect(readFileSync(file("ref"), "utf8")).toBe(reference);
    await expect(run("ref", ["MSFT"])).rejects.toThrow(/run "ref" was started with other settings .* --fresh/);
    // it names what differs, old -> new, and a free name to give the new experiment (issue 21, item 2)
    await expect(run("ref", ["MSFT"])).rejects.toThrow(
      /other settings \(tickers: INTC,MSFT -> MSFT\): give this experiment its own name \(--run ref-2\)/,
    );
  });
});

const PG = postgresBin();
// CI installs PostgreSQL and sets STOCKMEM_REQUIRE_POSTGRES=1: there the test must run, never skip.
if (!PG && process.env.STOCKMEM_REQUIRE_POSTGRES)
  throw new Error("STOCKMEM_REQUIRE_POSTGRES is set but no PostgreSQL binaries were found");
if (!PG)
  console.warn(
    "[stockmem tests] no PostgreSQL binaries (apt-get install postgresql): the Postgres checkpointer test is skipped.",
  );

describe.skipIf(!PG)("run engine on a PostgreSQL checkpointer", () => {
  let pg: TempPostgres;
  beforeAll(async () => {
    pg = await startPostgres(PG!);
    return () => pg.stop();
  });

  it("resumes a run killed with SIGKILL at three points to byte-identical predictions, with its checkpoints in Postgres", async () => {
    vi.stubEnv("STOCKMEM_CHECKPOINT_URL", pg.url);
    try {
      for (const [k, share] of [
        [1, 0.2],
        [2, 0.55],
        [3, 0.9],
      ] as const) {
        await killAt(`pg${k}`, share, { STOCKMEM_CHECKPOINT_URL: pg.url });
        const res = await run(`pg${k}`);
        expect(res.notes.join("\n")).toMatch(
          /resuming run "pg\d" from its checkpoint in postgres:\/\/postgres@127\.0\.0\.1/,
        );
        expect(readFileSync(file(`pg${k}`), "utf8"), `killed at ${share} of the calls`).toBe(reference);
      }
      // finished runs are compacted there too: a checkpoint per day, no writes, no blob no checkpoint uses
      const { default: pgc } = await import("pg");
      const client = new pgc.Client({ connectionString: pg.url });
      await client.connect();
      try {
        const n = async (sql: string) => Number((await client.query(sql, ["pg1"])).rows[0].n);
        expect(await n("SELECT count(*) n FROM checkpoints WHERE thread_id = $1")).toBe(35 + 2);
        expect(await n("SELECT count(*) n FROM checkpoint_writes WHERE thread_id = $1")).toBe(0);
        expect(
          await n(`SELECT count(*) n FROM checkpoint_blobs b WHERE thread_id = $1 AND NOT EXISTS (SELECT 1 FROM checkpoints k
                   WHERE k.thread_id = b.thread_id AND k.checkpoint->'channel_versions'->>b.channel = b.version)`),
        ).toBe(0);
      } finally {
        await client.end();
      }
      // the SQLite file knows nothing of these runs: the checkpoints really are in Postgres
      vi.stubEnv("STOCKMEM_CHECKPOINT_URL", "");
      await expect(run("pg1")).rejects.toThrow(/already holds .* but .*checkpoints\.sqlite has no checkpoint of it/);
    } finally {
      vi.stubEnv("STOCKMEM_CHECKPOINT_URL", "");
    }
  });
});

/**
 * Runs that grow and the daily loop (issue 20, items 4-6): a run extended day by day with `daily --at`,
 * or in one catch-up jump, makes the same predictions (movement, reason, references) as one run over
 * the whole window, offline and on the LLM path with scripted models; a second call on the same day
 * changes nothing; a day without a close says so; a window shrunk, or a daily on a run never started,
 * is refused by name; a run killed while it grows resumes to the same predictions.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeDaily } from "../app/daily.ts";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { validAnswer } from "../testkit/answers.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";

const env = useIsolatedStockmem();
const TICKERS = ["MSFT", "ORCL"];
const TRAIN = { from: "2015-09-14", to: "2015-09-30" };
const DAYS = ["2015-10-05", "2015-10-06", "2015-10-07", "2015-10-08", "2015-10-09", "2015-10-12"];
const END = DAYS.at(-1)!;
const file = (run: string) => join(env.state(), "runs", run, "predictions.jsonl");
/** What a call is: the fields the daily loop and the backtest must agree on. */
const calls = (run: string) =>
  readFileSync(file(run), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) => JSON.parse(l) as { ticker: string; date: string; movement: string; reason: string; references: string[] },
    )
    .map(({ ticker, date, movement, reason, references }) => ({ ticker, date, movement, reason, references }));

const start = (run: string, to: string, extra: Partial<Parameters<typeof executeRun>[0]> = {}, model = "offline") =>
  executeRun({
    ctx: runContext({ run, model, cache: false }),
    dataDir: SAMPLE_DATA_DIR,
    tickers: TICKERS,
    train: TRAIN,
    test: { from: "2015-10-01", to },
    quiet: true,
    ...extra,
  });

describe("a run grown by the daily loop equals one run over the whole window", () => {
  it("offline: day by day and in one jump; idempotent; a day without a close; shrinking refused", async () => {
    await start("whole", END);
    await start("steps", "2015-10-02");
    for (const at of DAYS) {
      const d = await executeDaily({ run: "steps", at, quiet: true });
      expect(d.report.date).toBe(at);
      expect(d.report.calls.map((c) => c.ticker)).toEqual(TICKERS);
    }
    await start("jump", "2015-10-02");
    const jumped = await executeDaily({ run: "jump", at: END, quiet: true });
    expect(jumped.notes.join("\n")).toContain(`run "jump" grows from 2015-10-02 to ${END}`);
    const whole = calls("whole");
    expect(whole.length).toBe(TICKERS.length * (DAYS.length + 2));
    expect(calls("steps")).toEqual(whole);
    expect(calls("jump")).toEqual(whole);

    // the calls are the last day's, for the next trading day, with what they rest on
    expect(jumped.report.for).toBe("2015-10-13");
    for (const c of jumped.report.calls) {
      const p = whole.find((x) => x.ticker === c.ticker && x.date === END)!;
      expect([c.movement, c.reason, c.references]).toEqual([p.movement, p.reason, p.references]);
    }
    expect(jumped.report.calls.some((c) => c.key_events.length > 0)).toBe(true);
    // the record so far scores every day whose label is known now, the last day's not yet
    expect(jumped.report.scores.find((s) => s.ticker === "ALL")!.predicted).toBe(whole.length);

    // the same day again: nothing runs, the same calls, the same files
    const before = readFileSync(file("jump"), "utf8");
    const json = readFileSync(jumped.json, "utf8");
    const again = await executeDaily({ run: "jump", at: END, quiet: true });
    expect(again.run?.alreadyDone).toBe(true);
    expect(readFileSync(file("jump"), "utf8")).toBe(before);
    expect(readFileSync(again.json, "utf8")).toBe(json);
    expect(readFileSync(jumped.html, "utf8")).toContain("calls for 2015-10-13");

    // Saturday: no close, so the Friday's calls stand, said so
    const weekend = await executeDaily({ run: "steps", at: "2015-10-10", quiet: true });
    expect(weekend.notes.join("\n")).toContain("2015-10-10 is not a trading day in the data");
    expect(weekend.report.date).toBe("2015-10-09");
    expect(weekend.report.for).toBe("2015-10-12");
    // a replay of a day the run is past: the report that day wrote, the run untouched
    expect(weekend.notes.join("\n")).toContain('run "steps" has run through 2015-10-12');
    expect(weekend.report.calls.some((c) => c.key_events.length > 0)).toBe(true);

    // a window can grow, never shrink; another training window is another run
    await expect(start("jump", "2015-10-08")).rejects.toThrow(/can grow, not shrink/);
    await expect(
      executeRun({
        ctx: runContext({ run: "jump", cache: false }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: TICKERS,
        train: { from: "2015-09-15", to: "2015-09-30" },
        test: { from: "2015-10-01", to: END },
        quiet: true,
      }),
    ).rejects.toThrow(/started with other settings/);
    await expect(executeDaily({ run: "never", quiet: true })).rejects.toThrow(/stockmem run --run never/);
  }, 300_000);

  it("an open test window (`run --test FROM:`) runs through the data's last close", async () => {
    const r = await executeRun({
      ctx: runContext({ run: "open", cache: false }),
      dataDir: SAMPLE_DATA_DIR,
      tickers: ["ORCL"],
      train: { from: "2015-11-16", to: "2015-11-30" },
      test: { from: "2015-12-01", to: "" },
      quiet: true,
    });
    const dates = calls("open").map((c) => c.date);
    expect(dates.at(-1)).toBe("2016-01-04"); // the sample's last close
    expect(r.scores.find((s) => s.ticker === "ALL")!.predicted).toBe(dates.length);
    const { parseWindow } = await import("../cli/run-flags.ts");
    expect(parseWindow("2015-12-01:", "test", { openEnd: true })).toEqual({ from: "2015-12-01", to: "" });
    expect(() => parseWindow("2015-12-01:", "train")).toThrow(/FROM:TO/);
  }, 120_000);

  it("on the LLM path with scripted models, day by day and in one jump", async () => {
    const chatModel = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
      new ScriptedChatModel((m) => validAnswer(agent, m));
    const llm = (run: string, to: string) => start(run, to, { chatModel }, "openai:scripted");
    await llm("llm-whole", "2015-10-07");
    await llm("llm-steps", "2015-10-02");
    for (const at of ["2015-10-05", "2015-10-06", "2015-10-07"])
      await executeDaily({ run: "llm-steps", at, quiet: true, chatModel });
    await llm("llm-jump", "2015-10-02");
    const d = await executeDaily({ run: "llm-jump", at: "2015-10-07", quiet: true, chatModel });
    expect(d.run?.usage.calls).toBeGreaterThan(0);
    expect(calls("llm-steps")).toEqual(calls("llm-whole"));
    expect(calls("llm-jump")).toEqual(calls("llm-whole"));
  }, 300_000);

  it("a run killed while it grows resumes, in the next call, to the same predictions", async () => {
    const daily = (extra: Record<string, string> = {}) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [join(PACKAGE_ROOT, "bin/stockmem.mjs"), "daily", "--run", "killed", "--at", END, "--json"],
          {
            env: { ...process.env, CHROMA_URL: env.server().url, STOCKMEM_DATA_DIR: env.state(), ...extra },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (b) => (stdout += b));
        child.stderr!.on("data", (b) => (stderr += b));
        child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
    await start("killed-ref", END);
    // killed right after the grown run's plan (its first checkpoint), then in the middle of its days:
    // the very next call must grow through the last close and make its calls
    for (const point of ["put:2", "put:3", "put:20"]) {
      await executeRun({
        ctx: runContext({ run: "killed", cache: false }),
        dataDir: SAMPLE_DATA_DIR,
        tickers: TICKERS,
        train: TRAIN,
        test: { from: "2015-10-01", to: "2015-10-02" },
        quiet: true,
        fresh: true,
      });
      const x = await daily({ STOCKMEM_FAULT_KILL_AFTER: point });
      expect(x.signal === "SIGKILL" || x.code === 137, `${point}: ${x.stderr}`).toBe(true);
      const next = await daily();
      expect(next.code, next.stderr).toBe(0);
      const report = JSON.parse(next.stdout) as { date: string; calls: unknown[] };
      expect([report.date, report.calls.length], point).toEqual([END, TICKERS.length]);
      expect(calls("killed"), point).toEqual(calls("killed-ref"));
    }
  }, 300_000);

  it("the README's demo on the bundled sample: run two days, daily --at 2015-10-07, then --at 2015-10-16", async () => {
    const train = ["--train", "2015-07-01:2015-09-30"];
    expect((await cli("run", "--run", "demo", ...train, "--test", "2015-10-01:2015-10-02")).code).toBe(0);
    expect((await cli("daily", "--run", "demo", "--at", "2015-10-07")).code).toBe(0);
    const d = await cli("daily", "--run", "demo", "--at", "2015-10-16");
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain('run "demo": calls for 2015-10-19, made at the close of 2015-10-16');
    expect(d.out).toMatch(/\nAAPL {2}(UP|DOWN) {2}/);
    expect((await cli("run", "--run", "whole16", ...train, "--test", "2015-10-01:2015-10-16")).code).toBe(0);
    expect(calls("demo")).toEqual(calls("whole16"));
    expect(calls("demo").length).toBe(4 * 12);
  }, 300_000);
});

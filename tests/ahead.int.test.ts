/**
 * The news run ahead of the day loop (issue 22, item 2): on the LLM path a ticker's next trading days are extracted
 * and merged while the loop is still on today. Proven against the fake OpenAI-compatible endpoint: the predictions of
 * a run without it, byte for byte, in any ticker order, from the very same prompts; work really done ahead; and a run
 * killed while work ahead is in flight, between its answers and its day, or as its day takes it, resumes to the same
 * predictions without asking the endpoint again what it had answered.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { readTrace } from "../src/observability/trace.ts";
import { validAnswer } from "../testkit/answers.ts";
import { type FakeCall, type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { killFrozen, stockmemChild } from "./helpers/child.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

const env = useIsolatedStockmem();
const TICKERS = ["AAPL", "INTC", "MSFT", "ORCL"];
const TRAIN = { from: "2015-09-28", to: "2015-09-30" };
const TEST = { from: "2015-10-01", to: "2015-10-09" };
const CONCURRENCY = 8;
let fake: FakeOpenAI;

/** A run in this process on the fake endpoint, without the response cache (every call reaches the endpoint). */
async function run(name: string, o: { newsAhead: number; tickers?: string[] }) {
  const before = fake.calls.length;
  const out = await executeRun({
    ctx: runContext({ run: name, model: "openai:fake-model", cache: false, newsAhead: o.newsAhead }),
    dataDir: SAMPLE_DATA_DIR,
    tickers: o.tickers ?? TICKERS,
    train: TRAIN,
    test: TEST,
    quiet: true,
  });
  return { out, calls: fake.calls.slice(before), predictions: readFileSync(out.predictionsFile, "utf8") };
}

/** A prompt as the endpoint saw it, to compare the calls of two runs as multisets. */
const prompt = (c: FakeCall) => `${c.agent}\n${c.messages.map((m) => m.content).join("\n")}`;

let reference: Awaited<ReturnType<typeof run>>;
beforeAll(async () => {
  fake = await fakeOpenAI({ delayMs: 5, answer: validAnswer });
  vi.stubEnv("OPENAI_BASE_URL", fake.url);
  vi.stubEnv("OPENAI_API_KEY", "sk-fake");
  reference = await run("alone", { newsAhead: 0 }); // today's loop: a day's news when its day comes
  return () => fake.close();
});

describe("the news run ahead", () => {
  it("gives a run's predictions byte for byte, in any ticker order, from the very same prompts, really ahead", async () => {
    expect(reference.predictions.split("\n").length - 1).toBe(4 * 7);
    for (const tickers of [TICKERS, [...TICKERS].reverse()]) {
      const ahead = await run(`ahead-${tickers[0]}`, { newsAhead: 2, tickers });
      expect(ahead.predictions).toBe(reference.predictions);
      expect(ahead.calls.map(prompt).sort()).toEqual(reference.calls.map(prompt).sort());
      // ahead: some ticker's extraction of a day starts before that ticker's prediction of the day before; never
      // so without it. The trace keeps each ticker-day's ingest steps whichever run did them.
      const early = (traceFile: string) => {
        const recs = readTrace(traceFile);
        const at = (node: string, ticker: string, date: string) =>
          recs.find((r) => r.kind === "llm" && r.node === node && r.ticker === ticker && r.date === date)?.started_at;
        const days = [...new Set(recs.filter((r) => r.node === "predictor").map((r) => r.date!))].sort();
        return TICKERS.flatMap((t) =>
          days.slice(1).flatMap((d, k) => {
            const [extract, predictBefore] = [at("extractor", t, d), at("predictor", t, days[k]!)];
            return extract && predictBefore && extract < predictBefore ? [`${t} ${d}`] : [];
          }),
        );
      };
      expect(early(ahead.out.traceFile).length).toBeGreaterThan(0);
      expect(early(reference.out.traceFile)).toEqual([]);
      const steps = readTrace(ahead.out.traceFile).filter(
        (r) => r.kind === "node" && r.graph === "ingest" && r.ticker === "MSFT" && r.date === "2015-10-07",
      );
      expect(new Set(steps.map((r) => r.node))).toEqual(new Set(["load", "extract", "merge", "track"]));
    }
  });

  /** `stockmem run` in a child process on the fake endpoint, with its own state dir (its own response cache). */
  const cli = (name: string, state: string) =>
    stockmemChild(
      ["run", "--run", name, "--tickers", TICKERS.join(","), "--train", `${TRAIN.from}:${TRAIN.to}`].concat([
        "--test",
        `${TEST.from}:${TEST.to}`,
        "--model",
        "openai:fake-model",
      ]),
      { CHROMA_URL: env.server().url, STOCKMEM_DATA_DIR: state, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-fake" },
    );

  const day = (d: string) => (c: FakeCall) => c.messages.some((m) => m.content.includes(d));
  it.each([
    // the first extraction of 2015-10-05, asked while the loop is on 2015-10-01 or 10-02
    ["while work ahead is in flight", (c: FakeCall) => c.agent === "extractor" && day("Trading day: 2015-10-05")(c)],
    // 10-05's merges: its extractions answered (and cached), the loop still days before it
    [
      "between the answers ahead and their day",
      (c: FakeCall) => c.agent === "merger" && day("Trading day: 2015-10-05")(c),
    ],
    // 10-05's tracking: the day took its news from the work ahead
    ["as the day takes its news", (c: FakeCall) => c.agent === "tracker-batch" && day("Today: 2015-10-05.")(c)],
  ])("a run killed %s resumes to the same predictions, asking nothing it was answered", async (_, when) => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-ahead-"));
    const name = `killed-${fake.calls.length}`;
    const start = fake.calls.length;
    const frozen = fake.holdWhen(when);
    await killFrozen(cli(name, state), frozen, () => fake.release());
    // the calls answered before the first held one (it and every call after it were never answered)
    const answered = fake.calls.findIndex((c, i) => i >= start && when(c)) - start;
    const resumedFrom = fake.calls.length;
    const second = cli(name, state);
    const { stderr } = await second.exit;
    expect(stderr, stderr).toMatch(/resuming run/);
    expect(readFileSync(join(state, "runs", name, "predictions.jsonl"), "utf8")).toBe(reference.predictions);
    // every call the run needs was asked once: at most the calls in flight at the kill were asked again
    const asked = answered + (fake.calls.length - resumedFrom);
    expect(asked).toBeGreaterThanOrEqual(reference.calls.length);
    expect(asked).toBeLessThanOrEqual(reference.calls.length + CONCURRENCY);
  });
});

/**
 * The LLM path over real HTTP (ChatOpenAI against a fake OpenAI-compatible server on 127.0.0.1):
 * one limiter bounds the calls in flight across tickers, batches, merger groups and tracker calls;
 * a call budget is exact under concurrency (a call reserves before it is sent); answers without
 * `usage` are counted by an estimate, and the run says so.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { executeRun } from "../app/run.ts";
import { usageLines } from "../cli/lines.ts";
import { runContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { BudgetExceededError } from "../src/models/usage.ts";
import { validAnswer } from "../testkit/answers.ts";
import { type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

useIsolatedStockmem();
let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await fakeOpenAI({ delayMs: 150, answer: validAnswer });
  vi.stubEnv("OPENAI_BASE_URL", fake.url);
  vi.stubEnv("OPENAI_API_KEY", "sk-fake-key-for-tests");
});
afterAll(() => fake.close());

const window = {
  tickers: ["MSFT", "INTC", "AAPL"],
  train: { from: "2015-10-05", to: "2015-10-06" },
  test: { from: "2015-10-07", to: "2015-10-07" },
};

describe("bounded concurrency on the LLM path", () => {
  it("keeps at most maxConcurrency calls in flight, and really runs them side by side", async () => {
    const before = fake.calls.length;
    const res = await executeRun({
      ctx: runContext({ run: "conc", model: "openai:fake-model", cache: false, maxConcurrency: 3 }),
      dataDir: SAMPLE_DATA_DIR,
      ...window,
      quiet: true,
    });
    const calls = fake.calls.length - before;
    expect(res.usage.calls).toBe(calls);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    expect(res.usage.maxInFlight).toBeLessThanOrEqual(3);
    expect(fake.maxInFlight).toBeGreaterThanOrEqual(2); // three tickers' extractor batches are sent together
    expect(new Set(fake.calls.slice(before).map((c) => c.agent))).toEqual(
      new Set(["extractor", "merger", "tracker-batch", "reflector", "retriever-judge", "predictor"]),
    );
    expect(res.usage.estimatedTokens).toBeGreaterThan(0); // the fake answers carry no usage
    expect(usageLines(res.usage)).toMatch(/estimated: some answers carried no usage/);
  });

  it("makes exactly --budget-calls calls, however many are ready to go", async () => {
    const before = fake.calls.length;
    const err = await executeRun({
      ctx: runContext({ run: "budget", model: "openai:fake-model", cache: false, maxConcurrency: 8, budgetCalls: 2 }),
      dataDir: SAMPLE_DATA_DIR,
      ...window,
      quiet: true,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.message).toMatch(/2 model calls of 2 allowed/);
    expect(fake.calls.length - before).toBe(2);
  });
});

/**
 * `--dry-run`: the estimate of a run's model calls and tokens, against the same run on the LLM path
 * with a scripted model (every call counted by the real usage meter), and the CLI's table.
 */
import { describe, expect, it, vi } from "vitest";
import { costOf, estimateRun } from "../app/dry-run.ts";
import { executeRun } from "../app/run.ts";
import { estimateLines } from "../cli/lines.ts";
import { pricesOf } from "../cli/run-flags.ts";
import { RunContext } from "../src/config/context.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import type { AgentName } from "../src/domain/agents.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { validAnswer } from "../testkit/answers.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { localServer } from "./helpers/http-server.ts";

const WINDOWS = {
  tickers: ["MSFT", "ORCL"],
  train: { from: "2015-09-21", to: "2015-09-30" },
  test: { from: "2015-10-01", to: "2015-10-09" },
};
const within = (estimate: number, actual: number, tolerance: number) =>
  Math.abs(estimate - actual) / actual <= tolerance;

describe("dry run", () => {
  useIsolatedStockmem();

  it("estimates the tokens and cost of a scripted-model run within 25 %, the data-bound calls exactly, sending nothing", async () => {
    const ctx = RunContext.parse({ run: "dry-a", model: "openai:gpt-4o-mini", cache: false });
    // an endpoint that would see any request the dry run sent (there must be none)
    const endpoint = await localServer(() => ({ status: 500, json: {} }));
    vi.stubEnv("OPENAI_BASE_URL", `${endpoint.url}/v1`);
    vi.stubEnv("OPENAI_API_KEY", "sk-test-not-a-real-key");
    const est = await estimateRun({ ctx, dataDir: SAMPLE_DATA_DIR, ...WINDOWS });
    await endpoint.close();
    expect(endpoint.requests).toHaveLength(0);
    expect(est.total.calls).toBeGreaterThan(0);

    let sent = 0;
    const real = await executeRun({
      ctx: { ...ctx, run: "dry-b" },
      dataDir: SAMPLE_DATA_DIR,
      ...WINDOWS,
      quiet: true,
      chatModel: (_spec, agent: AgentName) =>
        new ScriptedChatModel((m) => {
          sent++;
          return validAnswer(agent, m);
        }),
    });
    const tally = (f: (t: { inputTokens: number; outputTokens: number }) => number) =>
      [...real.usage.byAgent.values()].reduce((n, t) => n + f(t), 0);
    const actual = {
      calls: real.usage.calls,
      input: tally((t) => t.inputTokens),
      output: tally((t) => t.outputTokens),
    };
    const lines = [...est.byAgent].map(
      ([a, e]) =>
        `${a}: ${e.calls} calls/${e.inputTokens} in vs ${real.usage.byAgent.get(a)?.calls ?? 0}/${real.usage.byAgent.get(a)?.inputTokens ?? 0}`,
    );
    console.log(
      `dry run vs scripted: ${est.total.calls} calls / ${est.total.inputTokens} input tokens vs ${actual.calls} / ${actual.input}\n${lines.join("\n")}`,
    );
    expect(sent).toBe(real.usage.calls);
    // what the user pays: tokens and cost at a model's prices, within 25 %
    const prices = { input: 0.15, output: 0.6 };
    expect(within(est.total.inputTokens, actual.input, 0.25)).toBe(true);
    expect(
      within(
        costOf(est.total, prices),
        costOf({ calls: actual.calls, inputTokens: actual.input, outputTokens: actual.output }, prices),
        0.25,
      ),
    ).toBe(true);
    // the calls that follow from the data alone (batches of items, labelled days, test days) are exact, and
    // the extractor's prompts are the very prompts the run sends; the merger and tracker calls follow the
    // answers (how many events, how many duplicates), so they are an estimate
    for (const agent of ["extractor", "reflector", "retriever-judge", "predictor"] as const)
      expect(est.byAgent.get(agent)?.calls).toBe(real.usage.byAgent.get(agent)?.calls);
    expect(est.byAgent.get("extractor")?.inputTokens).toBe(real.usage.byAgent.get("extractor")?.inputTokens);
  });

  it("prints per-agent rows and a total, and prices them per 1M tokens", () => {
    const a = { calls: 10, inputTokens: 2_000_000, outputTokens: 500_000 };
    const text = estimateLines(
      { byAgent: new Map([["extractor", a]]), total: a, tickerDays: 5 },
      pricesOf({ "price-in": "0.15", "price-out": "0.6" }),
    );
    expect(text).toMatch(/nothing was sent/);
    expect(text).toMatch(/per ticker-day: 2\.0 calls, 500000 tokens over 5 ticker-days/);
    expect(text).toMatch(/^total\s+10\s+2000000\s+500000\s+0\.60$/m); // 2M x 0.15 + 0.5M x 0.6 = 0.30 + 0.30
    expect(() => pricesOf({ "price-in": "cheap" })).toThrow(/--price-in expects a price per 1M tokens/);
    expect(
      estimateLines({ byAgent: new Map(), total: { calls: 0, inputTokens: 0, outputTokens: 0 }, tickerDays: 0 }),
    ).toMatch(/no model calls/);
  });
});

/** `eval ab`: A and B on one dataset, compared with a paired interval, and the warning when B cannot differ. */

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { unaffectedBy } from "../evals/ab.ts";
import { buildDataset, saveDataset } from "../evals/dataset.ts";
import { pairedBootstrap } from "../evals/metrics.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { validAnswer } from "../testkit/answers.ts";
import { type FakeOpenAI, fakeOpenAI } from "../testkit/fake-openai.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";

useIsolatedStockmem();
let fake: FakeOpenAI;
beforeAll(async () => {
  // the predictor behind a fake endpoint always says "down": B must flip every "up" of A
  fake = await fakeOpenAI({
    delayMs: 0,
    answer: (agent, m) =>
      agent === "predictor"
        ? JSON.stringify({ reason: "always down", movement: "down", cited: [] })
        : validAnswer(agent, m),
  });
  vi.stubEnv("OPENAI_BASE_URL", fake.url);
  vi.stubEnv("OPENAI_API_KEY", "sk-fake-key-for-tests");
  const data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT", "ORCL"] });
  saveDataset(
    await buildDataset({
      name: "ab",
      data,
      tickers: ["MSFT", "ORCL"],
      train: { from: "2015-09-21", to: "2015-09-30" },
      test: { from: "2015-10-01", to: "2015-10-16" },
      labelThreshold: 0.01,
    }),
  );
});
afterAll(() => fake.close());

describe("eval ab", () => {
  it("the paired interval is on the difference: zero when A and B agree, one-sided when B is always worse", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      actual: (i % 2 ? "up" : "down") as "up" | "down",
      a: (i % 2 ? "up" : "down") as "up" | "down",
    }));
    expect(pairedBootstrap(rows.map((r) => ({ ...r, b: r.a })))).toEqual({
      acc: { low: 0, high: 0 },
      mcc: { low: 0, high: 0 },
    });
    const worse = pairedBootstrap(rows.map((r, i) => ({ ...r, b: i % 4 === 1 ? "down" : r.a })));
    expect(worse.acc.high).toBeLessThan(0);
  });

  it("warns that the offline analyst reads no prompt, and the comparison shows +0.000 and no flip", async () => {
    expect(unaffectedBy({}, { prompts: { predictor: "1.2.1" } })).toMatch(
      /predictor runs on the offline analyst, which reads no prompt/,
    );
    expect(unaffectedBy({ model: "openai:x" }, { prompts: { predictor: "1.2.1" } })).toBeUndefined();
    expect(unaffectedBy({}, { models: { predictor: "openai:x" } })).toBeUndefined();
    const r = await cli("eval", "ab", "--dataset", "ab", "--prompt-version", "predictor=1.2.1");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: predictor runs on the offline analyst/);
    // said once, before the runs (where Ctrl-C can still save the wait), not again after them (issue 21, item 12)
    expect(`${r.out}${r.err}`.match(/reads no prompt/g)).toHaveLength(1);
    expect(r.out).toMatch(/^ACC\s+\S+\s+\[[^\]]+\]\s+\S+\s+\[[^\]]+\]\s+\+0\.000\s+\[0\.000, 0\.000\]$/m);
    expect(r.out).toMatch(/right -> wrong: 0\n[\s\S]*wrong -> right: 0/);
    expect(r.out).toMatch(/^A: ab__offline__[^\n]*p1\.3\.0[^\n]*\nB: ab__offline__[^\n]*p1\.2\.1/m);
    expect(r.out).toMatch(/^runs: A ev-\d{14}-\w+, B ev-\d{14}-\w+/m);
  });

  it("a model change for B flips the predictions it changes, each listed with both reasons", async () => {
    const r = await cli("eval", "ab", "--dataset", "ab", "--agent-model", "predictor=openai:fake-model");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const a = /right -> wrong: (\d+)/.exec(r.out)!;
    expect(Number(a[1])).toBeGreaterThan(0);
    expect(r.out).toMatch(
      /A said up, B says down\n {4}A: Offline analyst \(baseline, not an LLM\)[^\n]*\n {4}B: always down/,
    );
    expect(r.out).not.toMatch(/A said down, B says up/);
    expect(fake.calls.every((c) => c.agent === "predictor")).toBe(true); // only B's predictor went to the model
  });

  it("refuses an A/B without a change, or with an unknown agent", async () => {
    expect((await cli("eval", "ab", "--dataset", "ab")).err).toMatch(/needs a change for B/);
    const bad = await cli("eval", "ab", "--dataset", "ab", "--prompt-version", "predicter=1.2.1");
    expect([bad.code, bad.err]).toEqual([
      2,
      expect.stringMatching(
        /--prompt-version expects AGENT=VERSION \(e.g. predictor=1.2.1\) with AGENT one of extractor, merger/,
      ),
    ]);
  });
});

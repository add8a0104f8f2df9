/** The response cache makes a re-run free (zero model calls), and the budget stops a run cleanly. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rootError } from "../cli/errors.ts";
import { graph as ingestGraph } from "../graphs/ingest.ts";
import { graph as predictGraph } from "../graphs/predict.ts";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData, type MarketData } from "../src/data/load.ts";
import { ResponseCache, stableStringify } from "../src/models/cache.ts";
import { ScriptedChatModel } from "../src/models/scripted.ts";
import { BudgetExceededError, Usage } from "../src/models/usage.ts";
import { withResources } from "../src/runtime/resources.ts";
import { validAnswer } from "../testkit/answers.ts";
import { tempChroma } from "./helpers/chroma.ts";
import { prepare, resources } from "./helpers/pipeline.ts";

let server: Awaited<ReturnType<typeof tempChroma>>;
let data: MarketData;
beforeAll(async () => {
  server = await tempChroma();
  data = await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["MSFT"] });
  await prepare(await resources(server.url, data, { run: "cache" }), "MSFT", "2015-09-28", "2015-10-06");
});
afterAll(async () => {
  await server.stop();
});

/** One LLM-path ticker-day (ingest + predict) with a fresh usage counter; returns it and the outputs. */
async function llmDay(cache: ResponseCache | undefined, ctx: Record<string, unknown> = {}) {
  let calls = 0;
  const factory = (_: string, agent: Parameters<typeof validAnswer>[0]) =>
    new ScriptedChatModel((m) => {
      calls++;
      return validAnswer(agent, m);
    });
  const usage = new Usage({ maxCalls: ctx.budgetCalls as number | undefined });
  const r = await resources(server.url, data, { run: "cache", model: "openai:scripted", ...ctx }, factory, {
    usage,
    cache,
  });
  await ingestGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, withResources(r));
  const out = await predictGraph.invoke({ ticker: "MSFT", date: "2015-10-07" }, withResources(r));
  const events = await r.store.getEvents({ asOf: "2015-10-08", ticker: "MSFT", from: "2015-10-07", to: "2015-10-07" });
  return { calls, usage, prediction: out.prediction, events };
}

describe("response cache", () => {
  it("serves a second identical run entirely from the cache: zero model calls, same results", async () => {
    const cache = new ResponseCache(mkdtempSync(join(tmpdir(), "stockmem-cache-")));
    const first = await llmDay(cache);
    expect(first.calls).toBeGreaterThan(3);
    expect(first.usage.calls).toBe(first.calls);
    // identical agent inputs within one day (repeated stories) are already answered from the cache
    const invocations = first.usage.calls + first.usage.cacheHits;
    const second = await llmDay(cache);
    expect(second.calls).toBe(0);
    expect(second.usage.calls).toBe(0);
    expect(second.usage.cacheHits).toBe(invocations);
    expect(second.usage.byTickerDay.get("MSFT 2015-10-07")!.cacheHits).toBe(invocations);
    expect(second.prediction).toEqual(first.prediction);
    expect(second.events).toEqual(first.events);
  });

  it("is bypassed without a cache (--no-cache) and keyed by prompt version", async () => {
    const cache = new ResponseCache(mkdtempSync(join(tmpdir(), "stockmem-cache-")));
    const first = await llmDay(cache);
    const uncached = await llmDay(undefined);
    expect(uncached.calls).toBe(first.usage.calls + first.usage.cacheHits); // every invocation asks the model
    const other = await llmDay(cache, { prompts: { predictor: "1.0.1" } });
    expect(other.calls).toBe(1); // only the predictor, whose prompt version changed, asks the model again
    expect(other.usage.byAgent.get("predictor")!.calls).toBe(1);
  });

  it("keys equal inputs equally, whatever the key order", () => {
    expect(stableStringify({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(stableStringify({ a: [{ x: 1, y: 2 }], b: 1 }));
  });
});

describe("budget", () => {
  it("stops before the call that would exceed it, with a clear error", async () => {
    const err = rootError(await llmDay(undefined, { budgetCalls: 3 }).catch((e) => e)) as Error; // parallel extraction tasks fail together
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.message).toMatch(/budget exceeded: 3 model calls of 3 allowed.*re-run with the same --run to resume/);
  });
});

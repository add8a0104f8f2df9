/**
 * Pipeline benchmarks:
 *   1. the offline run's throughput (ticker-days per second, real Chroma, SQLite checkpoints);
 *   2. the LLM path as a user meets it: the run graph over real HTTP against a fake OpenAI-compatible
 *      server on 127.0.0.1 answering every agent validly after a fixed delay (300 ms), 8 tickers
 *      (4 on a fresh clone) x 10 test days after 5 training days. Wall time, model calls, calls per
 *      ticker-day, the most calls in flight, and the bound wall <= 1.5 x calls x delay / concurrency.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { startChroma } from "../src/memory/chroma-server.ts";
import { executeRun } from "../src/pipeline/run.ts";
import { validAnswer } from "../tests/helpers/answers.ts";
import { fakeOpenAI } from "../tests/helpers/fake-openai.ts";
import { fmt } from "./stats.ts";

const SHARED = join(PACKAGE_ROOT, "../shared/data/stocknet-acl18-tech");

export async function benchPipeline(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "stockmem-bench-run-"));
  const server = await startChroma({ path: join(dir, "chroma") });
  const saved = { ...process.env };
  process.env.CHROMA_URL = server.url;
  process.env.STOCKMEM_DATA_DIR = dir;
  try {
    // 1. offline run throughput: all sample tickers, train 2015-09, test 2015-10
    const t0 = performance.now();
    const res = await executeRun({ ctx: runContext({ run: "bench" }), dataDir: SAMPLE_DATA_DIR, train: { from: "2015-09-01", to: "2015-09-30" }, test: { from: "2015-10-01", to: "2015-10-30" }, quiet: true });
    const s = (performance.now() - t0) / 1000;
    const tickerDays = 4 * (21 + 22);
    lines.push(`pipeline offline run: ${tickerDays} ticker-days (4 tickers, 2015-09..10) in ${fmt(s)} s = ${fmt(tickerDays / s, 1)} ticker-days/s; ${res.scores.at(-1)!.predicted} predictions`);

    // 2. the LLM path over HTTP, 300 ms per call
    const dataDir = existsSync(join(SHARED, "news.jsonl")) ? SHARED : SAMPLE_DATA_DIR;
    const data = await loadMarketData(dataDir);
    const tickers = data.tickers.slice(0, 8);
    const delayMs = 300;
    for (const concurrency of [8, 16]) {
      const fake = await fakeOpenAI({ delayMs, answer: validAnswer });
      process.env.OPENAI_BASE_URL = fake.url;
      process.env.OPENAI_API_KEY = "fake";
      try {
        const ctx = runContext({ run: `bench-llm-${concurrency}`, model: "openai:fake-model", cache: false, maxConcurrency: concurrency });
        const t1 = performance.now();
        const out = await executeRun({ ctx, dataDir, data, tickers, train: { from: "2015-09-24", to: "2015-09-30" }, test: { from: "2015-10-01", to: "2015-10-14" }, quiet: true });
        const wall = (performance.now() - t1) / 1000;
        const calls = fake.calls.length;
        const days = out.usage.byTickerDay.size;
        const bound = (calls * delayMs) / 1000 / concurrency;
        const byAgent = [...out.usage.byAgent].filter(([, t]) => t.calls).map(([a, t]) => `${a} ${t.calls}`).join(", ");
        lines.push(
          `pipeline LLM path (${tickers.length} tickers x 10 test days after 5 train days, ${delayMs} ms per call, concurrency ${concurrency}): ` +
            `wall ${fmt(wall)} s, ${calls} calls (${fmt(calls / Math.max(1, days))} per ticker-day over ${days}), at most ${fake.maxInFlight} in flight; ` +
            `bound 1.5 x calls x ${delayMs} ms / ${concurrency} = ${fmt(1.5 * bound)} s -> ${wall <= 1.5 * bound ? "within" : "OVER"} (x${fmt(wall / bound, 2)} of the ideal); ${byAgent}`,
        );
      } finally {
        await fake.close();
      }
    }
  } finally {
    for (const k of ["CHROMA_URL", "STOCKMEM_DATA_DIR", "OPENAI_BASE_URL", "OPENAI_API_KEY"]) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

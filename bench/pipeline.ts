/**
 * Pipeline benchmarks:
 *   1. the offline run's throughput (ticker-days per second, real Chroma, SQLite checkpoints);
 *   2. the LLM path as a user meets it: the run graph over real HTTP against a fake OpenAI-compatible
 *      server on 127.0.0.1 answering every agent validly after a fixed delay (300 ms), 8 tickers
 *      (4 on a fresh clone) x 10 test days after 5 training days. Wall time, model calls, calls per
 *      ticker-day, the most calls in flight, and the wall against the larger of two bounds: throughput (calls x
 *      delay / concurrency) and the days' critical path (the calls that must follow one another x delay).
 */

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { executeRun } from "../app/run.ts";
import { RunContext, runContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { dayContext } from "../src/data/day-context.ts";
import { startChroma } from "../src/memory/chroma-server.ts";
import type { Usage } from "../src/models/usage.ts";
import { bytesOf } from "../src/runtime/gc.ts";
import { readMarket } from "../src/runtime/market.ts";
import { validAnswer } from "../testkit/answers.ts";
import { noDetails } from "../testkit/events.ts";
import { fakeOpenAI } from "../testkit/fake-openai.ts";
import { writeUniverse } from "../testkit/universe.ts";
import { fmt } from "./stats.ts";

const SHARED = join(PACKAGE_ROOT, "../shared/data/stocknet-acl18-tech");

/** Counts the HTTP requests sent to a URL prefix while `fn` runs (the Chroma client uses fetch). */
async function countRequests<T>(prefix: string, fn: () => Promise<T>): Promise<{ out: T; requests: number }> {
  const real = globalThis.fetch;
  let requests = 0;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(prefix)) requests++;
    return real(input, init);
  }) as typeof fetch;
  try {
    return { out: await fn(), requests };
  } finally {
    globalThis.fetch = real;
  }
}

/**
 * An offline run timed per quarter from its progress events: ticker-days/s overall and per quarter, Chroma requests and
 * trace bytes per ticker-day.
 */
async function offlineRates(
  label: string,
  o: {
    run: string;
    dataDir: string;
    tickers?: string[];
    train: { from: string; to: string };
    test: { from: string; to: string };
    chroma: string;
    stateDir: string;
  },
): Promise<string> {
  const commits: { at: number; done: number; date: string }[] = [];
  const t0 = performance.now();
  const { out, requests } = await countRequests(o.chroma, () =>
    executeRun({
      ctx: runContext({ run: o.run }),
      dataDir: o.dataDir,
      tickers: o.tickers,
      train: o.train,
      test: o.test,
      quiet: true,
      onProgress: (e) =>
        e.phase === "commit" && e.date && commits.push({ at: performance.now(), done: e.done, date: e.date }),
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const total = commits.at(-1)?.done ?? 0;
  const quarters = new Map<string, { td: number; ms: number }>();
  let prev = { at: t0, done: 0 };
  for (const c of commits) {
    const q = `${c.date.slice(0, 4)}Q${Math.floor((Number(c.date.slice(5, 7)) - 1) / 3) + 1}`;
    const x = quarters.get(q) ?? { td: 0, ms: 0 };
    x.td += c.done - prev.done;
    x.ms += c.at - prev.at;
    quarters.set(q, x);
    prev = c;
  }
  const rates = [...quarters].map(([q, x]) => `${q} ${fmt(x.td / (x.ms / 1000), 1)}`);
  const first = [...quarters.values()][0]!;
  const last = [...quarters.values()].at(-1)!;
  const ratio = last.td / last.ms / (first.td / first.ms);
  const trace = statSync(out.traceFile).size;
  return `pipeline offline ${label}: ${total} ticker-days in ${fmt(s)} s = ${fmt(total / s, 1)} ticker-days/s; per quarter ${rates.join(", ")} (last/first ${fmt(100 * ratio, 0)} %); Chroma requests ${fmt(requests / total, 2)} per ticker-day; trace ${fmt(trace / total / 1024, 1)} KiB per ticker-day`;
}

/**
 * The fake endpoint's answers for the bench: valid for every agent, and, like a real extractor on
 * real news, one event per news item described by the item's own text (so distinct stories stay
 * distinct events and near-duplicates merge, as they would).
 */
function benchAnswer(agent: Parameters<typeof validAnswer>[0], messages: Parameters<typeof validAnswer>[1]): string {
  if (agent !== "extractor") return validAnswer(agent, messages);
  const user = String(messages[1]!.content);
  const items = [...user.matchAll(/<news id="([^"]+)"[^>]*>\n([\s\S]*?)\n<\/news>/g)];
  return JSON.stringify({
    events: items.map(([, id, text]) => ({
      group: "Stock Market Performance",
      type: "Individual Stock Performance",
      ...noDetails(),
      description: text!.slice(0, 200),
      source_ids: [id],
    })),
  });
}

/**
 * What the process holds, garbage aside: the heap and its buffers after a full collection (peak RSS follows when the
 * collector runs more than what is live).
 */
function liveHeap(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * The critical-path bound of a run on the LLM path: the model calls of its days that must follow one another, x the
 * latency. A day waits for [reflect | track] -> judge -> predict (a training day for [reflect | track]); the news of the
 * first day (extract -> merge) has nothing to run ahead of, and without the news ahead (`newsAhead` 0) no day's has.
 */
function criticalPathSeconds(
  usage: Usage,
  testFrom: string,
  o: { latencyMs: number; trackerRounds: number; ahead: boolean },
): number {
  // the run's trading days: those a call was made for (usage is kept per "TICKER DATE")
  const dates = [...new Set([...usage.byTickerDay.keys()].map((k) => k.split(" ")[1]!))].sort();
  const rounds = dates.reduce(
    (n, d, i) => n + (i === 0 || !o.ahead ? 2 : 0) + o.trackerRounds + (d >= testFrom ? 2 : 0),
    0,
  );
  return (rounds * o.latencyMs) / 1000;
}

/** wall against the larger of the two bounds, as the bench lines say it */
const againstBounds = (wall: number, throughput: number, critical: number) =>
  `throughput bound (calls x latency / concurrency) ${fmt(throughput)} s, critical-path bound ${fmt(critical)} s: wall x${fmt(wall / Math.max(throughput, critical), 2)} of the larger`;

/** Runs the pipeline benchmarks, handing each figure line to `print` as soon as it is measured. */
export async function benchPipeline(
  parts: { offline?: boolean; llm?: boolean; rate?: boolean; universe?: boolean; universeLlm?: boolean },
  print: (line: string) => void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stockmem-bench-run-"));
  const server = await startChroma({ path: join(dir, "chroma") });
  const saved = { ...process.env };
  process.env.CHROMA_URL = server.url;
  process.env.STOCKMEM_DATA_DIR = dir;
  try {
    // 1. offline runs: 4 sample tickers over 6 months; 8 tickers of ../shared over 6 and 24 months
    if (parts.offline)
      print(
        await offlineRates("4 tickers x 6 months (sample, npm start's windows)", {
          run: "bench-4x6",
          dataDir: SAMPLE_DATA_DIR,
          train: { from: "2015-07-01", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-12-31" },
          chroma: server.url,
          stateDir: dir,
        }),
      );
    if (parts.offline && existsSync(join(SHARED, "news.jsonl"))) {
      print(
        await offlineRates("8 tickers x 6 months (../shared)", {
          run: "bench-8x6",
          dataDir: SHARED,
          train: { from: "2015-07-01", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-12-31" },
          chroma: server.url,
          stateDir: dir,
        }),
      );
      print(
        await offlineRates("8 tickers x 24 months (../shared)", {
          run: "bench-8x24",
          dataDir: SHARED,
          train: { from: "2014-01-01", to: "2015-06-30" },
          test: { from: "2015-07-01", to: "2015-12-31" },
          chroma: server.url,
          stateDir: dir,
        }),
      );
    } else if (parts.offline) print("pipeline offline 8 tickers: ../shared is absent, skipped");

    // 2. the LLM path over HTTP, 300 ms per call
    const dataDir = existsSync(join(SHARED, "news.jsonl")) ? SHARED : SAMPLE_DATA_DIR;
    const data = await readMarket({ dataDir });
    const tickers = data.tickers.slice(0, 8);
    const delayMs = 300;
    // the paper's two tracker calls per event, one call per event, then the default batch per ticker-day, at
    // concurrency 8; then 16
    const lines = process.env.STOCKMEM_BENCH_LLM ?? "paper:8,single:8,batch:8,batch:16";
    const settings = parts.llm
      ? lines.split(",").map((x) => {
          const [mode, n] = x.split(":");
          return [RunContext.shape.trackerMode.parse(mode), Number(n)] as const;
        })
      : [];
    for (const [trackerMode, concurrency] of settings) {
      const fake = await fakeOpenAI({ delayMs, answer: benchAnswer });
      process.env.OPENAI_BASE_URL = fake.url;
      process.env.OPENAI_API_KEY = "fake";
      try {
        const ctx = runContext({
          run: `bench-llm-${trackerMode}-${concurrency}`,
          model: "openai:fake-model",
          cache: false,
          maxConcurrency: concurrency,
          trackerMode,
        });
        const t1 = performance.now();
        const out = await executeRun({
          ctx,
          dataDir,
          data,
          tickers,
          train: { from: "2015-09-24", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-10-14" },
          quiet: true,
        });
        const wall = (performance.now() - t1) / 1000;
        const calls = fake.calls.length;
        const days = out.usage.byTickerDay.size;
        const bound = (calls * delayMs) / 1000 / concurrency;
        const critical = criticalPathSeconds(out.usage, "2015-10-01", {
          latencyMs: delayMs,
          trackerRounds: trackerMode === "paper" ? 2 : 1,
          ahead: ctx.newsAhead > 0,
        });
        const byAgent = [...out.usage.byAgent]
          .filter(([, t]) => t.calls)
          .map(([a, t]) => `${a} ${t.calls}`)
          .join(", ");
        const perDay = [...out.usage.byTickerDay].map(([key, t]) => ({
          key,
          calls: t.calls,
          items: dayContext(data, key.split(" ")[0]!, key.split(" ")[1]!).items.length,
        }));
        const heavy = perDay.reduce((x, y) => (y.items > x.items ? y : x));
        const quiet = perDay.filter((x) => x.items > 0).reduce((x, y) => (y.items < x.items ? y : x));
        print(
          `pipeline LLM path (${tickers.length} tickers x 10 test days after 5 train days, ${delayMs} ms per call, tracker ${trackerMode}, concurrency ${concurrency}): ` +
            `wall ${fmt(wall)} s, ${calls} calls (${fmt(calls / Math.max(1, days))} per ticker-day over ${days}), at most ${fake.maxInFlight} in flight; ` +
            `${againstBounds(wall, bound, critical)}; ${byAgent}; ` +
            `news-heavy ticker-day ${heavy.key} (${heavy.items} items): ${heavy.calls} calls, quiet ${quiet.key} (${quiet.items} items): ${quiet.calls} calls`,
        );
      } finally {
        await fake.close();
      }
    }
    // 3. a wide synthetic universe (testkit/universe.ts), offline: ticker-days/s, and the process's peak RSS at half
    // and at the end of the window (memory must follow w, not the run's length), the Chroma store's size
    if (parts.universe) {
      const [n, days] = (process.env.STOCKMEM_BENCH_UNIVERSE ?? "500x40").split("x").map(Number) as [number, number];
      const layered = process.env.STOCKMEM_BENCH_LAYERED === "1"; // SEP-Memory's layered memory on
      const udir = join(dir, "universe");
      const u = await writeUniverse(udir, { tickers: n, days, seed: 1 });
      const [trainTo, testFrom] = [u.dates[5]!, u.dates[6]!];
      let peak = 0;
      const rss: Record<number, number> = {};
      const live: Record<number, number> = {};
      const t0 = performance.now();
      await executeRun({
        ctx: runContext({ run: "bench-universe", layered }),
        dataDir: udir,
        train: { from: u.dates[1]!, to: trainTo },
        test: { from: testFrom, to: u.dates.at(-1)! },
        quiet: true,
        onProgress: (e) => {
          peak = Math.max(peak, process.memoryUsage().rss);
          if (e.phase === "commit" && (e.day === Math.floor(days / 2) || e.day === days)) {
            rss[e.day] = peak;
            live[e.day] = liveHeap();
          }
        },
      });
      const wall = (performance.now() - t0) / 1000;
      const td = n * days;
      print(
        `pipeline offline synthetic universe ${n} tickers x ${days} days (${u.items} items${layered ? ", layered memory on" : ""}): ${td} ticker-days in ${fmt(wall)} s = ${fmt(td / wall, 1)} ticker-days/s; ` +
          `peak RSS ${Object.entries(rss)
            .map(([d, b]) => `${fmt(b / 2 ** 20, 0)} MiB at day ${d}`)
            .join(", ")}; live heap after a full GC ${Object.entries(live)
            .map(([d, b]) => `${fmt(b / 2 ** 20, 0)} MiB at day ${d}`)
            .join(", ")}; Chroma ${fmt(bytesOf(join(dir, "chroma")) / 2 ** 20, 0)} MiB`,
      );
    }

    // 3b. the same universe's width on the LLM path, a few days, against the fake endpoint: calls, wall against the
    // throughput bound and the days' critical path, the most in flight, peak RSS
    if (parts.universeLlm) {
      const [n, days] = (process.env.STOCKMEM_BENCH_UNIVERSE_LLM ?? "500x5").split("x").map(Number) as [number, number];
      const udir = join(dir, "universe-llm");
      const u = await writeUniverse(udir, { tickers: n, days: days + 2, seed: 2 });
      const delay = 300;
      const concurrency = 16;
      const fake = await fakeOpenAI({ delayMs: delay, answer: benchAnswer });
      process.env.OPENAI_BASE_URL = fake.url;
      process.env.OPENAI_API_KEY = "fake";
      try {
        let peak = 0;
        const t0 = performance.now();
        const run = await executeRun({
          ctx: runContext({
            run: "bench-universe-llm",
            model: "openai:fake-model",
            cache: false,
            maxConcurrency: concurrency,
          }),
          dataDir: udir,
          train: { from: u.dates[1]!, to: u.dates[2]! },
          test: { from: u.dates[3]!, to: u.dates.at(-1)! },
          quiet: true,
          onProgress: () => {
            peak = Math.max(peak, process.memoryUsage().rss);
          },
        });
        const wall = (performance.now() - t0) / 1000;
        const calls = fake.calls.length;
        const throughput = (calls * delay) / 1000 / concurrency;
        const critical = criticalPathSeconds(run.usage, u.dates[3]!, {
          latencyMs: delay,
          trackerRounds: 1,
          ahead: true,
        });
        print(
          `pipeline LLM path, synthetic universe ${n} tickers x ${days + 2} days (2 train), ${delay} ms per call, concurrency ${concurrency}: ` +
            `${calls} calls (${fmt(calls / (n * (days + 2)), 1)} per ticker-day), at most ${fake.maxInFlight} in flight, wall ${fmt(wall)} s; ` +
            `${againstBounds(wall, throughput, critical)}; peak RSS ${fmt(peak / 2 ** 20, 0)} MiB`,
        );
      } finally {
        await fake.close();
      }
    }

    // 4. a provider's requests-per-minute limit (the fake answers 429 beyond it): kept by the run's --rpm, or
    // learnt from the provider's headers alone
    const RPM = 40;
    for (const clientRpm of parts.rate ? [RPM, null] : []) {
      const fake = await fakeOpenAI({ delayMs: 50, answer: benchAnswer, rpm: RPM });
      process.env.OPENAI_BASE_URL = fake.url;
      process.env.OPENAI_API_KEY = "fake";
      try {
        const ctx = runContext({
          run: `bench-rate-${clientRpm ?? "headers"}`,
          model: "openai:fake-model",
          cache: false,
          rpm: clientRpm,
          modelRetries: 6,
        });
        const t1 = performance.now();
        await executeRun({
          ctx,
          dataDir,
          data,
          tickers: tickers.slice(0, 2),
          train: { from: "2015-09-28", to: "2015-09-30" },
          test: { from: "2015-10-01", to: "2015-10-06" },
          quiet: true,
        });
        const wall = (performance.now() - t1) / 1000;
        const calls = fake.calls.length - fake.rejected;
        const bound = Math.floor((calls - 1) / RPM) * 60;
        print(
          `rate limit ${RPM} rpm at the provider, ${clientRpm ? `--rpm ${clientRpm}` : "no --rpm (its headers only)"}: ${calls} calls, ${fake.rejected} answered 429, ` +
            `wall ${fmt(wall)} s against the RPM bound ${bound} s (x${fmt(wall / Math.max(1, bound), 2)})`,
        );
      } finally {
        await fake.close();
      }
    }
  } finally {
    for (const k of ["CHROMA_URL", "STOCKMEM_DATA_DIR", "OPENAI_BASE_URL", "OPENAI_API_KEY"])
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

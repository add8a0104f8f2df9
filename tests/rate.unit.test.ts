/** Providers' rate limits kept before a request goes (issue 22, item 3): a sliding minute, on a clock of the test's. */
import { describe, expect, it } from "vitest";
import { type Clock, durationMs, RateWindow } from "../src/models/rate.ts";

/** A clock that moves only when someone sleeps on it: waits are exact, and no test waits for real. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe("rate window", () => {
  it("sends at most rpm requests in any minute, and the next one when the oldest leaves it", async () => {
    const clock = fakeClock();
    const w = new RateWindow({ rpm: 3 }, clock);
    const at: number[] = [];
    for (let i = 0; i < 7; i++) at.push((await w.acquire()).at);
    const t0 = at[0]!;
    expect(at.map((x) => x - t0)).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
    for (let i = 3; i < at.length; i++) expect(at[i]! - at[i - 3]!).toBeGreaterThanOrEqual(60_000);
    expect(w.waitedMs).toBe(120_000);
  });

  it("keeps tokens per minute, counting what an answer really used", async () => {
    const clock = fakeClock();
    const w = new RateWindow({ tpm: 1000 }, clock);
    const a = await w.acquire(400);
    w.settle(a, 700); // the answer used more than the prompt's estimate
    const b = await w.acquire(200); // 700 + 200 fits
    expect(b.at).toBe(a.at);
    const c = await w.acquire(300); // 900 + 300 does not: waits for the first to leave the minute
    expect(c.at - a.at).toBe(60_000);
    // one request bigger than the whole limit still goes (alone), rather than waiting forever
    const big = new RateWindow({ tpm: 100 }, fakeClock());
    expect((await big.acquire(5000)).tokens).toBe(5000);
  });

  it("believes the provider: remaining 0 with its reset, or retry-after, holds every request until then", async () => {
    const clock = fakeClock();
    const w = new RateWindow({}, clock);
    const headers = (h: Record<string, string>) => ({ get: (k: string) => h[k] ?? null });
    w.noteHeaders(headers({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1.5s" }));
    const t0 = clock.now();
    expect((await w.acquire()).at - t0).toBe(1500);
    w.noteHeaders(headers({ "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s" }));
    const t1 = clock.now();
    expect((await w.acquire()).at - t1).toBe(360_000);
    w.noteHeaders(headers({ "retry-after": "2" }));
    const t2 = clock.now();
    expect((await w.acquire()).at - t2).toBe(2000);
    w.noteHeaders(headers({ "x-ratelimit-remaining-requests": "12" })); // room left: nothing held
    const t3 = clock.now();
    expect((await w.acquire()).at).toBe(t3);
  });

  it("reads OpenAI's reset durations", () => {
    expect(durationMs("1s")).toBe(1000);
    expect(durationMs("6m0s")).toBe(360_000);
    expect(durationMs("20ms")).toBe(20);
    expect(durationMs("1h2m3.5s")).toBe(3_723_500);
    expect(durationMs("2")).toBe(2000);
    expect(durationMs("soon")).toBeUndefined();
    expect(durationMs(null)).toBeUndefined();
  });
});

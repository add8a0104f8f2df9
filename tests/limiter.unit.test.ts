/** The run's model-call limiter: a bound on calls in flight, waiting calls served by rank, read when a slot frees. */
import { describe, expect, it } from "vitest";
import { rankedLimiter } from "../src/runtime/limiter.ts";

/** A call that runs until the test ends it; `started` says whether the limiter let it in. */
function gated(log: string[], name: string) {
  let end!: (v: string) => void;
  let fail!: (e: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    end = resolve;
    fail = reject;
  });
  const call = { started: false, end: () => end(name), fail: (e: Error) => fail(e) };
  return {
    call,
    ended: false,
    fn: () => {
      call.started = true;
      log.push(name);
      return done;
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("ranked limiter", () => {
  it("never lets more than its bound in, and serves the waiting calls by rank, first come first within a rank", async () => {
    const limit = rankedLimiter(2);
    const log: string[] = [];
    const calls = ["a0", "b0", "ahead3", "ahead2", "c0", "ahead2b"].map((n) => ({ n, ...gated(log, n) }));
    const rank = (n: string) => () => (n.startsWith("ahead") ? Number(n[5]) : 0);
    const results = calls.map(({ n, fn }) => limit(fn, rank(n)));
    await settle();
    expect(log).toEqual(["a0", "b0"]); // two in flight, the rest wait
    let most = 0;
    while (log.length < calls.length || calls.some((c) => c.call.started && !c.ended)) {
      const running = calls.filter((c) => c.call.started && !c.ended);
      most = Math.max(most, running.length);
      running[0]!.ended = true;
      running[0]!.call.end();
      await settle();
    }
    await Promise.all(results);
    expect(most).toBe(2);
    // c0 (rank 0) before the work ahead; of that, rank 2 before rank 3, and ahead2 before ahead2b (same rank)
    expect(log).toEqual(["a0", "b0", "c0", "ahead2", "ahead2b", "ahead3"]);
  });

  it("reads a waiting call's rank when a slot frees: work that became urgent goes first", async () => {
    const limit = rankedLimiter(1);
    const log: string[] = [];
    const first = gated(log, "first");
    const ahead = gated(log, "ahead");
    const day = gated(log, "day");
    let urgent = false;
    // queued after the day's call, and ranked after it when it queued
    const all = [limit(first.fn), limit(day.fn, () => 1), limit(ahead.fn, () => (urgent ? 0 : 5))];
    await settle();
    urgent = true; // its day was reached while it waited
    first.call.end();
    await settle();
    expect(log).toEqual(["first", "ahead"]);
    ahead.call.end();
    await settle();
    day.call.end();
    await Promise.all(all);
    expect(log).toEqual(["first", "ahead", "day"]);
  });

  it("gives a failure to its caller and frees its slot; a function that throws at once fails the same way", async () => {
    const limit = rankedLimiter(1);
    const log: string[] = [];
    const bad = gated(log, "bad");
    const next = gated(log, "next");
    const failed = limit(bad.fn);
    const thrown = limit(() => {
      throw new Error("at once");
    });
    const after = limit(next.fn);
    bad.call.fail(new Error("boom"));
    await expect(failed).rejects.toThrow("boom");
    await expect(thrown).rejects.toThrow("at once");
    await settle();
    expect(next.call.started).toBe(true);
    next.call.end();
    await expect(after).resolves.toBe("next");
  });
});

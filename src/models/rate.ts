/**
 * Providers' rate limits, kept before a request is sent: requests and tokens per minute for each model (per endpoint,
 * shared by every run of the process, as a provider counts them per account), over a sliding minute. A provider that
 * says how much is left (`x-ratelimit-remaining-requests` / `-tokens` with their `-reset-` times, or `retry-after` on a
 * 429) is believed: every call to that model waits until the reset, not only the one that met it.
 */
import { retryAfterMs } from "../data/sources/http.ts";

export interface RateLimits {
  /** requests per minute */
  rpm?: number | null;
  /** tokens per minute (a request counts its prompt's estimated tokens, then what the answer really used) */
  tpm?: number | null;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const MINUTE = 60_000;

/** One request in the window: when it was sent and the tokens it counts. */
interface Sent {
  at: number;
  tokens: number;
}

export class RateWindow {
  private readonly sent: Sent[] = [];
  /** nothing is sent before this instant (a provider said its limit was reached) */
  private blockedUntil = 0;
  /** how long requests waited for the window, in all (the run reports it) */
  waitedMs = 0;

  constructor(
    public limits: RateLimits,
    private readonly clock: Clock = realClock,
  ) {}

  private prune(now: number): void {
    while (this.sent.length && this.sent[0]!.at <= now - MINUTE) this.sent.shift();
  }

  /** How long a request of `tokens` must wait now: 0 when it may go. */
  private wait(now: number, tokens: number): number {
    this.prune(now);
    let until = this.blockedUntil;
    const { rpm, tpm } = this.limits;
    if (rpm && this.sent.length >= rpm) until = Math.max(until, this.sent[this.sent.length - rpm]!.at + MINUTE);
    if (tpm && this.sent.length) {
      // the oldest requests leave the window until what is left plus this one fits (one alone always may go)
      let used = this.sent.reduce((n, s) => n + s.tokens, 0);
      for (const s of this.sent) {
        if (used + tokens <= tpm) break;
        used -= s.tokens;
        until = Math.max(until, s.at + MINUTE);
      }
    }
    return Math.max(0, until - now);
  }

  /** Waits until a request of `tokens` fits the limits, then counts it as sent; returns its entry for `settle`. */
  async acquire(tokens = 0): Promise<Sent> {
    for (;;) {
      const now = this.clock.now();
      const ms = this.wait(now, tokens);
      if (ms === 0) {
        const entry = { at: now, tokens };
        this.sent.push(entry);
        return entry;
      }
      this.waitedMs += ms;
      await this.clock.sleep(ms);
    }
  }

  /** The tokens a request really used, once its answer says so. */
  settle(entry: Sent, tokens: number): void {
    entry.tokens = Math.max(entry.tokens, tokens);
  }

  /** What a provider said of its limits in an answer's headers. */
  noteHeaders(h: { get(name: string): string | null }): void {
    const now = this.clock.now();
    const block = (ms: number | undefined) => {
      if (ms !== undefined && ms > 0) this.blockedUntil = Math.max(this.blockedUntil, now + ms);
    };
    for (const kind of ["requests", "tokens"]) {
      const left = h.get(`x-ratelimit-remaining-${kind}`);
      if (left !== null && Number(left) <= 0) block(durationMs(h.get(`x-ratelimit-reset-${kind}`)) ?? 1000);
    }
    block(retryAfterMs(h.get("retry-after"), now, Number.POSITIVE_INFINITY));
  }
}

/** OpenAI's reset durations: "1s", "6m0s", "20ms", "1h2m3.5s"; a bare number is seconds. */
export function durationMs(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  let ms = 0;
  let matched = false;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    matched = true;
    const n = Number(m[1]);
    ms += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
  }
  return matched ? ms : undefined;
}

/** The windows of this process, one per endpoint and model: runs against one account share its limits. */
const windows = new Map<string, RateWindow>();

/** The window of a model at an endpoint, with these limits from now on (the latest run's say). */
export function rateWindow(endpoint: string, model: string, limits: RateLimits): RateWindow {
  const key = `${endpoint} ${model}`;
  let w = windows.get(key);
  if (!w) {
    w = new RateWindow(limits);
    windows.set(key, w);
  }
  w.limits = limits;
  return w;
}

/** The window a request to `url` for `model` counts in, if a run made one (read by the fetch that sees the headers). */
export function windowOf(url: string, model: string): RateWindow | undefined {
  for (const [key, w] of windows) {
    const [endpoint, m] = [key.slice(0, key.lastIndexOf(" ")), key.slice(key.lastIndexOf(" ") + 1)];
    if (m === model && url.startsWith(endpoint)) return w;
  }
  return undefined;
}

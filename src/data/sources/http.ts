/**
 * How every source talks HTTP: a timeout per attempt, retries on a dropped connection, a 429 or a 5xx
 * (waiting what Retry-After asks, capped), and failures that name the source, the ticker, what was
 * asked (keys masked) and the first bytes of what came back.
 */
import { scrub } from "../../observability/secrets.ts";
import type { SourceFetch } from "./source.ts";

export class SourceError extends Error {
  constructor(message: string) {
    super(scrub(message));
    this.name = "SourceError";
  }
}

/**
 * Where a source's provider answers: its `STOCKMEM_<NAME>_BASE_URL` setting (the tests' fake server), else the
 * provider's own address, without a trailing slash.
 */
export function baseUrl(env: NodeJS.ProcessEnv, name: string, provider: string): string {
  return (env[`STOCKMEM_${name}_BASE_URL`] ?? provider).replace(/\/$/, "");
}

/** A URL as logs and errors show it: key, token and signature parameters masked. */
export function maskUrl(url: string): string {
  return url.replace(/([?&](?:token|apikey|api_key|key|signature)=)[^&#]*/gi, "$1***");
}

/** Seconds or an HTTP date, as a wait in ms (capped); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now(), capMs = 60_000): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.max(0, Math.min(capMs, ms)) : undefined;
}

/** The first bytes of a body, on one line, for an error message. */
export const firstBytes = (text: string, n = 120) =>
  JSON.stringify(text.slice(0, n).replace(/\s+/g, " ")) + (text.length > n ? "…" : "");

export interface FetchPolicy {
  source: string;
  ticker: string;
  timeoutMs?: number;
  retries?: number;
  /** first wait before a retry, doubled each time (a Retry-After wins) */
  baseMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export function sourceFetch(p: FetchPolicy): SourceFetch {
  const doFetch = p.fetch ?? fetch;
  const sleep = p.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const retries = p.retries ?? 3;
  const who = `${p.source} ${p.ticker}`;
  return async (url, init = {}) => {
    let last = "";
    for (let attempt = 0; ; attempt++) {
      const backoff = (p.baseMs ?? 1000) * 2 ** attempt;
      let res: Response;
      try {
        res = await doFetch(url, {
          ...init,
          headers: { ...p.headers, ...(init.headers as Record<string, string> | undefined) },
          signal: AbortSignal.timeout(p.timeoutMs ?? 30_000),
        });
      } catch (e) {
        last =
          e instanceof Error && e.name === "TimeoutError"
            ? `no answer in ${(p.timeoutMs ?? 30_000) / 1000} s`
            : String((e as Error)?.message ?? e);
        if (attempt >= retries)
          throw new SourceError(`${who}: ${maskUrl(url)}: ${last} (after ${attempt + 1} attempts)`);
        await sleep(backoff);
        continue;
      }
      if (res.ok) return res;
      const body = await res.text().catch(() => "");
      last = `HTTP ${res.status} ${firstBytes(body)}`;
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= retries)
        throw new SourceError(`${who}: ${maskUrl(url)}: ${last}${retryable ? ` (after ${attempt + 1} attempts)` : ""}`);
      await sleep(retryAfterMs(res.headers.get("retry-after")) ?? backoff);
    }
  };
}

/** A body as JSON, or an error naming the source, the ticker, what was asked and the first bytes that came instead. */
export function parseJson<T = unknown>(text: string, source: string, ticker: string, url: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SourceError(`${source} ${ticker}: expected JSON from ${maskUrl(url)}, got ${firstBytes(text)}`);
  }
}

/**
 * A market data source: one provider, one file in this folder, behind one interface. `stockmem data
 * pull` asks each chosen source for each ticker over a date range and merges what comes back into the
 * data dir (news.jsonl, prices.csv), which stays the one store every run reads.
 */
import type { NewsItem, PriceBar } from "../../domain/schemas.ts";

/** What a source gives back for one ticker: price bars, news items (or filings as items), and the requests it made. */
export interface Pulled {
  bars?: PriceBar[];
  /** items without `first_seen_at`: the pull stamps it */
  items?: Omit<NewsItem, "first_seen_at">[];
  /** each request made, for the provenance log (keys are scrubbed before it is written) */
  requests: string[];
  /** what the source wants said (a provider's warning) */
  notes?: string[];
}

/** What a source may use: the range asked, the environment (keys, base URLs), a fetch that retries and times out. */
interface PullContext {
  from: string;
  to: string;
  env: NodeJS.ProcessEnv;
  fetch: SourceFetch;
}

/** fetch with the source's timeout and retries, failing with a SourceError that names the source and ticker. */
export type SourceFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface MarketSource {
  /** the name `--source` takes */
  name: string;
  kind: "prices" | "news" | "filings";
  /** one line for `data pull --help`: what it fills, what it costs */
  about: string;
  /** environment variables it needs (a missing one is named before anything is fetched) */
  needs?: readonly string[];
  pull(ticker: string, c: PullContext): Promise<Pulled>;
}

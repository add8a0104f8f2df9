/**
 * Data sources and `data pull` (issue 20, items 1-2), against a local fake server that answers in each
 * provider's documented shape (tests/fixtures/sources/README.md says where each shape comes from); no
 * test touches the network. A pull merges into the data dir idempotently (one story from two sources
 * is stored once), stamps first_seen_at, keeps a provenance log without secrets, waits out a 429's
 * Retry-After, and a source answering garbage fails by name and leaves the data dir as it was.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayContext } from "../src/data/day-context.ts";
import { loadMarketData } from "../src/data/load.ts";
import { pullData } from "../src/data/pull.ts";
import { SOURCES } from "../src/data/sources/index.ts";
import { cli } from "./helpers/cli.ts";

const FIX = join(import.meta.dirname, "fixtures/sources");
const fixture = (f: string) => readFileSync(join(FIX, f), "utf8");

/** Routes by path; each answer can be changed per test; every request is logged. */
let server: Server;
let base = "";
const log: string[] = [];
const agents: string[] = []; // the User-Agent of each request
const headers: Record<string, string | string[] | undefined>[] = [];
const answers = new Map<
  string,
  () => { status?: number; type?: string; body: string; headers?: Record<string, string> }
>();
beforeAll(async () => {
  server = createServer((req, res) => {
    log.push(req.url ?? "");
    agents.push(String(req.headers["user-agent"]));
    headers.push(req.headers);
    const path = (req.url ?? "").split("?")[0]!;
    const a = answers.get(path)?.();
    if (!a) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(a.status ?? 200, { "content-type": a.type ?? "application/json", ...a.headers }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const NOW = new Date("2026-12-07T22:00:00Z");
const dir = () => mkdtempSync(join(tmpdir(), "stockmem-pull-"));
const env = (extra: Record<string, string> = {}) => ({ ...process.env, STOCKMEM_YAHOO_BASE_URL: base, ...extra });

describe("prices from Yahoo (yahoo-finance2's chart)", () => {
  it("fills prices.csv with the adjusted close, once; a second pull adds nothing; a changed value is kept as stored", async () => {
    answers.set("/v8/finance/chart/AAPL", () => ({ body: fixture("yahoo-chart-aapl.json") }));
    const d = dir();
    const r = await pullData({
      dir: d,
      sources: [SOURCES.yahoo],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-16",
      env: env(),
      now: NOW,
    });
    expect(r.outcomes[0]).toMatchObject({ source: "yahoo", ticker: "AAPL", added: 3, duplicates: 0 });
    expect(r.backfill).toBe(true);
    const csv = readFileSync(join(d, "prices.csv"), "utf8");
    expect(csv.split("\n").slice(0, 2)).toEqual([
      "ticker,date,open,high,low,close,adj_close,volume",
      "AAPL,2015-10-14,111.339996,111.519997,109.559998,110.209999,105.551338,44462400",
    ]);
    expect(log.at(-1)).toMatch(/^\/v8\/finance\/chart\/AAPL\?.*interval=1d/);
    const again = await pullData({
      dir: d,
      sources: [SOURCES.yahoo],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-16",
      env: env(),
      now: NOW,
    });
    expect(again.outcomes[0]).toMatchObject({ added: 0, duplicates: 3 });
    answers.set("/v8/finance/chart/AAPL", () => ({
      body: fixture("yahoo-chart-aapl.json").replace("105.551338", "105.6"),
    }));
    const changed = await pullData({
      dir: d,
      sources: [SOURCES.yahoo],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-16",
      env: env(),
      now: NOW,
    });
    expect(changed.outcomes[0]).toMatchObject({ added: 0, duplicates: 2, changed: 1 });
    expect(readFileSync(join(d, "prices.csv"), "utf8")).toBe(csv);
  });

  it("waits out a 429 with Retry-After, then takes the answer", async () => {
    let calls = 0;
    answers.set("/v8/finance/chart/MSFT", () =>
      ++calls === 1
        ? { status: 429, body: '{"error":"too many"}', headers: { "retry-after": "2" } }
        : { body: fixture("yahoo-chart-aapl.json").replaceAll('"AAPL"', '"MSFT"') },
    );
    const waits: number[] = [];
    const r = await pullData({
      dir: dir(),
      sources: [SOURCES.yahoo],
      tickers: ["MSFT"],
      from: "2015-10-14",
      to: "2015-10-16",
      env: env(),
      now: NOW,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(waits).toEqual([2000]);
    expect(r.outcomes[0]).toMatchObject({ added: 3 });
  });

  it("a garbage answer (HTML, truncated JSON) fails naming the source, the ticker and the first bytes; the data dir is unchanged", async () => {
    const d = dir();
    answers.set("/v8/finance/chart/AAPL", () => ({ body: fixture("yahoo-chart-aapl.json") }));
    await pullData({
      dir: d,
      sources: [SOURCES.yahoo],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-16",
      env: env(),
      now: NOW,
    });
    const before = readFileSync(join(d, "prices.csv"), "utf8");
    for (const body of [
      "<html><body>Service unavailable, try later</body></html>",
      fixture("yahoo-chart-aapl.json").slice(0, 300),
    ]) {
      answers.set("/v8/finance/chart/INTC", () => ({
        body,
        type: body.startsWith("<") ? "text/html" : "application/json",
      }));
      const r = await pullData({
        dir: d,
        sources: [SOURCES.yahoo],
        tickers: ["INTC"],
        from: "2015-10-14",
        to: "2015-10-16",
        env: env(),
        now: NOW,
      });
      expect(r.outcomes[0]!.added).toBe(0);
      expect(r.outcomes[0]!.error).toMatch(
        /^yahoo INTC: .*(Service unavailable|\{ "chart": \{ "result": \[ \{ "meta")/,
      );
      expect(readFileSync(join(d, "prices.csv"), "utf8")).toBe(before);
    }
  });
});

describe("news from RSS and Atom feeds", () => {
  it("one story from two feeds is stored once (same URL, or same title that day); first_seen_at and provenance are kept, keys masked", async () => {
    answers.set("/rss/AAPL", () => ({ body: fixture("feed.rss.xml"), type: "application/rss+xml" }));
    answers.set("/atom/AAPL", () => ({ body: fixture("feed.atom.xml"), type: "application/atom+xml" }));
    const d = dir();
    const feeds = `${base}/rss/{ticker}?apikey=SECRETKEY123,${base}/atom/{ticker}`;
    const r = await pullData({
      dir: d,
      sources: [SOURCES.rss],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-15",
      env: env({ STOCKMEM_RSS_FEEDS: feeds }),
      now: NOW,
    });
    expect(r.outcomes[0]).toMatchObject({ source: "rss", ticker: "AAPL", added: 3, duplicates: 2 });
    const items = readFileSync(join(d, "news.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // a feed has no range: its older story is kept too (a run counts it where its clock allows)
    expect(items.map((i) => i.title)).toEqual([
      "Apple unveils new iPad Pro at its October event",
      "Apple supplier warns on iPhone orders",
      "An old story outside the range",
    ]);
    expect(items[0]).toMatchObject({
      ticker: "AAPL",
      published_at: "2015-10-15T14:05:00.000Z",
      first_seen_at: NOW.toISOString(),
      source: `rss:${new URL(base).host}`,
      text: "Apple unveiled a larger iPad Pro, shipping in November.",
    });
    const provenance = readFileSync(join(d, "provenance.jsonl"), "utf8");
    expect(provenance).not.toContain("SECRETKEY123");
    expect(JSON.parse(provenance.trim().split("\n")[0]!)).toMatchObject({
      source: "rss",
      ticker: "AAPL",
      backfill: true,
      added: 3,
    });
    // pulled again: nothing new
    const again = await pullData({
      dir: d,
      sources: [SOURCES.rss],
      tickers: ["AAPL"],
      from: "2015-10-14",
      to: "2015-10-15",
      env: env({ STOCKMEM_RSS_FEEDS: feeds }),
      now: NOW,
    });
    expect(again.outcomes[0]).toMatchObject({ added: 0, duplicates: 5 });

    // the pulled prices and news are a data dir every run reads
    answers.set("/v8/finance/chart/AAPL", () => ({ body: fixture("yahoo-chart-aapl.json") }));
    await pullData({
      dir: d,
      sources: [SOURCES.yahoo],
      tickers: ["AAPL"],
      from: "2015-10-13",
      to: "2015-10-16",
      env: env(),
      now: NOW,
    });
    const data = await loadMarketData(d);
    expect(dayContext(data, "AAPL", "2015-10-15").items.map((i) => i.id)).toEqual([items[0].id]);
    const stats = await cli("data", "stats", "--data", d);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.out).toMatch(/items by source: rss:127\.0\.0\.1:\d+ 1\b/); // the 14th's item is before the first close
    expect(stats.out).toMatch(
      /pulled: 1 items by 3 source-ticker pulls .*; 3 were backfills of past dates, whose published_at is trusted/,
    );
  });

  it("a missing setting is named before anything is fetched; `data pull --help` lists the sources", async () => {
    const { STOCKMEM_RSS_FEEDS: _, ...without } = process.env;
    const n = log.length;
    await expect(
      pullData({
        dir: dir(),
        sources: [SOURCES.rss],
        tickers: ["AAPL"],
        from: "2015-10-14",
        to: "2015-10-15",
        env: without,
        now: NOW,
      }),
    ).rejects.toThrow(/source rss needs STOCKMEM_RSS_FEEDS: set it in the environment or \.env \(or give --feed URL\)/);
    expect(log.length).toBe(n);
    const help = await cli("data", "pull", "--help");
    expect(help.code).toBe(0);
    for (const s of Object.keys(SOURCES)) expect(help.out).toContain(s);
  });
});

describe("filings from SEC EDGAR", () => {
  it("an 8-K becomes an item at its acceptance time, naming its items, then its press release as text; the User-Agent is sent", async () => {
    answers.set("/files/company_tickers.json", () => ({ body: fixture("sec-company-tickers.json") }));
    answers.set("/submissions/CIK0000789019.json", () => ({ body: fixture("sec-submissions-msft.json") }));
    answers.set("/Archives/edgar/data/789019/000119312515355000/index.json", () => ({
      body: fixture("sec-index-msft-8k.json"),
    }));
    answers.set("/Archives/edgar/data/789019/000119312515355000/d59125dex991.htm", () => ({
      body: fixture("sec-ex991-msft.htm"),
      type: "text/html",
    }));
    const ua = "stockmem-tests research@example.com";
    const d = dir();
    const from = agents.length;
    const r = await pullData({
      dir: d,
      sources: [SOURCES["sec-edgar"]],
      tickers: ["MSFT"],
      from: "2015-10-01",
      to: "2015-10-31",
      env: env({ STOCKMEM_SEC_BASE_URL: base, STOCKMEM_SEC_USER_AGENT: ua }),
      now: NOW,
    });
    expect(r.outcomes[0]).toMatchObject({ source: "sec-edgar", ticker: "MSFT", added: 1 });
    const [item] = readFileSync(join(d, "news.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(item).toMatchObject({
      id: "sec-0001193125-15-355000",
      ticker: "MSFT",
      published_at: "2015-10-22T20:05:28.000Z",
      title: "8-K MICROSOFT CORP: 2.02, 9.01",
      source: "sec-edgar",
    });
    expect(item.text).toMatch(
      /^8-K filed by MICROSOFT CORP\. Item 2\.02 Results of Operations and Financial Condition; Item 9\.01 Financial Statements and Exhibits\. Microsoft Cloud Strength Highlights First Quarter Results REDMOND/,
    );
    expect(item.text).not.toMatch(/alert|<script/);
    expect(agents.length - from).toBe(4); // tickers, submissions, the 8-K's index, its exhibit (the 10-Q and the Form 4 are not read)
    expect(new Set(agents.slice(from))).toEqual(new Set([ua]));
    // a backfill older than the recent list reads the older filings file that covers it
    answers.set("/submissions/CIK0000789019-submissions-001.json", () => ({
      body: fixture("sec-submissions-msft-001.json"),
    }));
    answers.set("/Archives/edgar/data/789019/000119312514066500/index.json", () => ({
      body: fixture("sec-index-msft-2014.json"),
    }));
    answers.set("/Archives/edgar/data/789019/000119312514066500/d667000d8k.htm", () => ({
      body: fixture("sec-8k-msft-2014.htm"),
      type: "text/html",
    }));
    const old = dir();
    const back = await pullData({
      dir: old,
      sources: [SOURCES["sec-edgar"]],
      tickers: ["MSFT"],
      from: "2014-01-01",
      to: "2014-12-31",
      env: env({ STOCKMEM_SEC_BASE_URL: base, STOCKMEM_SEC_USER_AGENT: ua }),
      now: NOW,
    });
    expect(back.outcomes[0]).toMatchObject({ added: 1 });
    expect(JSON.parse(readFileSync(join(old, "news.jsonl"), "utf8"))).toMatchObject({
      id: "sec-0001193125-14-066500",
      published_at: "2014-02-04T13:05:11.000Z",
      text: expect.stringMatching(/^8-K filed by MICROSOFT CORP\. Item 5\.02 Departure of Directors .*Satya Nadella/),
    });
    const { STOCKMEM_SEC_USER_AGENT: _, ...noUa } = env() as NodeJS.ProcessEnv;
    await expect(
      pullData({
        dir: dir(),
        sources: [SOURCES["sec-edgar"]],
        tickers: ["MSFT"],
        from: "2015-10-01",
        to: "2015-10-31",
        env: noUa,
        now: NOW,
      }),
    ).rejects.toThrow(/source sec-edgar needs STOCKMEM_SEC_USER_AGENT/);
  });
});

describe("keyed news and prices: Finnhub, Alpha Vantage, Tiingo", () => {
  it("one story from Finnhub and Alpha Vantage is stored once; keys never reach a URL or the provenance; a rate-limit note is said", async () => {
    answers.set("/api/v1/company-news", () => ({ body: fixture("finnhub-company-news.json") }));
    answers.set("/query", () => ({ body: fixture("alpha-vantage-news.json") }));
    const keys = { FINNHUB_API_KEY: "FINNHUBSECRET1", ALPHAVANTAGE_API_KEY: "AVSECRET123" };
    const d = dir();
    const n = log.length;
    const r = await pullData({
      dir: d,
      sources: [SOURCES.finnhub, SOURCES["alpha-vantage"]],
      tickers: ["MSFT"],
      from: "2015-10-12",
      to: "2015-10-21",
      env: env({ ...keys, STOCKMEM_FINNHUB_BASE_URL: base, STOCKMEM_ALPHAVANTAGE_BASE_URL: base }),
      now: NOW,
    });
    // Finnhub asked a week at a time: two requests for ten days; the same answer twice is stored once
    expect(
      log
        .slice(n)
        .filter((u) => u.startsWith("/api/v1/company-news"))
        .map((u) => u.replace(/.*from=/, "")),
    ).toEqual(["2015-10-12&to=2015-10-18", "2015-10-19&to=2015-10-21"]);
    expect(headers.at(-2)!["x-finnhub-token"]).toBe("FINNHUBSECRET1"); // the second Finnhub request, then Alpha Vantage's
    expect(r.outcomes.map((x) => [x.source, x.added, x.duplicates])).toEqual([
      ["finnhub", 2, 2],
      ["alpha-vantage", 1, 1], // the Surface Book story came from Finnhub already (same URL without utm_)
    ]);
    const items = readFileSync(join(d, "news.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(items.map((i) => [i.source, i.published_at])).toEqual([
      ["finnhub:Reuters", "2015-10-15T14:05:00.000Z"],
      ["finnhub:Business Wire", "2015-10-14T14:40:00.000Z"],
      ["alpha-vantage:Example Net", "2015-10-16T09:30:00.000Z"],
    ]);
    expect(items[1].text).toBe("Microsoft to hold earnings call on October 22"); // no summary: its headline
    const provenance = readFileSync(join(d, "provenance.jsonl"), "utf8");
    for (const k of Object.values(keys)) expect(provenance).not.toContain(k);
    expect(provenance).toContain("apikey=***");

    answers.set("/query", () => ({
      body: '{"Information": "We have detected your API key as ALPHASECRET and our standard API rate limit is 25 requests per day."}',
    }));
    const limited = await pullData({
      dir: dir(),
      sources: [SOURCES["alpha-vantage"]],
      tickers: ["MSFT"],
      from: "2015-10-12",
      to: "2015-10-21",
      env: env({ ...keys, STOCKMEM_ALPHAVANTAGE_BASE_URL: base }),
      now: NOW,
    });
    expect(limited.outcomes[0]!.error).toMatch(
      /^alpha-vantage MSFT: the provider says: .*rate limit is 25 requests per day/,
    );

    // no paging at the provider: a full answer halves the range until the answers are not full
    answers.set("/query", () => ({ body: fixture("alpha-vantage-news.json") }));
    const m = log.length;
    const paged = await pullData({
      dir: dir(),
      sources: [SOURCES["alpha-vantage"]],
      tickers: ["MSFT"],
      from: "2015-10-12",
      to: "2015-10-15",
      env: env({ ...keys, STOCKMEM_ALPHAVANTAGE_BASE_URL: base, STOCKMEM_ALPHAVANTAGE_LIMIT: "2" }),
      now: NOW,
    });
    const spans = log.slice(m).map((u) => /time_from=(\d{8})T0000&time_to=(\d{8})/.exec(u)!.slice(1).join("-"));
    expect(spans).toEqual([
      "20151012-20151015",
      "20151012-20151013",
      "20151012-20151012",
      "20151013-20151013",
      "20151014-20151015",
      "20151014-20151014",
      "20151015-20151015",
    ]);
    expect(paged.outcomes[0]).toMatchObject({ added: 2 });
  });

  it("Tiingo's bars with the adjusted close, the key in the Authorization header; an answer of another shape fails by name", async () => {
    answers.set("/tiingo/daily/msft/prices", () => ({ body: fixture("tiingo-prices.json") }));
    const d = dir();
    const e = env({ TIINGO_API_KEY: "TIINGOSECRET9", STOCKMEM_TIINGO_BASE_URL: base });
    const r = await pullData({
      dir: d,
      sources: [SOURCES.tiingo],
      tickers: ["MSFT"],
      from: "2015-10-14",
      to: "2015-10-15",
      env: e,
      now: NOW,
    });
    expect(r.outcomes[0]).toMatchObject({ added: 2 });
    expect(headers.at(-1)!.authorization).toBe("Token TIINGOSECRET9");
    expect(readFileSync(join(d, "prices.csv"), "utf8")).toContain(
      "MSFT,2015-10-15,46.71,47.14,46.49,47.01,44.11,31631240",
    );
    const before = readFileSync(join(d, "prices.csv"), "utf8");
    answers.set("/tiingo/daily/intc/prices", () => ({
      body: '[{"date":"2015-10-14T00:00:00.000Z","detail":"changed shape"}]',
    }));
    const bad = await pullData({
      dir: d,
      sources: [SOURCES.tiingo],
      tickers: ["INTC"],
      from: "2015-10-14",
      to: "2015-10-15",
      env: e,
      now: NOW,
    });
    expect(bad.outcomes[0]!.error).toMatch(/^tiingo INTC: a price bar does not fit: .*open/);
    expect(readFileSync(join(d, "prices.csv"), "utf8")).toBe(before);
    const { TIINGO_API_KEY: _, ...noKey } = e as NodeJS.ProcessEnv;
    await expect(
      pullData({
        dir: dir(),
        sources: [SOURCES.tiingo],
        tickers: ["MSFT"],
        from: "2015-10-14",
        to: "2015-10-15",
        env: noKey,
        now: NOW,
      }),
    ).rejects.toThrow(/source tiingo needs TIINGO_API_KEY: set it in the environment or \.env/);
  });
});

import { describe, expect, it } from "vitest";
import { extractor } from "../agents/extractor/index.ts";
import { merger } from "../agents/merger/index.ts";
import { offlineVote, predictor } from "../agents/predictor/index.ts";
import { reflector } from "../agents/reflector/index.ts";
import { retrieverJudge } from "../agents/retriever-judge/index.ts";
import { trackerDelta, trackerLink } from "../agents/tracker/index.ts";
import { runContext } from "../src/config/context.ts";
import type { SeriesDay } from "../src/domain/events.ts";
import type { Reference } from "../src/domain/series.ts";
import { leaderClusters, medoid } from "../src/memory/cluster.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { cleanText, companiesIn, isAbout, sentiment } from "../src/models/offline/text.ts";

const env = { ctx: runContext(), embedder: new HashEmbedder(512) };
const ref = (id: string, label: "up" | "down", similarity: number): Reference => ({
  id,
  ticker: "AAPL",
  date: "2015-09-01",
  similarity,
  label,
  reason: "r",
  key_events: [],
});
const today = (...dirs: ("more_positive" | "more_negative" | "neutral")[]): SeriesDay => ({
  date: "2015-10-01",
  events: dirs.map((d, i) => ({
    id: `e${i}`,
    group: "Products and Market",
    type: "New Product Launch",
    description: "x",
    delta: { text: "t", direction: d },
  })),
});

describe("offline extractor", () => {
  it("cleans posts, maps cues to taxonomy types and cites its item", async () => {
    const out = await extractor.offline(
      {
        ticker: "AAPL",
        date: "2015-10-01",
        items: [
          {
            id: "a",
            published_at: "2015-10-01T12:00:00Z",
            text: "RT @x: Apple beats earnings estimates, iPhone sales strong http://t.co/abc",
          },
          { id: "b", published_at: "2015-10-01T13:00:00Z", text: "lol" },
        ],
      },
      env,
    );
    expect(out.events.length).toBeGreaterThan(0);
    expect(out.events[0]).toMatchObject({ group: "Corporate Operations", type: "Profitability", source_ids: ["a"] });
    expect(out.events[0]!.description).toBe("Apple beats earnings estimates, iPhone sales strong");
    expect(
      extractor.check!({ ticker: "AAPL", date: "2015-10-01", items: [{ id: "a", published_at: "", text: "" }] }, out),
    ).toBeUndefined();
    expect(out.events.every((e) => e.source_ids[0] === "a")).toBe(true); // "lol" has no event
  });

  it("reads cashtags and names, and lexicon tone with negation", () => {
    expect(companiesIn("$msft vs Apple and $GOOG")).toEqual(["MSFT", "AAPL", "GOOG"]); // in order of appearance
    expect(sentiment("Apple beats estimates, shares surge")).toBe(1);
    expect(sentiment("not a beat; shares fall")).toBe(-1);
    expect(sentiment("Apple holds an event")).toBe(0);
    expect(cleanText("RT @a: AT&amp;T   deal http://x.co/1 …")).toBe("AT&T deal");
  });
});

describe("offline relevance (issue 21, item 19): events of this company only", () => {
  // MSFT's stream in the sample, 2015-10-20/21: the tweets its +10 % day of 10-23 was once explained by
  const ebay = "#VIRAL EBay, Absent PayPal, Posts Q3 Earnings Beat $IBM, $SNY, $MSFT https://t.co/EPH5US4ekS";
  const hft =
    "RT $QQQ HFT Algos triggered BUY in SIGMA-X, CROSSFINDER, ATS, LX @ 19:58, P/T 108.50 #Quant $MSFT $FB $GPRO $AMZN $GOOG $AAPL $TSLA $NFLX";
  const calls = "RT @WallStJesus: SOMEBODY, SOMETHING SWEEPING UP $MSFT CALLS INTO NUMBERS LIKE THEY SAW CHRIST!";

  it("takes an item's subject to be the company it names first (index funds aside); a list of many is nobody's", () => {
    expect(isAbout("MSFT", cleanText(ebay))).toBe(false); // about eBay, then other tickers
    expect(isAbout("MSFT", cleanText(hft))).toBe(false); // eight companies: a list
    expect(isAbout("MSFT", cleanText(calls))).toBe(true);
    expect(isAbout("MSFT", "$SPY $MSFT Microsoft beats on cloud revenue")).toBe(true); // $SPY is the market
    expect(isAbout("MSFT", "Apple and Microsoft sign a patent deal")).toBe(false); // Apple's news first
    expect(isAbout("MSFT", "Earnings beat, shares jump after hours")).toBe(true); // no company named: its stream's
  });

  it("extracts no event from another company's item, and one event (one text) from a tweet", async () => {
    const items = [ebay, hft, "Microsoft beats earnings estimates, cloud revenue surges, shares jump 10%"].map(
      (text, i) => ({ id: `m${i}`, published_at: "2015-10-22T21:00:00Z", text }),
    );
    const out = await extractor.offline({ ticker: "MSFT", date: "2015-10-22", items }, env);
    expect(out.events.map((e) => e.source_ids[0])).toEqual(["m2"]);
    const texts = out.events.map((e) => e.description);
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe("offline merger", () => {
  it("clusters near-duplicates by cosine, order-stably, and keeps the most central report", async () => {
    const texts = ["Apple launches iPhone 6s today", "Apple launches the iPhone 6s today", "Oracle cuts its dividend"];
    const v = await env.embedder.embed(texts);
    expect(leaderClusters(v, 0.75)).toEqual([[0, 1], [2]]);
    expect(leaderClusters(v, 1.01)).toEqual([[0], [1], [2]]);
    expect(
      medoid(
        [
          [1, 0],
          [0.9, 0.1],
          [0, 1],
        ],
        [0, 1, 2],
      ),
    ).toBe(1);
    const out = await merger.offline(
      {
        ticker: "AAPL",
        date: "d",
        group: "Products and Market",
        allowedTypes: [],
        events: [
          { id: "r1", type: "New Product Launch", description: texts[0]! },
          { id: "r2", type: "Product Application", description: texts[1]! },
          { id: "r3", type: "New Product Launch", description: texts[1]! },
        ],
      },
      env,
    );
    expect(out.events).toEqual([{ type: "New Product Launch", description: texts[1], merged_ids: ["r1", "r2", "r3"] }]);
  });
});

describe("offline tracker", () => {
  const event = {
    group: "Products and Market",
    type: "New Product Launch",
    description: "Apple launches iPhone 6s, sales beat",
  };
  it("links to the most similar earlier event of the same type above the threshold", () => {
    const cands = [
      { id: "a", date: "2015-09-28", type: "New Product Launch", description: "x", similarity: 0.6 },
      { id: "b", date: "2015-09-29", type: "Product Application", description: "y", similarity: 0.9 },
      { id: "c", date: "2015-09-30", type: "New Product Launch", description: "z", similarity: 0.4 },
    ];
    expect(trackerLink.offline({ ticker: "AAPL", date: "d", event, candidates: cands }, env)).toMatchObject({
      predecessor_id: "a",
    });
    expect(trackerLink.offline({ ticker: "AAPL", date: "d", event, candidates: cands.slice(1) }, env)).toMatchObject({
      predecessor_id: null,
    });
  });

  it("writes delta info from novelty and tone change against the chain", async () => {
    const rising = await trackerDelta.offline(
      {
        ticker: "AAPL",
        date: "d",
        event,
        chain: [{ date: "2015-09-28", description: "Apple to launch iPhone 6s, demand weak" }],
      },
      env,
    );
    expect(rising.direction).toBe("more_positive");
    expect(rising.delta).toMatch(/Continues a 1-stage story/);
    expect(rising.delta).toMatch(/new terms: .*beat/);
    const fresh = await trackerDelta.offline(
      { ticker: "AAPL", date: "d", event: { ...event, description: "Apple holds an event" }, chain: [] },
      env,
    );
    expect(fresh).toMatchObject({ direction: "neutral" });
    expect(fresh.delta).toMatch(/^New story; novelty 1\.00/);
  });
});

describe("offline reflector, judge and predictor", () => {
  it("reflects with the events that agree with the real move", async () => {
    const series: SeriesDay[] = [today("more_positive", "more_negative")];
    const up = await reflector.offline(
      { ticker: "AAPL", date: "2015-10-01", nextDate: "2015-10-02", movement: "up", changePct: 2.5, series },
      env,
    );
    expect(up.key_events).toHaveLength(1);
    expect(up.reason).toMatch(/moved up 2\.50 %.*1 event\(s\) pointed the other way/);
  });

  it("keeps references at or above the similarity bar", async () => {
    const out = await retrieverJudge.offline(
      { ticker: "AAPL", date: "d", series: [], candidates: [ref("a", "up", 0.5), ref("b", "up", 0.19)] },
      env,
    );
    expect(out.kept.map((k) => k.id)).toEqual(["a"]);
  });

  it("votes by similarity, then by today's delta info, then up", () => {
    const base = { ticker: "AAPL", date: "d", series: [] };
    expect(
      offlineVote({ ...base, today: today(), references: [ref("a", "up", 0.3), ref("b", "down", 0.4)] }),
    ).toMatchObject({
      movement: "down",
      basis: "references",
    });
    expect(
      offlineVote({ ...base, today: today("more_negative"), references: [ref("a", "up", 0.3), ref("b", "down", 0.3)] }),
    ).toMatchObject({
      movement: "down",
      basis: "delta",
    });
    expect(offlineVote({ ...base, today: today("neutral"), references: [] })).toMatchObject({
      movement: "up",
      basis: "prior",
    });
  });

  it("says what today brought and what the comparable cases' key events were, then the vote (issue 21, item 18)", async () => {
    const day: SeriesDay = {
      date: "2015-10-22",
      events: [
        {
          id: "e1",
          group: "Products and Market",
          type: "New Product Launch",
          description: "Surface Book ships",
          delta: null,
          reports: 2,
        },
        {
          id: "e2",
          group: "Corporate Operations",
          type: "Profitability",
          description: "Microsoft beats estimates on cloud revenue",
          delta: { text: "cloud revenue above the guidance of July", direction: "more_positive" },
          reports: 9,
        },
      ],
    };
    const refs = [
      {
        ...ref("rf:MSFT:2015-07-21", "down", 0.4),
        ticker: "MSFT",
        date: "2015-07-21",
        key_events: ["Phone write-down of $7.6B", "layoffs"],
      },
    ];
    const out = await predictor.offline(
      { ticker: "MSFT", date: "2015-10-22", series: [day], today: day, references: refs },
      env,
    );
    expect(out.reason).toBe(
      'Offline analyst (baseline, not an LLM): Today brought 2 event(s): Profitability "Microsoft beats estimates on cloud revenue" (9 reports; more positive: cloud revenue above the guidance of July); New Product Launch "Surface Book ships" (2 reports). Comparable cases: MSFT 2015-07-21 (down: Phone write-down of $7.6B; layoffs). 1 comparable past case(s) vote down (similarity-weighted score -0.40: 0 up, 1 down).',
    );
    const quiet = await predictor.offline(
      { ticker: "MSFT", date: "d", series: [], today: today(), references: [] },
      env,
    );
    expect(quiet.reason).toBe(
      "Offline analyst (baseline, not an LLM): Today brought no event of this company. No comparable case and no directional news today: defaulting to up, the long-run drift.",
    );
  });
});

describe("offline summarizer (summary ablation)", () => {
  it("keeps the most central distinct posts, cleaned, and says when there is no news", async () => {
    const { summarizer } = await import("../agents/summarizer/index.ts");
    const items = [
      "RT @a: Apple iPhone 6s sales beat estimates http://t.co/x",
      "Apple iPhone 6s sales beat estimates",
      "Apple iPhone sales strong, estimates beaten",
      "Free stock picks, sign up now",
      "ok",
    ].map((text, i) => ({ id: `i${i}`, published_at: "2015-10-01T12:00:00Z", text }));
    const out = await summarizer.offline({ ticker: "AAPL", date: "2015-10-01", items }, env);
    const parts = out.summary.split(" | ");
    // the retweet and its original collapse into one; the two sales posts (the day's topic) lead, the spam comes last
    expect(parts).toHaveLength(3);
    expect(parts.slice(0, 2).sort()).toEqual([
      "Apple iPhone 6s sales beat estimates",
      "Apple iPhone sales strong, estimates beaten",
    ]);
    expect(parts[2]).toBe("Free stock picks, sign up now");
    expect(out.summary).not.toMatch(/RT @|http/);
    expect((await summarizer.offline({ ticker: "AAPL", date: "d", items: [] }, env)).summary).toBe("(no news)");
  });
});

describe("offline self-reflection (critic and reviser)", () => {
  const lesson = (id: string, predicted: string, moved: string) => ({
    id,
    layer: "reflection",
    date: "2015-10-01",
    text: `MSFT 2015-10-01: predicted ${predicted}, but it moved ${moved}.`,
  });
  const base = { ticker: "MSFT", date: "2015-10-08", today: { date: "2015-10-08", events: [] } };

  it("reconsiders a call that repeats past mistakes, keeps it otherwise", async () => {
    const { critic, erredDirection } = await import("../agents/critic/index.ts");
    expect(erredDirection("predicted up, but it moved down")).toBe("up");
    const twice = await critic.offline(
      {
        ...base,
        v1: { movement: "up", reason: "r" },
        lessons: [lesson("a", "up", "down"), lesson("b", "up", "down"), lesson("c", "down", "up")],
      },
      env,
    );
    expect(twice).toMatchObject({ verdict: "reconsider", lessons_used: ["a", "b"] });
    const once = await critic.offline(
      { ...base, v1: { movement: "up", reason: "r" }, lessons: [lesson("a", "up", "down")] },
      env,
    );
    expect(once.verdict).toBe("keep");
  });

  it("flips on reconsider and keeps v1 otherwise", async () => {
    const { reviser } = await import("../agents/reviser/index.ts");
    const input = {
      ...base,
      series: [],
      references: [],
      memories: [],
      v1: { movement: "up" as const, reason: "v1 reason" },
    };
    const flipped = await reviser.offline(
      { ...input, critique: { text: "repeats a mistake", verdict: "reconsider", missed: [], overweighted: [] } },
      env,
    );
    expect(flipped.movement).toBe("down");
    const kept = await reviser.offline(
      { ...input, critique: { text: "fine", verdict: "keep", missed: [], overweighted: [] } },
      env,
    );
    expect(kept).toMatchObject({ movement: "up" });
    expect(kept.reason).toMatch(/^v1 reason Kept after self-critique/);
  });
});

describe("SEC filings in the extractor (the sec-edgar source's items)", () => {
  it("offline: each item code maps to its type; the exhibits item is no event; the prompt says the same", async () => {
    const { promptFor } = await import("../agents/kit.ts");
    const out = await extractor.offline(
      {
        ticker: "MSFT",
        date: "2015-10-22",
        items: [
          {
            id: "sec-0001193125-15-355000",
            published_at: "2015-10-22T20:05:28.000Z",
            text: "8-K filed by MICROSOFT CORP. Item 2.02 Results of Operations and Financial Condition; Item 5.02 Departure of Directors or Certain Officers; Item 9.01 Financial Statements and Exhibits. Revenue was $21.7 billion.",
          },
        ],
      },
      env,
    );
    expect(out.events.map((e) => [e.group, e.type, e.attributes.cue])).toEqual([
      ["Corporate Operations", "Profitability", "Item 2.02"],
      ["Corporate Personnel", "Personnel Changes", "Item 5.02"],
    ]);
    const system = promptFor(extractor, runContext()).system;
    expect(promptFor(extractor, runContext()).version).toBe("1.2.0");
    expect(system).toContain("2.02 Corporate Operations / Profitability; 2.03 Corporate Operations / Financing");
    expect(system).toContain("9.01 no event");
  });
});

import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { promptFor } from "../agents/kit.ts";
import { predictor } from "../agents/predictor/index.ts";
import { AGENTS, promptVersions } from "../agents/registry.ts";
import { retrieverJudge } from "../agents/retriever-judge/index.ts";
import { runContext } from "../src/config/context.ts";
import { noDetails } from "../testkit/events.ts";

describe("prompts", () => {
  it("each agent has versioned prompts with its own id, versions unique", () => {
    for (const a of AGENTS) {
      expect(a.prompts.length).toBeGreaterThan(0);
      for (const p of a.prompts) expect(p.id).toBe(a.name);
      const versions = a.prompts.map((p) => p.version);
      expect(new Set(versions).size).toBe(versions.length);
      for (const v of versions) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it("the run context picks a version, the newest by default, and names a missing one", () => {
    expect(promptFor(predictor, runContext()).version).toBe("1.3.0");
    expect(promptFor(predictor, runContext({ prompts: { predictor: "1.0.1" } })).system).not.toMatch(/three steps/);
    expect(promptVersions(runContext({ prompts: { predictor: "1.0.1" } })).predictor).toBe("1.0.1");
    expect(() => promptFor(predictor, runContext({ prompts: { predictor: "9.9.9" } }))).toThrow(
      /predictor has no prompt version 9\.9\.9 \(versions: 1\.0\.1, 1\.1\.1, 1\.2\.1, 1\.3\.0\)/,
    );
    expect(() => runContext({ prompts: { predictor: "latest" } })).toThrow(/expected a version/);
    // agents are named from one table: a misspelt agent is refused with the list, not silently ignored
    const issue = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ZodError).issues.map((i) => i.message).join("; ");
      }
      return "no error";
    };
    expect(issue(() => runContext({ prompts: { predicter: "1.0.1" } }))).toMatch(
      /^unknown agent "predicter" \(agents: extractor, merger, tracker, /,
    );
    expect(issue(() => runContext({ models: { judge: "offline" } }))).toMatch(
      /^unknown agent "judge" \(agents: .*, chat\)$/,
    );
    expect(runContext({ models: { tracker: "offline", chat: "offline" } }).models).toEqual({
      tracker: "offline",
      chat: "offline",
    });
  });
});

describe("predictor 1.2.1 (layered memory)", () => {
  it("adds the memory records (fenced), and renders exactly 1.1.1 otherwise", async () => {
    const { predictorPromptV11, predictorPromptV12 } = await import("../prompts/predictor.ts");
    const input = {
      ticker: "MSFT",
      date: "2015-10-07",
      series: [],
      today: { date: "2015-10-07", events: [] },
      references: [],
    };
    const withMem = predictorPromptV12.render({
      ...input,
      memories: [{ id: "lm:daily:MSFT:2015-10-06:ab", layer: "short", date: "2015-10-06", text: "MSFT closed up" }],
    });
    expect(withMem).toMatch(
      /Memory records .*:\n- \[lm:daily:MSFT:2015-10-06:ab\] \(short, 2015-10-06\) <data>MSFT closed up<\/data>\n\nReturn \{/,
    );
    expect(predictorPromptV12.render(input)).toBe(predictorPromptV11.render(input)); // StockMem-only: unchanged
    expect(predictorPromptV12.system).toBe(predictorPromptV11.system);
  });
});

describe("the paper's protocol in the prompts (issue 13)", () => {
  const ref = {
    id: "rf:ORCL:2015-09-28",
    ticker: "ORCL",
    date: "2015-09-28",
    similarity: 0.62,
    label: "down" as const,
    reason: "ORCL fell on the weak cloud guidance",
    key_events: ["guidance cut"],
    series: [
      {
        date: "2015-09-28",
        events: [
          {
            id: "ev:ORCL:2015-09-28:a",
            group: "Corporate Operations",
            type: "Profitability",
            delta: { text: "guidance below consensus", direction: "more_negative" as const },
          },
        ],
      },
    ],
  };
  const today = {
    date: "2015-10-07",
    events: [
      {
        id: "ev:MSFT:2015-10-07:b",
        group: "Corporate Operations",
        type: "Profitability",
        description: "Microsoft guides cloud revenue higher",
        delta: { text: "above consensus", direction: "more_positive" as const },
        details: {
          time: "2015-10-07",
          location: "",
          entities: ["Microsoft"],
          industries: [],
          companies: ["MSFT"],
          attributes: { "cloud growth": "+20%" },
        },
      },
    ],
  };

  it("judge 1.1.0 compares series with SeqSim and never shows a candidate's move or reflection; 1.0.1 stays selectable", async () => {
    const { judgePrompt, judgePromptV11 } = await import("../prompts/retriever-judge.ts");
    const text = judgePromptV11.render({ ticker: "MSFT", date: "2015-10-07", series: [today], candidates: [ref] });
    expect(text).toContain(
      "- [rf:ORCL:2015-09-28] ORCL, window ending 2015-09-28 (SeqSim 0.62):\n    2015-09-28: Corporate Operations / Profitability (new: <data>guidance below consensus</data> [more_negative])",
    );
    expect(text).toContain(
      "details: <data>time 2015-10-07; companies MSFT; entities Microsoft; cloud growth: +20%</data>",
    );
    expect(text).not.toMatch(/down|fell|weak cloud|guidance cut/);
    expect(judgePrompt.render({ ticker: "MSFT", date: "2015-10-07", series: [today], candidates: [ref] })).toMatch(
      /moved down next day/,
    ); // the old contract, for A/B
    expect(promptFor(retrieverJudge, runContext()).version).toBe("1.1.0");
  });

  it("predictor 1.3.0 shows each reference's window, similarity and reflection, today's details, and the framing", async () => {
    const { predictorPromptV13 } = await import("../prompts/predictor.ts");
    const input = { ticker: "MSFT", date: "2015-10-07", series: [today], today, references: [ref] };
    const text = predictorPromptV13.render(input);
    expect(text).toContain(
      "- [rf:ORCL:2015-09-28] ORCL, window ending 2015-09-28 (similarity 0.62); next day it moved down.\n  its window:\n    2015-09-28: Corporate Operations / Profitability (new: <data>guidance below consensus</data> [more_negative])\n  reflection: <data>ORCL fell on the weak cloud guidance</data>",
    );
    expect(text).toMatch(
      /Today's incremental information[^\n]*\n2015-10-07:\n {2}- \[ev:MSFT:2015-10-07:b\][^\n]*\| new: <data>above consensus<\/data> \[more_positive\]\n {6}details: <data>[^\n]*cloud growth: \+20%/,
    );
    expect(predictorPromptV13.system).toMatch(/deviation of news from what the market already expected/);
    expect(predictorPromptV13.system).toMatch(/under 150 words/);
    expect(text).not.toMatch(/Memory records/);
    expect(
      predictorPromptV13.render({
        ...input,
        memories: [{ id: "lm:x", layer: "long", date: "2015-10-01", text: "pattern" }],
      }),
    ).toMatch(/Memory records[^\n]*\n- \[lm:x\] \(long, 2015-10-01\) <data>pattern<\/data>\n\nReturn \{/);
  });

  it("extractor 1.1.0 defines the types, gives the rules and two examples, and cites per document unless told otherwise", async () => {
    const { extractorPromptV11 } = await import("../prompts/extractor.ts");
    const { extractor } = await import("../agents/extractor/index.ts");
    expect(extractorPromptV11.system).toMatch(
      / {2}- Institutional Views: analysts' ratings[\s\S]*Relevance: keep only events about the company itself[\s\S]*Example 1\.[\s\S]*Example 2\./,
    );
    const items = [
      { id: "n1", published_at: "2015-10-07T14:00:00Z", text: "a" },
      { id: "n2", published_at: "2015-10-07T15:00:00Z", text: "b" },
    ];
    expect(extractorPromptV11.render({ ticker: "MSFT", date: "2015-10-07", items })).toMatch(
      /every event cites exactly one item/,
    );
    expect(extractorPromptV11.render({ ticker: "MSFT", date: "2015-10-07", items, scope: "cross-item" })).toMatch(
      /extract it once and cite all of them/,
    );
    const ev = {
      group: "Corporate Operations",
      type: "Profitability",
      ...noDetails(),
      description: "d",
      source_ids: ["n1", "n2"],
    };
    expect(extractor.check!({ ticker: "MSFT", date: "2015-10-07", items }, { events: [ev] })).toMatch(
      /events\.0: cites 2 items; extract each item's events on their own/,
    );
    expect(
      extractor.check!({ ticker: "MSFT", date: "2015-10-07", items, scope: "cross-item" }, { events: [ev] }),
    ).toBeUndefined();
  });

  it("the offline extractor's cross-item mode cites every item of a repeated report once", async () => {
    const { acrossItems } = await import("../agents/extractor/index.ts");
    const base = {
      group: "Corporate Operations",
      type: "Profitability",
      ...noDetails(),
    };
    const out = acrossItems([
      { ...base, description: "Microsoft beats estimates", source_ids: ["a"] },
      { ...base, description: "RT Microsoft beats estimates!", source_ids: ["b"] },
      { ...base, type: "Expenditure", description: "Microsoft beats estimates", source_ids: ["c"] },
      { ...base, description: "Microsoft misses estimates", source_ids: ["d"] },
    ]);
    expect(out.map((e) => e.source_ids)).toEqual([["a", "b"], ["c"], ["d"]]);
  });
});

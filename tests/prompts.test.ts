import { describe, expect, it } from "vitest";
import { promptFor } from "../agents/kit.ts";
import { AGENTS, promptVersions } from "../agents/registry.ts";
import { predictor } from "../agents/predictor/index.ts";
import { runContext } from "../src/config/context.ts";

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
    expect(promptFor(predictor, runContext()).version).toBe("1.2.1");
    expect(promptFor(predictor, runContext({ prompts: { predictor: "1.0.1" } })).system).not.toMatch(/three steps/);
    expect(promptVersions(runContext({ prompts: { predictor: "1.0.1" } })).predictor).toBe("1.0.1");
    expect(() => promptFor(predictor, runContext({ prompts: { predictor: "9.9.9" } }))).toThrow(/predictor has no prompt version 9\.9\.9 \(versions: 1\.0\.1, 1\.1\.1, 1\.2\.1\)/);
    expect(() => runContext({ prompts: { predictor: "latest" } })).toThrow(/expected a version/);
  });
});

describe("predictor 1.2.1 (layered memory)", () => {
  it("adds the memory records (fenced), and renders exactly 1.1.1 otherwise", async () => {
    const { predictorPromptV11, predictorPromptV12 } = await import("../prompts/predictor.ts");
    const input = { ticker: "MSFT", date: "2015-10-07", series: [], today: { date: "2015-10-07", events: [] }, references: [] };
    const withMem = predictorPromptV12.render({ ...input, memories: [{ id: "lm:daily:MSFT:2015-10-06:ab", layer: "short", date: "2015-10-06", text: "MSFT closed up" }] });
    expect(withMem).toMatch(/Memory records .*:\n- \[lm:daily:MSFT:2015-10-06:ab\] \(short, 2015-10-06\) <data>MSFT closed up<\/data>\n\nReturn \{/);
    expect(predictorPromptV12.render(input)).toBe(predictorPromptV11.render(input)); // StockMem-only: unchanged
    expect(predictorPromptV12.system).toBe(predictorPromptV11.system);
  });
});

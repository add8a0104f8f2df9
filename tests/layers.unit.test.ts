import { describe, expect, it } from "vitest";
import { LayerParams } from "../src/config/context.ts";
import {
  applyReward,
  candidateReward,
  decayImportance,
  groupAdvantages,
  jump,
  type LayerRecord,
  layerWeekCounts,
  nextLayer,
  RewardTooEarlyError,
  recency,
  score,
  shouldPrune,
  weekOf,
} from "../src/memory/layers.ts";

const p = LayerParams.parse({});
const rec = (over: Partial<LayerRecord>): LayerRecord => ({
  id: "m1",
  layer: "short",
  importance: 0.5,
  accessCount: 0,
  createdDay: 0,
  layerSinceDay: 0,
  ...over,
});

describe("recency and decay", () => {
  it("recency is exp(-age/Q) per layer, 1 at age 0", () => {
    expect(recency(0, "short", p)).toBe(1);
    expect(recency(3, "short", p)).toBeCloseTo(Math.exp(-1), 12);
    expect(recency(30, "mid", p)).toBeCloseTo(Math.exp(-1), 12);
    expect(recency(10, "long", p)).toBeGreaterThan(recency(10, "short", p));
    expect(() => recency(-1, "short", p)).toThrow(/before it exists/);
  });

  it("importance decays by the layer's factor per trading day", () => {
    expect(decayImportance(0.8, "short", 2, p)).toBeCloseTo(0.8 * 0.81, 12);
    expect(decayImportance(0.8, "long", 0, p)).toBe(0.8);
    expect(decayImportance(0.8, "long", 10, p)).toBeGreaterThan(decayImportance(0.8, "mid", 10, p));
  });

  it("scores by normalised weights", () => {
    expect(score(1, 1, 1, p)).toBeCloseTo(1, 12);
    expect(score(0.8, 0.4, 0.2, p)).toBeCloseTo(0.5 * 0.8 + 0.25 * 0.4 + 0.25 * 0.2, 12);
  });
});

describe("jumps with hysteresis", () => {
  it("promotes at the threshold and demotes only below threshold minus the margin", () => {
    expect(nextLayer(rec({ layer: "short", importance: 0.6 }), 10, p)).toBe("mid");
    expect(nextLayer(rec({ layer: "mid", importance: 0.8 }), 10, p)).toBe("long");
    expect(nextLayer(rec({ layer: "long", importance: 0.7 }), 10, p)).toBe("long"); // in the hysteresis band
    expect(nextLayer(rec({ layer: "long", importance: 0.64 }), 10, p)).toBe("mid");
    expect(nextLayer(rec({ layer: "mid", importance: 0.5 }), 10, p)).toBe("mid");
    expect(nextLayer(rec({ layer: "mid", importance: 0.44 }), 10, p)).toBe("short");
  });

  it("never lets a record just promoted fall back the next day (FinMem's defect)", () => {
    let r = rec({ layer: "mid", importance: 0.8, layerSinceDay: 0 });
    r = jump(r, 10, p);
    expect(r).toMatchObject({ layer: "long", layerSinceDay: 10 });
    // next day its importance decays a little below the promotion threshold, even below the demotion line
    const dipped = { ...r, importance: 0.6 };
    expect(jump(dipped, 11, p).layer).toBe("long"); // minimum dwell
    expect(jump(dipped, 15, p).layer).toBe("mid"); // after the dwell, the demotion line applies
    expect(jump({ ...r, importance: 0.79 }, 30, p).layer).toBe("long"); // just under the ceiling: hysteresis
  });

  it("keeps reflection records in their layer", () => {
    expect(nextLayer(rec({ layer: "reflection", importance: 1 }), 100, p)).toBe("reflection");
  });
});

describe("pruning", () => {
  it("drops stale low-value short and mid records, keeps valuable or fresh ones", () => {
    expect(shouldPrune(rec({ layer: "short", importance: 0.01, createdDay: 0 }), 20, p)).toBe(true); // exp(-20/3) < 0.05
    expect(shouldPrune(rec({ layer: "short", importance: 0.01, createdDay: 0 }), 2, p)).toBe(false); // fresh
    expect(shouldPrune(rec({ layer: "short", importance: 0.3, createdDay: 0 }), 20, p)).toBe(false); // valuable
    expect(shouldPrune(rec({ layer: "long", importance: 0.2, createdDay: 0 }), 2000, p)).toBe(false);
    expect(shouldPrune(rec({ layer: "long", importance: 0.01, createdDay: 0 }), 5, p)).toBe(true);
  });
});

describe("reward write-back", () => {
  const known = Date.parse("2015-10-08T20:00:00Z");
  it("is refused before the outcome is known", () => {
    expect(() => applyReward(rec({}), true, known, known - 1, p)).toThrow(RewardTooEarlyError);
  });
  it("moves importance and access count once the outcome is known", () => {
    expect(applyReward(rec({ importance: 0.5 }), true, known, known, p)).toMatchObject({
      importance: 0.6,
      accessCount: 1,
    });
    expect(applyReward(rec({ importance: 0.5 }), false, known, known + 1, p).importance).toBeCloseTo(0.4, 12);
    expect(applyReward(rec({ importance: 0.95 }), true, known, known, p).importance).toBe(1);
    expect(applyReward(rec({ importance: 0.05 }), false, known, known, p).importance).toBe(0);
  });
});

describe("GRPO-style advantages", () => {
  it("are (r - mean) / std within the group", () => {
    const r = [1, -1, 1, -1.5].map((x) => x);
    const mean = (1 - 1 + 1 - 1.5) / 4;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 4);
    expect(groupAdvantages(r)).toEqual(r.map((x) => expect.closeTo((x - mean) / sd, 12)));
    expect(candidateReward(true, true)).toBe(1);
    expect(candidateReward(false, false)).toBe(-1.5);
  });
  it("are all zero for a group with zero variance (and empty for no group)", () => {
    expect(groupAdvantages([1, 1, 1, 1])).toEqual([0, 0, 0, 0]);
    expect(groupAdvantages([])).toEqual([]);
  });
});

describe("layer counts per week", () => {
  it("groups records by the Monday of their week and by layer", () => {
    expect(weekOf("2015-10-07")).toBe("2015-10-05"); // a Wednesday
    expect(weekOf("2015-10-05")).toBe("2015-10-05");
    expect(weekOf("2015-10-11")).toBe("2015-10-05"); // Sunday
    expect(
      layerWeekCounts([
        { date: "2015-10-06", layer: "short" },
        { date: "2015-10-09", layer: "short" },
        { date: "2015-10-12", layer: "long" },
      ]),
    ).toEqual([
      { week: "2015-10-05", short: 2, mid: 0, long: 0, reflection: 0 },
      { week: "2015-10-12", short: 0, mid: 0, long: 1, reflection: 0 },
    ]);
  });
});

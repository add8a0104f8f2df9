import { describe, expect, it } from "vitest";
import { features, fitLogistic, logisticPredictions, predictLogistic } from "../evals/logistic.ts";
import { loadMarketData } from "../src/data/load.ts";
import { findType, N_GROUPS, N_TYPES } from "../src/domain/taxonomy.ts";
import { type Bar, writeDataDir } from "./helpers/data-dir.ts";

const LAUNCH = { group: "Products and Market", type: "New Product Launch" };
const PROFIT = { group: "Corporate Operations", type: "Profitability" };

describe("the logistic-regression baseline", () => {
  it("lays out w days of type and group bits, oldest first, then the previous return", () => {
    expect(findType(PROFIT.group, PROFIT.type), "taxonomy names used here").toBeDefined();
    const x = features({ days: [[LAUNCH], []], prevReturn: 0.02 }, 3);
    expect(x).toHaveLength(1 + 3 * (N_TYPES + N_GROUPS) + 1);
    const t = findType(LAUNCH.group, LAUNCH.type)!;
    const day = (d: number) => x.slice(1 + d * (N_TYPES + N_GROUPS), 1 + (d + 1) * (N_TYPES + N_GROUPS));
    expect(day(0).every((v) => v === 0)).toBe(true); // padding: the data starts inside the window
    expect(day(1)[t.id]).toBe(1);
    expect(day(1)[N_TYPES + t.groupId]).toBe(1);
    expect(day(2).every((v) => v === 0)).toBe(true);
    expect(x.at(-1)).toBeCloseTo(0.2, 12);
  });

  it("learns a separable rule, the same weights every time", () => {
    const X = Array.from({ length: 40 }, (_, i) => features({ days: [i % 2 ? [LAUNCH] : [PROFIT]], prevReturn: 0 }, 1));
    const y = X.map((_, i): "up" | "down" => (i % 2 ? "up" : "down"));
    const w = fitLogistic(X, y);
    expect(fitLogistic(X, y)).toEqual(w);
    expect(X.map((x) => predictLogistic(w, x))).toEqual(y);
  });

  it("is fit on the training window only: test labels cannot change it", async () => {
    // training days alternate down/up; the test days' prices differ between the two datasets
    const train = [100, 97, 101, 98, 102];
    const bars = (test: number[]): Bar[] =>
      [
        "2015-06-01",
        "2015-06-02",
        "2015-06-03",
        "2015-06-04",
        "2015-06-05",
        "2015-06-08",
        "2015-06-09",
        "2015-06-10",
      ].map((date, i) => ({
        date,
        adj: [...train, 104, ...test][i]!,
      }));
    const events = async (_t: string, dates: readonly string[]) =>
      new Map(dates.map((d, i) => [d, i % 2 ? [LAUNCH] : [PROFIT]]));
    const run = async (test: number[]) => {
      const data = await loadMarketData(writeDataDir(bars(test), []));
      return logisticPredictions({
        data,
        tickers: ["TEST"],
        train: { from: "2015-06-01", to: "2015-06-05" },
        examples: [{ ticker: "TEST", date: "2015-06-08" }],
        w: 2,
        eventsOf: events,
      });
    };
    // 06-08's features are the same in both (its window and the move into it); its label and later ones differ
    const a = await run([120, 130]);
    const b = await run([80, 70]);
    expect(a.predictions.size).toBe(1);
    expect(b.weights).toEqual(a.weights);
    expect(b.predictions).toEqual(a.predictions);
    expect(a.weights.some((x) => x !== 0)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { isTradingDay } from "../src/data/exchange-holidays.ts";
import { loadMarketData } from "../src/data/load.ts";
import { dataStats } from "../src/data/stats.ts";
import { HAS_SHARED, SHARED_DATA } from "./helpers/shared.ts";

describe.skipIf(!HAS_SHARED)("full StockNet tech subset (../shared)", () => {
  it("counts the targets t -> t+1 of 2014-2015 as pinned in the foundation issue", async () => {
    const data = await loadMarketData(SHARED_DATA, { tickers: ["AAPL", "MSFT", "ORCL"] });
    const byTicker = Object.fromEntries(dataStats(data, "2014-01-01", "2015-12-31").tickers.map((t) => [t.ticker, t]));
    expect(byTicker.AAPL!.labels).toEqual({ up: 122, down: 94, flat: 288, unlabeled: 0 });
    expect(byTicker.MSFT!.labels).toEqual({ up: 109, down: 83, flat: 312, unlabeled: 0 });
    expect(byTicker.ORCL!.labels).toEqual({ up: 94, down: 89, flat: 321, unlabeled: 0 });
    expect(byTicker.AAPL!.days_with_items).toBe(482);
    expect(data.report.invalid).toHaveLength(0);
  });

  it("trades on exactly the NYSE's trading days (the holiday rules the daily loop uses), 2014-2015", async () => {
    const data = await loadMarketData(SHARED_DATA);
    const dates = new Set([...data.series.values()].flatMap((s) => [...s.calendar.dates]));
    const sorted = [...dates].sort();
    expect(sorted.filter((d) => !isTradingDay(d))).toEqual([]);
    const expected: string[] = [];
    for (let t = Date.parse(`${sorted[0]}T00:00:00Z`); t <= Date.parse(`${sorted.at(-1)}T00:00:00Z`); t += 86_400_000) {
      const d = new Date(t).toISOString().slice(0, 10);
      if (isTradingDay(d)) expected.push(d);
    }
    expect(sorted).toEqual(expected);
  });
});

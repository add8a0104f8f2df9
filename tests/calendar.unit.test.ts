import { describe, expect, it } from "vitest";
import { closeInstantMs, dateOfEpochDay, epochDay, TradingCalendar } from "../src/data/calendar.ts";
import { labelOf, simpleReturn } from "../src/data/labels.ts";

const iso = (ms: number) => new Date(ms).toISOString();

describe("exchange close", () => {
  it("is 16:00 New York: 21:00 UTC in winter, 20:00 UTC in summer", () => {
    expect(iso(closeInstantMs("2015-01-05"))).toBe("2015-01-05T21:00:00.000Z");
    expect(iso(closeInstantMs("2015-07-01"))).toBe("2015-07-01T20:00:00.000Z");
  });

  it("switches on the DST dates (2015-03-08 spring, 2015-11-01 fall)", () => {
    expect(iso(closeInstantMs("2015-03-06"))).toBe("2015-03-06T21:00:00.000Z");
    expect(iso(closeInstantMs("2015-03-09"))).toBe("2015-03-09T20:00:00.000Z");
    expect(iso(closeInstantMs("2015-10-30"))).toBe("2015-10-30T20:00:00.000Z");
    expect(iso(closeInstantMs("2015-11-02"))).toBe("2015-11-02T21:00:00.000Z");
  });

  it("round-trips epoch days", () => {
    expect(epochDay("1970-01-02")).toBe(1);
    expect(dateOfEpochDay(epochDay("2015-12-31"))).toBe("2015-12-31");
  });
});

describe("alignment of items to trading days", () => {
  // Fri 03-06, Mon 03-09 (DST began Sun 03-08), Tue 03-10; Thu 11-25 .. Fri 11-27 with Thanksgiving 11-26 closed.
  const cal = new TradingCalendar(["2015-03-05", "2015-03-06", "2015-03-09", "2015-03-10"]);
  const dayOf = (at: string) => {
    const a = cal.align(Date.parse(at));
    return a.kind === "day" ? cal.dates[a.index] : a.kind;
  };

  it("puts an item at or before the close into that day, after it into the next", () => {
    expect(dayOf("2015-03-06T20:59:59Z")).toBe("2015-03-06");
    expect(dayOf("2015-03-06T21:00:00Z")).toBe("2015-03-06");
    expect(dayOf("2015-03-06T21:00:01Z")).toBe("2015-03-09");
  });

  it("carries weekend items to Monday", () => {
    expect(dayOf("2015-03-07T12:00:00Z")).toBe("2015-03-09");
    expect(dayOf("2015-03-08T23:00:00Z")).toBe("2015-03-09");
  });

  it("uses the summer close right after the spring switch", () => {
    // 20:30 UTC on Monday 03-09 is 16:30 EDT: after the close (it would be 15:30 under EST).
    expect(dayOf("2015-03-09T20:30:00Z")).toBe("2015-03-10");
    expect(dayOf("2015-03-09T19:59:00Z")).toBe("2015-03-09");
  });

  it("uses the winter close right after the fall switch", () => {
    const fall = new TradingCalendar(["2015-10-29", "2015-10-30", "2015-11-02"]);
    const a = fall.align(Date.parse("2015-11-02T20:30:00Z")); // 15:30 EST: before the close
    expect(a.kind === "day" && fall.dates[a.index]).toBe("2015-11-02");
    const b = fall.align(Date.parse("2015-10-30T20:30:00Z")); // 16:30 EDT Friday: next trading day
    expect(b.kind === "day" && fall.dates[b.index]).toBe("2015-11-02");
  });

  it("skips an exchange holiday (no price row) to the next trading day", () => {
    const hol = new TradingCalendar(["2015-11-24", "2015-11-25", "2015-11-27"]);
    const a = hol.align(Date.parse("2015-11-26T15:00:00Z")); // Thanksgiving
    expect(a.kind === "day" && hol.dates[a.index]).toBe("2015-11-27");
  });

  it("reports items outside the calendar instead of forcing them into a day", () => {
    expect(dayOf("2015-03-05T20:00:00Z")).toBe("before-range");
    expect(dayOf("2015-03-10T20:00:01Z")).toBe("after-range");
  });
});

describe("label rule", () => {
  it("is strict at exactly +/-1 %", () => {
    expect(simpleReturn(100, 101)).toBe(0.01);
    expect(labelOf(simpleReturn(100, 101))).toBe("flat");
    expect(labelOf(simpleReturn(100, 99))).toBe("flat");
    expect(labelOf(simpleReturn(100, 101.0001))).toBe("up");
    expect(labelOf(simpleReturn(100, 98.9999))).toBe("down");
    expect(labelOf(0)).toBe("flat");
  });

  it("rejects non-positive prices", () => {
    expect(() => simpleReturn(0, 1)).toThrow(/positive/);
  });
});

describe("NYSE trading days (the next day after the data's last close)", () => {
  it("match the real calendar of the bundled prices, day for day", async () => {
    const { loadMarketData } = await import("../src/data/load.ts");
    const { SAMPLE_DATA_DIR } = await import("../src/config/paths.ts");
    const { isTradingDay, nextTradingDay } = await import("../src/data/exchange-holidays.ts");
    const dates = (await loadMarketData(SAMPLE_DATA_DIR, { tickers: ["AAPL"] })).series.get("AAPL")!.calendar.dates;
    const all: string[] = [];
    for (let d = dates[0]!; d <= dates.at(-1)!; d = dateOfEpochDay(epochDay(d) + 1)) if (isTradingDay(d)) all.push(d);
    expect(all).toEqual([...dates]); // 2015-05-29..2016-01-04: Independence Day observed on Friday 07-03, Thanksgiving, Christmas
    for (let i = 0; i + 1 < dates.length; i++) expect(nextTradingDay(dates[i]!)).toBe(dates[i + 1]);
  });

  it("follow the exchange's rules in other years", async () => {
    const { nyseHolidays, nextTradingDay } = await import("../src/data/exchange-holidays.ts");
    // New Year's Day on a Saturday is not observed; Juneteenth from 2022; Christmas on a Sunday moves to Monday
    expect([...nyseHolidays(2022)].sort()).toEqual([
      "2022-01-17",
      "2022-02-21",
      "2022-04-15",
      "2022-05-30",
      "2022-06-20",
      "2022-07-04",
      "2022-09-05",
      "2022-11-24",
      "2022-12-26",
    ]);
    expect(nextTradingDay("2026-04-02")).toBe("2026-04-06"); // Good Friday
    expect(nextTradingDay("2026-12-31")).toBe("2027-01-04");
  });
});

/** The synthetic universe of the scale benches (issue 22, item 4): deterministic, loadable, and shaped like the sample. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { loadMarketData } from "../src/data/load.ts";
import { writeUniverse } from "../testkit/universe.ts";

describe("synthetic universe", () => {
  it("is the same for a seed, loads clean, and draws its news volume and moves like a real market", async () => {
    const [a, b, c] = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "stockmem-universe-")));
    const u = await writeUniverse(a!, { tickers: 60, days: 20, seed: 7 });
    await writeUniverse(b!, { tickers: 60, days: 20, seed: 7 });
    await writeUniverse(c!, { tickers: 60, days: 20, seed: 8 });
    for (const f of ["news.jsonl", "prices.csv"]) {
      expect(readFileSync(join(a!, f), "utf8")).toBe(readFileSync(join(b!, f), "utf8"));
      expect(readFileSync(join(a!, f), "utf8")).not.toBe(readFileSync(join(c!, f), "utf8"));
    }
    const data = await loadMarketData(a!, { maxItemsPerDay: 10_000 });
    expect(data.tickers).toHaveLength(60);
    expect(data.report.invalid).toEqual([]);
    expect(data.report.keptItems).toBe(u.items); // every item lands on a trading day of its ticker
    expect(u.dates).toHaveLength(21);
    // news per ticker-day: the sample's mean, within sampling error
    const sample = await loadMarketData(SAMPLE_DATA_DIR);
    const perDay = (d: typeof data) =>
      [...d.series.values()].flatMap((s) => s.itemsByDay.slice(1).map((x) => x.length));
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(perDay(data)) / mean(perDay(sample))).toBeGreaterThan(0.75);
    expect(mean(perDay(data)) / mean(perDay(sample))).toBeLessThan(1.25);
    // daily moves: a realistic volatility, and labels of both directions
    const rets = [...data.series.values()].flatMap((s) =>
      s.bars.slice(1).map((bar, i) => Math.log(bar.adj_close / s.bars[i]!.adj_close)),
    );
    const sd = Math.sqrt(mean(rets.map((r) => r * r)));
    expect(sd).toBeGreaterThan(0.01);
    expect(sd).toBeLessThan(0.035);
    const labels = [...data.series.values()].flatMap((s) => s.days.map((x) => x.label));
    for (const l of ["up", "down", "flat"]) expect(labels).toContain(l);
    // texts are retold about their synthetic company (other companies they name stay named)
    const items = readFileSync(join(a!, "news.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ticker: string; text: string });
    const own = items.filter((i) => i.text.includes(`$${i.ticker}`) || i.text.includes(`Company ${i.ticker}`));
    expect(own.length / items.length).toBeGreaterThan(0.5);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Bar {
  ticker?: string;
  date: string;
  adj: number;
  close?: number;
}
export type Item = Record<string, unknown> & { id: string; published_at: string };

const priceRow = (b: Bar) => {
  const c = b.close ?? b.adj;
  return [b.ticker ?? "TEST", b.date, c, c, c, c, b.adj, 1000].join(",");
};

export const item = (id: string, published_at: string, text = `news ${id}`, ticker = "TEST"): Item => ({
  id,
  ticker,
  published_at,
  title: null,
  text,
  source: "twitter",
  author: "a",
  is_retweet: false,
  lang: "en",
});

/** Writes a market data dir; `newsLines` entries that are strings are written verbatim (for malformed lines). */
export function writeDataDir(bars: Bar[], newsLines: (Item | string)[]): string {
  const dir = mkdtempSync(join(tmpdir(), "stockmem-data-"));
  writeFileSync(
    join(dir, "prices.csv"),
    `${["ticker,date,open,high,low,close,adj_close,volume", ...bars.map(priceRow)].join("\n")}\n`,
  );
  writeFileSync(
    join(dir, "news.jsonl"),
    `${newsLines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`,
  );
  return dir;
}

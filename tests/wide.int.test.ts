/**
 * A wide run (issue 23, item 8): 250 tickers side by side, the CLI in a child process. Each phase fans
 * out one task per ticker, and LangGraph adds each task's abort listener to one signal: the run raises
 * Node's listener limit to its width instead of printing a MaxListenersExceededWarning per phase.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config/paths.ts";
import { useIsolatedStockmem } from "./helpers/chroma.ts";

const env = useIsolatedStockmem();

describe("a wide run", () => {
  it("runs 250 tickers without a listener warning, one prediction each", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockmem-wide-"));
    const tickers = Array.from({ length: 250 }, (_, i) => `W${String(i).padStart(3, "0")}`);
    const days: [string, number][] = [
      ["2015-10-01", 100],
      ["2015-10-02", 102],
      ["2015-10-05", 99],
      ["2015-10-06", 101],
    ];
    writeFileSync(
      join(dir, "prices.csv"),
      `ticker,date,open,high,low,close,adj_close,volume\n${tickers.flatMap((t) => days.map(([d, p]) => `${t},${d},${p},${p},${p},${p},${p},1000`)).join("\n")}\n`,
    );
    writeFileSync(
      join(dir, "news.jsonl"),
      tickers
        .map((t) =>
          JSON.stringify({
            id: `n-${t}`,
            ticker: t,
            published_at: "2015-10-02T13:00:00Z",
            text: `${t} announces a new product`,
          }),
        )
        .join("\n"),
    );
    const r = spawnSync(
      process.execPath,
      [
        join(PACKAGE_ROOT, "bin/stockmem.mjs"),
        "run",
        "--run",
        "wide",
        "--data",
        dir,
        "--train",
        "2015-10-01:2015-10-02",
        "--test",
        "2015-10-05:2015-10-05",
      ],
      { env: { ...process.env, CHROMA_URL: env.server().url, STOCKMEM_DATA_DIR: env.state() }, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(
      readFileSync(join(env.state(), "runs", "wide", "predictions.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean),
    ).toHaveLength(250);
  });
});

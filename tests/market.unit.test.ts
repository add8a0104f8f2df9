/** The one way the product reads market data (issue 20, item 1): `readMarket`, and nothing around it. */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunContext } from "../src/config/context.ts";
import { PACKAGE_ROOT, runRecordFile, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { marketDirOf, readMarket } from "../src/runtime/market.ts";
import { type RunRecord, writeWhole } from "../src/runtime/run-files.ts";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A state dir with one run recorded over `dataDir`, and the env pointing at it. */
function recordRun(run: string, dataDir: string, ctx: Partial<RunContext> = {}): void {
  process.env.STOCKMEM_DATA_DIR = mkdtempSync(join(tmpdir(), "stockmem-state-"));
  delete process.env.STOCKMEM_MARKET_DATA;
  const record: RunRecord = {
    ctx: RunContext.parse({ run, ...ctx }),
    dataDir,
    train: { from: "2015-07-01", to: "2015-09-30" },
    testFrom: "2015-10-01",
  };
  writeWhole(runRecordFile(run), JSON.stringify(record));
}

describe("readMarket", () => {
  it("reads the named run's data dir and limits when the command gives none; a flag wins", async () => {
    const mine = mkdtempSync(join(tmpdir(), "stockmem-mine-"));
    cpSync(SAMPLE_DATA_DIR, mine, { recursive: true });
    recordRun("mine", mine, { maxItemsPerDay: 1 });
    expect(marketDirOf({ run: "mine" })).toBe(mine);
    const viaRun = await readMarket({ run: "mine" });
    expect(viaRun.dir).toBe(mine);
    expect(Object.keys(viaRun.report.droppedBySpamCap).length).toBeGreaterThan(0); // the run's cap of 1 item a day
    for (const s of viaRun.series.values()) expect(Math.max(...s.itemsByDay.map((d) => d.length))).toBe(1);
    // an explicit flag wins over the record, limits included
    const viaFlag = await readMarket({ run: "mine", dataDir: SAMPLE_DATA_DIR, maxItemsPerDay: 3 });
    expect(viaFlag.dir).toBe(SAMPLE_DATA_DIR);
    for (const s of viaFlag.series.values()) expect(Math.max(...s.itemsByDay.map((d) => d.length))).toBe(3);
    // a run never started here reads the default data
    expect(marketDirOf({ run: "never" })).toBe(SAMPLE_DATA_DIR);
  });

  it("lets a graph run from the dev server read only the project's configured data dirs (the day graph too)", async () => {
    delete process.env.STOCKMEM_DATA_DIRS;
    delete process.env.STOCKMEM_MARKET_DATA;
    await expect(readMarket({ dataDir: "/etc", caller: "studio" })).rejects.toThrow(
      /context\.dataDir "\/etc" is not a data dir this project configures/,
    );
    const { graph } = await import("../graphs/day.ts");
    await expect(
      graph.invoke({ ticker: "MSFT", date: "2015-11-02" }, { context: { dataDir: "/etc" } }),
    ).rejects.toThrow(/not a data dir this project configures/);
    // the CLI's --data reads any dir the user names (here one without data: the loader says what is missing)
    await expect(readMarket({ dataDir: "/etc" })).rejects.toThrow(/data dir \/etc has no news\.jsonl/);
  });

  it("is the only caller of the data dir parser outside the tests", () => {
    const callers: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!["node_modules", "tests", "testkit", ".stockmem", ".git"].includes(e.name)) walk(p);
        } else if (e.name.endsWith(".ts") && /\bloadMarketData\(/.test(readFileSync(p, "utf8")))
          callers.push(relative(PACKAGE_ROOT, p));
      }
    };
    walk(PACKAGE_ROOT);
    expect(callers.sort()).toEqual(["src/data/load.ts", "src/runtime/market.ts"]);
  });
});

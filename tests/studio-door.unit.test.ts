/** The dev server's door and what a graph run from it may read (issue 23, item 6): pure rules. */
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { admittedDataDir, doorRefusal, studioBudgetCalls } from "../src/config/studio.ts";

describe("the dev server's door", () => {
  it("admits local hosts, Studio's origin and local pages; refuses other origins and rebound host names", () => {
    expect(doorRefusal({ host: "127.0.0.1:2124" })).toBeUndefined();
    expect(doorRefusal({ host: "localhost:2124", origin: "https://smith.langchain.com" })).toBeUndefined();
    expect(doorRefusal({ host: "127.0.0.1:2124", origin: "http://localhost:5173" })).toBeUndefined();
    expect(doorRefusal({ host: "[::1]:2124", origin: "http://127.0.0.1:3000" })).toBeUndefined();
    expect(doorRefusal({ host: "127.0.0.1:2124", origin: "https://evil.example" })).toMatch(
      /origin "https:\/\/evil\.example" may not drive/,
    );
    expect(doorRefusal({ host: "127.0.0.1:2124", origin: "https://smith.langchain.com.evil.example" })).toMatch(
      /may not drive/,
    );
    expect(doorRefusal({ host: "127.0.0.1:2124", origin: "null" })).toMatch(/may not drive/);
    expect(doorRefusal({ host: "evil.example:2124" })).toMatch(/host "evil\.example:2124" is not a local name/);
    expect(doorRefusal({ host: "localhost.evil.example" })).toMatch(/not a local name/);
    expect(doorRefusal({})).toMatch(/not a local name/);
    expect(
      doorRefusal(
        { host: "127.0.0.1:2124", origin: "https://lab.example" },
        { STOCKMEM_STUDIO_ORIGINS: "https://lab.example" },
      ),
    ).toBeUndefined();
  });

  it("lets a graph context read only the data dirs the project configures, naming none of their contents", () => {
    expect(admittedDataDir(undefined, {})).toBe(SAMPLE_DATA_DIR);
    expect(admittedDataDir(SAMPLE_DATA_DIR, {})).toBe(SAMPLE_DATA_DIR);
    expect(() => admittedDataDir("/etc", {})).toThrow(
      /context\.dataDir "\/etc" is not a data dir this project configures .* STOCKMEM_DATA_DIRS/,
    );
    const mine = mkdtempSync(join(tmpdir(), "stockmem-data-"));
    expect(() => admittedDataDir(mine, {})).toThrow(/not a data dir this project configures/);
    expect(admittedDataDir(mine, { STOCKMEM_DATA_DIRS: `/nowhere:${mine}` })).toBe(mine);
    expect(admittedDataDir(mine, { STOCKMEM_MARKET_DATA: mine })).toBe(mine);
    // a link to a configured dir is that dir; a link elsewhere is not
    const link = join(mkdtempSync(join(tmpdir(), "stockmem-link-")), "d");
    symlinkSync(mine, link);
    expect(admittedDataDir(link, { STOCKMEM_DATA_DIRS: mine })).toBe(mine);
    expect(() => admittedDataDir(link, {})).toThrow(/not a data dir/);
  });

  it("gives graph runs a model-call budget unless their context sets one", () => {
    expect(studioBudgetCalls({})).toBe(300);
    expect(studioBudgetCalls({ STOCKMEM_STUDIO_BUDGET_CALLS: "40" })).toBe(40);
    expect(studioBudgetCalls({ STOCKMEM_STUDIO_BUDGET_CALLS: "lots" })).toBe(300);
  });
});

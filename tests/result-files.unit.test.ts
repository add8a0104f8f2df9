/**
 * Names and files read back from disk are validated like names from flags (issue 23, items 7 and 9):
 * a crafted result cannot make `report` write outside the results dir, and `eval compare` on a file
 * that is not a result (null, a device, a FIFO, a foreign label) fails with one line naming the file.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadResult } from "../evals/compare.ts";
import { cli } from "./helpers/cli.ts";
import { syntheticResult } from "./helpers/results.ts";

const dir = mkdtempSync(join(tmpdir(), "stockmem-results-"));
const put = (name: string, body: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof body === "string" ? body : JSON.stringify(body));
  return f;
};

describe("result files", () => {
  it("reads a result that experimentName wrote", () => {
    const f = put("ok.json", syntheticResult());
    expect(loadResult(f).experiment).toBe("syn__offline__p1.1.0__20261121-000000");
  });

  it("refuses an experiment name that is a path, so report never writes outside the results dir", async () => {
    const target = join(dir, "escaped", "pwned");
    const f = put("crafted.json", { ...syntheticResult(), experiment: `../../../../../..${target}` });
    expect(() => loadResult(f)).toThrow(
      /crafted\.json is not an experiment result: experiment: an experiment name is letters, digits/,
    );
    vi.stubEnv("STOCKMEM_EVALS_DIR", join(dir, "evals"));
    try {
      const r = await cli("report", "--experiment", f);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^stockmem: .*crafted\.json is not an experiment result: experiment:/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(existsSync(`${target}.html`)).toBe(false);
  });

  it("names the file and the problem for null, non-JSON, a foreign label, a device and a FIFO", async () => {
    expect(() => loadResult(put("null.json", "null"))).toThrow(/null\.json is not an experiment result: the file: /);
    expect(() => loadResult(put("torn.json", '{"experiment": "a'))).toThrow(/torn\.json is not JSON \(/);
    const sideways = syntheticResult();
    sideways.examples[3] = { ...sideways.examples[3]!, predicted: "sideways" as never };
    expect(() => loadResult(put("sideways.json", sideways))).toThrow(
      /sideways\.json is not an experiment result: examples\.3\.predicted: /,
    );
    expect(() => loadResult("/dev/zero")).toThrow(/\/dev\/zero is not a regular file/);
    const fifo = join(dir, "fifo.json");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(() => loadResult(fifo)).toThrow(/fifo\.json is not a regular file/);
    const r = await cli("eval", "compare", put("a.json", syntheticResult()), join(dir, "null.json"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stockmem: .*null\.json is not an experiment result/);
    expect(r.err).not.toMatch(/Cannot read properties/);
  });
});

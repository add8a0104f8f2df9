import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config/paths.ts";

const config = JSON.parse(readFileSync(join(PACKAGE_ROOT, "langgraph.json"), "utf8")) as {
  graphs: Record<string, { path: string; description: string }>;
};

describe("langgraph.json", () => {
  it("lists every graph of graphs/ with a description", async () => {
    const { readdirSync } = await import("node:fs");
    const files = readdirSync(join(PACKAGE_ROOT, "graphs"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `./graphs/${f}:graph`);
    expect(
      Object.values(config.graphs)
        .map((g) => g.path)
        .sort(),
    ).toEqual(files.sort());
    for (const g of Object.values(config.graphs)) expect(g.description.length).toBeGreaterThan(20);
  });

  it.each(Object.entries(config.graphs))("entry %s resolves to a compiled graph with that name", async (name, spec) => {
    const [file, exportName] = spec.path.split(":");
    const mod = (await import(join(PACKAGE_ROOT, file!))) as Record<string, { name: string; invoke: unknown }>;
    const graph = mod[exportName!];
    expect(graph, `${file} exports ${exportName}`).toBeDefined();
    expect(typeof graph!.invoke).toBe("function");
    expect(graph!.name).toBe(name);
  });
});

describe("day graph", () => {
  it("returns only the items published up to the day's close", async () => {
    const { graph } = await import("../graphs/day.ts");
    const out = await graph.invoke({ ticker: "MSFT", date: "2015-11-02" });
    expect(out.asOf).toBe("2015-11-02T21:00:00.000Z"); // first Monday after the fall DST switch
    expect(out.itemCount).toBeGreaterThan(0);
    expect(out.items!.every((i) => i.published_at <= "2015-11-02T21:00:00Z")).toBe(true);
    expect(out.items!.every((i) => i.published_at > "2015-10-30T20:00:00Z")).toBe(true); // after Friday's close
  });
});

describe("graph state read by later nodes", () => {
  it("names a field an earlier node should have set instead of passing undefined on", async () => {
    const { need } = await import("../src/runtime/graph-state.ts");
    expect(need("2015-10-07T20:00:00.000Z", "asOf")).toBe("2015-10-07T20:00:00.000Z");
    expect(need(0, "cursor")).toBe(0);
    expect(() => need(undefined, "asOf (set by load_series)")).toThrow(
      "graph state: asOf (set by load_series) is not set",
    );
  });
});

import { describe, expect, it } from "vitest";
import { findType, GROUPS, N_GROUPS, N_TYPES, TYPES, typeById } from "../src/domain/taxonomy.ts";

describe("taxonomy", () => {
  it("has exactly 13 groups and 57 types", () => {
    expect(N_GROUPS).toBe(13);
    expect(N_TYPES).toBe(57);
    expect(GROUPS).toHaveLength(13);
    expect(TYPES).toHaveLength(57);
  });

  it("keeps stable ids in paper order", () => {
    expect(TYPES[0]).toMatchObject({ id: 0, group: "Policies and Regulation", name: "Policy Release" });
    expect(TYPES[56]).toMatchObject({ id: 56, group: "Risks and Warnings", name: "Industry-Wide Risk Alerts" });
    expect(TYPES.map((t) => t.id)).toEqual([...Array(57).keys()]);
    const perGroup = GROUPS.map((g) => TYPES.filter((t) => t.groupId === g.id).length);
    expect(perGroup).toEqual([5, 3, 3, 7, 6, 8, 3, 4, 3, 6, 4, 2, 3]);
  });

  it("identifies a type by group + name, since names repeat across groups", () => {
    const a = findType("Stock Market Performance", "Market Size");
    const b = findType("Other Financial Market Performance", "market size");
    expect(a && b && a.id !== b.id).toBe(true);
    expect(findType("Risks and Warnings", "Market Size")).toBeUndefined();
    expect(() => typeById(57)).toThrow(/outside/);
  });
});

describe("the extractor's taxonomy guide", () => {
  it("defines every one of the 57 types, and nothing else, in one line each", async () => {
    const { TYPE_DEFINITIONS, taxonomyGuide } = await import("../prompts/taxonomy-guide.ts");
    expect(Object.keys(TYPE_DEFINITIONS).sort()).toEqual(TYPES.map((t) => `${t.group} / ${t.name}`).sort());
    for (const d of Object.values(TYPE_DEFINITIONS)) expect(d).toMatch(/^[^\n]{20,200}$/);
    const guide = taxonomyGuide();
    for (const t of TYPES) expect(guide).toContain(`  - ${t.name}: ${TYPE_DEFINITIONS[`${t.group} / ${t.name}`]}`);
    expect(guide).not.toMatch(/undefined/);
  });
});

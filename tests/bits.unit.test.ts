import { describe, expect, it } from "vitest";
import { packBits, unpackBits } from "../src/domain/bits.ts";

describe("bit packing", () => {
  it("round-trips vectors of 57 and 13 bits", () => {
    const v = Array.from({ length: 57 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0)) as (0 | 1)[];
    expect(packBits(v)).toHaveLength(15);
    expect(unpackBits(packBits(v), 57)).toEqual(v);
    const g = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] as (0 | 1)[];
    expect(packBits(g)).toBe("1101");
    expect(unpackBits("1101", 13)).toEqual(g);
  });

  it("rejects a string of the wrong length", () => {
    expect(() => unpackBits("ff", 13)).toThrow(/not a packed bit vector of length 13/);
  });
});

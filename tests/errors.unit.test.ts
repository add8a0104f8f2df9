import { describe, expect, it } from "vitest";
import { messageOf } from "../src/domain/errors.ts";

describe("messageOf", () => {
  it("reads the message of whatever was thrown", () => {
    expect(messageOf(new TypeError("bad"))).toBe("bad");
    expect(messageOf("plain")).toBe("plain");
    expect(messageOf({ code: 42 })).toBe('{"code":42}');
    expect(messageOf(undefined)).toBe("undefined");
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(messageOf(loop)).toBe("[object Object]");
  });
});

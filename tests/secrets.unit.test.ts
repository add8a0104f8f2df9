/** Scrubbing's fast paths: the URL credential mask equals the regular expression it replaces; the secrets follow the env. */
import { describe, expect, it } from "vitest";
import { maskUrlCredentials, scrub, secretValues } from "../src/observability/secrets.ts";
import { lcg } from "../testkit/random.ts";

const REGEX = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi;

describe("scrubbing", () => {
  it("masks URL credentials exactly as the regular expression did, over 20,000 random texts", () => {
    const r = lcg(7);
    const any = (alphabet: string, most: number) => {
      let out = "";
      for (let n = Math.floor(r() * (most + 1)); n > 0; n--) out += alphabet[Math.floor(r() * alphabet.length)];
      return out;
    };
    // URL-like segments, most with credentials, many spoilt by one character where a scheme or credential may not have it
    const segment = () =>
      any(" x1_+.-\"'\n", 3) +
      (r() < 0.9 ? "a" : "1") +
      any("aZ1+.-_", 4) +
      "://" +
      (r() < 0.9 ? "u" : "/") +
      any("uuu111 /:@'", 3) +
      (r() < 0.9 ? ":" : "") +
      (r() < 0.9 ? "p" : "@") +
      any('ppp999 /@"', 3) +
      (r() < 0.9 ? "@" : "") +
      any("h/ :", 3);
    let masked = 0;
    for (let k = 0; k < 20_000; k++) {
      let s = "";
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) s += segment();
      const want = s.replace(REGEX, "$1***:***@");
      if (want !== s) masked++;
      expect(maskUrlCredentials(s), JSON.stringify(s)).toBe(want);
    }
    expect(masked).toBeGreaterThan(5_000); // the texts meet both sides of the rule
    const url = "see postgres://bob:s3cret@db:5432/x and https://t.co/abc, HTTP://A:B@h";
    expect(maskUrlCredentials(url)).toBe("see postgres://***:***@db:5432/x and https://t.co/abc, HTTP://***:***@h");
  });

  it("reads a secret set, or changed, in the environment since the last scrub", () => {
    const name = "STOCKMEM_TEST_API_KEY";
    try {
      expect(scrub("token abcdef123456")).toBe("token abcdef123456");
      process.env[name] = "abcdef123456";
      expect(scrub("token abcdef123456")).toBe("token ***");
      process.env[name] = "zyxwvu987654";
      expect(secretValues()).toContain("zyxwvu987654");
      expect(secretValues()).not.toContain("abcdef123456");
      expect(scrub("token abcdef123456 zyxwvu987654")).toBe("token abcdef123456 ***");
      process.env.STOCKMEM_TEST_URL = "postgres://me:hunter22@db/x";
      expect(scrub("hunter22")).toBe("***");
    } finally {
      delete process.env[name];
      delete process.env.STOCKMEM_TEST_URL;
    }
    expect(scrub("zyxwvu987654 hunter22")).toBe("zyxwvu987654 hunter22");
  });
});

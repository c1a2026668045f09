import { describe, expect, test } from "vitest";
import { OWASP_SCRYPT, scryptHasher } from "./password-hasher.js";

const hasher = scryptHasher({ N: 1024, r: 8, p: 1 });

describe("scryptHasher", () => {
  test("OWASP defaults are N=2^17, r=8, p=1", () => {
    expect(OWASP_SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
  });

  test("stores scheme and parameters in the hash", async () => {
    expect(await hasher.hash("correct horse")).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  });

  test.each(["correct horse battery staple", "😀😀😀😀😀😀😀😀", "", "a".repeat(1024)])("roundtrip %#", async (password) => {
    expect(await hasher.verify(password, await hasher.hash(password))).toBe(true);
  });

  test.each([
    { case: "different password", password: "correct horse battery stapler" },
    { case: "different case", password: "Correct horse battery staple" },
    { case: "empty", password: "" },
  ])("wrong password ($case) → false", async ({ password }) => {
    expect(await hasher.verify(password, await hasher.hash("correct horse battery staple"))).toBe(false);
  });

  test("unicode is compared after NFKC normalization", async () => {
    // "é" precomposed (U+00E9) vs "e" + combining acute (U+0065 U+0301).
    expect(await hasher.verify("caf\u0065\u0301-password", await hasher.hash("caf\u00e9-password"))).toBe(true);
  });

  test("two hashes of the same password differ (random salt) and both verify", async () => {
    const [a, b] = await Promise.all([hasher.hash("same password"), hasher.hash("same password")]);
    expect(a).not.toBe(b);
    expect(await hasher.verify("same password", a)).toBe(true);
    expect(await hasher.verify("same password", b)).toBe(true);
  });

  test("verifies with the parameters stored in the hash, not the hasher's own", async () => {
    const stored = await hasher.hash("old params");
    expect(await scryptHasher({ N: 2048, r: 8, p: 1 }).verify("old params", stored)).toBe(true);
  });

  describe("malformed stored strings → false", () => {
    const valid = "scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA";
    test.each([
      { case: "empty", stored: "" },
      { case: "garbage", stored: "not a hash" },
      { case: "other scheme", stored: valid.replace("scrypt", "bcrypt") },
      { case: "missing salt and hash", stored: "scrypt$1024$8$1$$" },
      { case: "missing hash", stored: "scrypt$1024$8$1$c2FsdA" },
      { case: "only scheme", stored: "scrypt" },
    ])("$case", async ({ stored }) => {
      expect(await hasher.verify("password", stored)).toBe(false);
    });

    test("hash of the wrong length", async () => {
      const stored = await hasher.hash("password");
      expect(await hasher.verify("password", stored.replace(/\$[^$]+$/, "$AAAA"))).toBe(false);
    });

    test("tampered salt", async () => {
      const parts = (await hasher.hash("password")).split("$");
      parts[4] = "AAAAAAAAAAAAAAAAAAAAAA";
      expect(await hasher.verify("password", parts.join("$"))).toBe(false);
    });

    // A corrupt stored hash must read as "wrong password", not crash the login.
    test.each([
      { case: "non-numeric N", stored: "scrypt$abc$8$1$c2FsdA$aGFzaA" },
      { case: "N not a power of two", stored: "scrypt$1000$8$1$c2FsdA$aGFzaA" },
    ])("$case", async ({ stored }) => {
      expect(await hasher.verify("password", stored)).toBe(false);
    });
  });

  test("default OWASP parameters work within the computed maxmem", async () => {
    const owasp = scryptHasher();
    const stored = await owasp.hash("correct horse battery staple");
    expect(stored.startsWith("scrypt$131072$8$1$")).toBe(true);
    expect(await owasp.verify("correct horse battery staple", stored)).toBe(true);
    expect(await owasp.verify("wrong", stored)).toBe(false);
  });
});

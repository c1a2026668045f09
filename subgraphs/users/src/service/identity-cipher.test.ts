import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError } from "@fixup/platform";
import { loadUsersConfig } from "../config.js";
import { TEST_KEY_A, TEST_KEY_B, testCipher } from "../../test/identity-fakes.js";
import { IdentityDecryptionError, IdentityKeyUnknownError } from "./identity-cipher.js";
import { loadIdentityKeyring, parseIdentityKeys } from "./identity-keys.js";

const OWNER = "0b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10";
const OTHER = "1b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10";

describe("IdentityCipher (AES-256-GCM)", () => {
  test("round trip; a fresh 12-byte IV per value, a 16-byte tag, the active key's id", () => {
    const cipher = testCipher();
    const one = cipher.encrypt("12345678901", OWNER);
    const two = cipher.encrypt("12345678901", OWNER);
    expect(one).toMatchObject({ keyId: "a" });
    expect(one.iv).toHaveLength(12);
    expect(one.tag).toHaveLength(16);
    expect(Buffer.from(one.iv).equals(Buffer.from(two.iv))).toBe(false);
    expect(Buffer.from(one.ciphertext).equals(Buffer.from(two.ciphertext))).toBe(false);
    expect(Buffer.from(one.ciphertext).toString("utf8")).not.toContain("12345678901");
    expect(cipher.decrypt(one, OWNER)).toBe("12345678901");
    expect(cipher.decrypt(two, OWNER)).toBe("12345678901");
  });

  test.each([
    { part: "ciphertext" as const },
    { part: "iv" as const },
    { part: "tag" as const },
  ])("a flipped byte in the $part fails authentication", ({ part }) => {
    const cipher = testCipher();
    const value = cipher.encrypt("12345678901", OWNER);
    const tampered = new Uint8Array(value[part]);
    tampered[0] = (tampered[0] ?? 0) ^ 0x01;
    expect(() => cipher.decrypt({ ...value, [part]: tampered }, OWNER)).toThrow(IdentityDecryptionError);
  });

  test("a value copied onto another account does not decrypt (the owner id is authenticated)", () => {
    const cipher = testCipher();
    expect(() => cipher.decrypt(cipher.encrypt("12345678901", OWNER), OTHER)).toThrow(IdentityDecryptionError);
  });

  test("an unknown key id is its own error; the same id with other material fails authentication", () => {
    const value = testCipher(TEST_KEY_A).encrypt("12345678901", OWNER);
    expect(() => testCipher(TEST_KEY_B).decrypt(value, OWNER)).toThrow(IdentityKeyUnknownError);
    const sameIdOtherKey = `a:${Buffer.alloc(32, 9).toString("base64")}`;
    expect(() => testCipher(sameIdOtherKey).decrypt(value, OWNER)).toThrow(IdentityDecryptionError);
  });

  test("old keys still decrypt after a new one becomes active", () => {
    const old = testCipher(TEST_KEY_A).encrypt("12345678901", OWNER);
    const rotated = testCipher(`${TEST_KEY_B},${TEST_KEY_A}`);
    expect(rotated.activeKeyId).toBe("b");
    expect(rotated.decrypt(old, OWNER)).toBe("12345678901");
    expect(rotated.encrypt("12345678901", OWNER).keyId).toBe("b");
  });
});

const b64 = (n: number, fill = 7) => Buffer.alloc(n, fill).toString("base64");

describe("IDENTITY_KEYS parsing", () => {
  test.each<{ case: string; raw: string; active?: string; ids?: string[]; problem?: RegExp }>([
    { case: "one key", raw: `k1:${b64(32)}`, active: "k1", ids: ["k1"] },
    { case: "two keys, the first active, spaces and newlines tolerated", raw: ` k2:${b64(32, 2)} ,\n k1:${b64(32)} `, active: "k2", ids: ["k2", "k1"] },
    { case: "empty", raw: " , ", problem: /at least one/ },
    { case: "no colon", raw: b64(32), problem: /expected keyId:base64/ },
    { case: "empty id", raw: `:${b64(32)}`, problem: /expected keyId:base64/ },
    { case: "bad base64", raw: "k1:not*base64!", problem: /k1.*not valid base64/ },
    { case: "16-byte key", raw: `k1:${b64(16)}`, problem: /k1.*32 bytes, got 16/ },
    { case: "33-byte key", raw: `k1:${b64(33)}`, problem: /32 bytes, got 33/ },
    { case: "duplicate id", raw: `k1:${b64(32)},k1:${b64(32, 3)}`, problem: /k1.*listed twice/ },
  ])("$case", ({ raw, active, ids, problem }) => {
    const parsed = parseIdentityKeys(raw);
    if (problem) {
      expect("problems" in parsed && parsed.problems.join("\n")).toMatch(problem);
      // Never echoes key material.
      expect(JSON.stringify(parsed)).not.toContain(b64(32, 3));
    } else {
      if (!("keyring" in parsed)) throw new Error(JSON.stringify(parsed));
      expect(parsed.keyring.active.id).toBe(active);
      expect([...parsed.keyring.byId.keys()]).toEqual(ids);
    }
  });

  const env = { USERS_DATABASE_URL: "postgresql://localhost/fixup_users" };
  test.each([
    { case: "bad base64", extra: { IDENTITY_KEYS: "k1:@@@@" }, message: /IDENTITY_KEYS: key "k1": not valid base64/ },
    { case: "wrong length", extra: { IDENTITY_KEYS: `k1:${b64(31)}` }, message: /IDENTITY_KEYS: key "k1": must be 32 bytes/ },
    { case: "duplicate ids", extra: { IDENTITY_KEYS: `k1:${b64(32)},k1:${b64(32)}` }, message: /IDENTITY_KEYS: key "k1": listed twice/ },
    { case: "production without keys", extra: { NODE_ENV: "production" }, message: /IDENTITY_KEYS: required when NODE_ENV=production/ },
    { case: "bad pattern", extra: { IDENTITY_NUMBER_PATTERN: "([0-9" }, message: /IDENTITY_NUMBER_PATTERN: not a valid regular expression/ },
  ])("loadUsersConfig: $case → ConfigError naming the variable", ({ extra, message }) => {
    expect(() => loadUsersConfig({ ...env, ...extra })).toThrow(ConfigError);
    expect(() => loadUsersConfig({ ...env, ...extra })).toThrow(message);
  });

  test("loadUsersConfig: production with keys starts; defaults elsewhere", () => {
    expect(loadUsersConfig({ ...env, NODE_ENV: "production", IDENTITY_KEYS: `k1:${b64(32)}` }).IDENTITY_KEYS).toBe(`k1:${b64(32)}`);
    expect(loadUsersConfig(env)).toMatchObject({ IDENTITY_NUMBER_PATTERN: "^[0-9]{11}$", IDENTITY_KEY_FILE: ".data/identity-keys" });
  });
});

describe("loadIdentityKeyring", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "fixup-identity-test-"));
    dirs.push(dir);
    return dir;
  };

  test("without IDENTITY_KEYS outside production: generates a key file (mode 0600) once and reuses it", async () => {
    const file = join(await tempDir(), "nested", "identity-keys");
    const first = await loadIdentityKeyring({ NODE_ENV: "development", IDENTITY_KEY_FILE: file });
    expect(first.source).toBe(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await loadIdentityKeyring({ NODE_ENV: "test", IDENTITY_KEY_FILE: file });
    expect(again.keyring.active.key.equals(first.keyring.active.key)).toBe(true);
    const value = testCipher(await readFile(file, "utf8")).encrypt("12345678901", OWNER);
    expect(testCipher(await readFile(file, "utf8")).decrypt(value, OWNER)).toBe("12345678901");
  });

  test("IDENTITY_KEYS wins over the file; production refuses without it; a corrupt file is a ConfigError", async () => {
    const file = join(await tempDir(), "identity-keys");
    expect((await loadIdentityKeyring({ NODE_ENV: "production", IDENTITY_KEYS: TEST_KEY_A, IDENTITY_KEY_FILE: file })).source).toBe("IDENTITY_KEYS");
    await expect(loadIdentityKeyring({ NODE_ENV: "production", IDENTITY_KEY_FILE: file })).rejects.toThrow(/IDENTITY_KEYS: required/);
    await writeFile(file, "garbage");
    await expect(loadIdentityKeyring({ NODE_ENV: "development", IDENTITY_KEY_FILE: file })).rejects.toBeInstanceOf(ConfigError);
  });
});

test("concurrent first starts agree on one generated key", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fixup-identity-race-"));
  try {
    const file = join(dir, "identity-keys");
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadIdentityKeyring({ NODE_ENV: "development", IDENTITY_KEY_FILE: file })));
    expect(new Set(loaded.map((l) => l.keyring.active.key.toString("base64"))).size).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(["identity-keys"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

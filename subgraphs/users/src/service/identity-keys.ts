// Identity-number encryption keys: IDENTITY_KEYS ("keyId:base64-of-32-bytes,…", the first one encrypts, every one
// decrypts) or, outside production, a key file generated on first start and reused after.
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "@fixup/platform";

export interface IdentityKey {
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

export interface IdentityKeyring {
  /** Encrypts every new value. */
  active: IdentityKey;
  /** Every key that may decrypt (the active one included), by id. */
  byId: ReadonlyMap<string, IdentityKey>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses "id:base64,id:base64" (whitespace and newlines around entries allowed). Returns the problems instead of
 * throwing so config validation can name the variable; never echoes key material.
 */
export function parseIdentityKeys(raw: string): { keyring: IdentityKeyring } | { problems: string[] } {
  const entries = raw.split(/[,\n]/).map((e) => e.trim()).filter(Boolean);
  const problems: string[] = [];
  const keys: IdentityKey[] = [];
  if (!entries.length) problems.push("expected at least one keyId:base64-of-32-bytes");
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(":");
    const id = colon < 0 ? "" : entry.slice(0, colon);
    const material = colon < 0 ? "" : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) return problems.push(`entry ${i + 1}: expected keyId:base64 with a key id of letters, digits, . _ -`);
    if (!BASE64.test(material) || material.length % 4 !== 0) return problems.push(`key "${id}": not valid base64`);
    const key = Buffer.from(material, "base64");
    if (key.length !== 32) return problems.push(`key "${id}": must be 32 bytes, got ${key.length}`);
    if (keys.some((k) => k.id === id)) return problems.push(`key "${id}": listed twice`);
    keys.push({ id, key });
  });
  if (problems.length || !keys[0]) return { problems };
  return { keyring: { active: keys[0], byId: new Map(keys.map((k) => [k.id, k])) } };
}

export function keyringOrThrow(raw: string, variable: string): IdentityKeyring {
  const parsed = parseIdentityKeys(raw);
  if ("problems" in parsed) throw new ConfigError(parsed.problems.map((p) => `${variable}: ${p}`));
  return parsed.keyring;
}

export const generateIdentityKeyEntry = (id = `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`): string =>
  `${id}:${randomBytes(32).toString("base64")}`;

export interface IdentityKeySource {
  NODE_ENV: string;
  IDENTITY_KEYS?: string | undefined;
  IDENTITY_KEY_FILE: string;
}

export const IDENTITY_KEYS_REQUIRED = "IDENTITY_KEYS: required when NODE_ENV=production (comma-separated keyId:base64-of-32-bytes; the first encrypts)";

/**
 * The keyring for this process: IDENTITY_KEYS when set; in production nothing else (a ConfigError); otherwise the key
 * file, created with one fresh key (mode 0600) when missing, so `npm start` and tests need no set-up.
 */
export async function loadIdentityKeyring(config: IdentityKeySource): Promise<{ keyring: IdentityKeyring; source: string }> {
  if (config.IDENTITY_KEYS) return { keyring: keyringOrThrow(config.IDENTITY_KEYS, "IDENTITY_KEYS"), source: "IDENTITY_KEYS" };
  if (config.NODE_ENV === "production") throw new ConfigError([IDENTITY_KEYS_REQUIRED]);
  const file = config.IDENTITY_KEY_FILE;
  await mkdir(dirname(file), { recursive: true });
  // Written aside and linked into place: a process starting alongside sees either no file or the whole key, and
  // of two first starts exactly one key wins (link refuses an existing name).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(draft, `${generateIdentityKeyEntry("local1")}\n`, { flag: "wx", mode: 0o600 });
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await rm(draft, { force: true });
  }
  return { keyring: keyringOrThrow(await readFile(file, "utf8"), `IDENTITY_KEY_FILE (${file})`), source: file };
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

// OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1.
export const OWASP_SCRYPT_LOG_N = 17;
export const OWASP_SCRYPT = { N: 2 ** OWASP_SCRYPT_LOG_N, r: 8, p: 1 } as const;

/** scrypt with N = 2^logN and OWASP's r and p. */
export const scryptParams = (logN: number) => ({ ...OWASP_SCRYPT, N: 2 ** logN });
const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Stored as `scrypt$N$r$p$salt$hash` so parameters can be raised later without breaking old hashes. */
export function scryptHasher(params: { N: number; r: number; p: number } = OWASP_SCRYPT): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, params);
      return ["scrypt", params.N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join("$");
    },
    async verify(password, stored) {
      const [scheme, n, r, p, salt, hash] = stored.split("$");
      if (scheme !== "scrypt" || !salt || !hash) return false;
      const expected = Buffer.from(hash, "base64url");
      let actual: Buffer;
      try {
        actual = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p) });
      } catch {
        return false; // unparsable or unsupported parameters: a corrupt row must not become a 500
      }
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from "jose";
import { ACCESS_TOKEN_ALG, EMAIL_VERIFIED_CLAIM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from "@fixup/platform";
import type { SigningKeyRepository } from "../repository/signing-key-repository.js";

export interface AccessTokenIssuer {
  sign(user: { id: string; roles: Role[]; emailVerifiedAt: Date | null }): Promise<string>;
  jwks(): Promise<JSONWebKeySet>;
  readonly accessTtlSeconds: number;
}

/** Refresh tokens are opaque random values; only their SHA-256 is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString("base64url");
export const hashRefreshToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/**
 * Signs with the newest ES256 key kept in the users database, so every instance signs with a key that every
 * instance publishes. A fresh database gets a key on first use.
 */
export function createAccessTokenIssuer(keys: SigningKeyRepository, accessTtlSeconds: number): AccessTokenIssuer {
  let cached: Promise<{ kid: string; key: CryptoKey | Uint8Array; jwks: JSONWebKeySet }> | undefined;

  async function load() {
    let stored = await keys.list();
    if (stored.length === 0) {
      const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
      const kid = randomUUID();
      const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: "sig" };
      await keys.add({ kid, alg: ACCESS_TOKEN_ALG, privateJwk: await exportJWK(privateKey), publicJwk });
      stored = await keys.list();
    }
    const newest = stored[0];
    if (!newest) throw new Error("no signing key available");
    return {
      kid: newest.kid,
      key: await importJWK(newest.privateJwk, newest.alg),
      jwks: { keys: stored.map((k) => k.publicJwk) },
    };
  }
  const current = () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };

  return {
    accessTtlSeconds,
    async sign(user) {
      const { kid, key } = await current();
      return new SignJWT({ roles: user.roles, [EMAIL_VERIFIED_CLAIM]: user.emailVerifiedAt !== null })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: "JWT" })
        .setSubject(user.id)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${accessTtlSeconds}s`)
        .sign(key);
    },
    async jwks() {
      return (await current()).jwks;
    },
  };
}

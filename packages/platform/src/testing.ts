import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { ACCESS_TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from "./auth.js";
import { AppError } from "./errors.js";
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from "./migrations.js";

export const TEST_SERVER_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A uniquely named, migrated database on the real server at DATABASE_URL; tests drop it when done. */
export async function createTestDatabase(service: string, migrationsDir: string): Promise<TestDatabase> {
  const url = withDatabase(TEST_SERVER_URL, `fixup_test_${service}_${randomBytes(5).toString("hex")}`);
  await ensureDatabase(url);
  await applyMigrations(url, migrationsDir);
  return { url, drop: () => dropDatabase(url) };
}

export interface TestTokenOptions {
  sub: string;
  roles?: Role[];
  expiresIn?: string | number;
  /** Sign with another key (a forged token): its kid is the issuer's, the signature is not. */
  key?: CryptoKey;
  issuer?: string;
}

/** A stand-in for the users service's token side: a JWKS endpoint and a signer, for testing a subgraph alone. */
export interface TestIssuer {
  /** Base URL to pass as USERS_URL (serves /.well-known/jwks.json). */
  usersUrl: string;
  token(options: TestTokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(kid = "test-key"): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: "sig" }] });
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") res.writeHead(200, { "content-type": "application/json" }).end(jwks);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    usersUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: ({ sub, roles = ["CUSTOMER"], expiresIn = "5m", key = privateKey, issuer = TOKEN_ISSUER }) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid })
        .setIssuer(issuer)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(key),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Awaits a promise that must reject with an AppError and returns that error (for asserting its code and fields). */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => new Error("expected an AppError rejection, got a result"),
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw outcome instanceof Error ? outcome : new Error(`expected an AppError, got ${String(outcome)}`);
}

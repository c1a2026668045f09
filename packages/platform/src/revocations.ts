import type { Redis } from "ioredis";
import { AppError, ErrorCode } from "./errors.js";
import { remoteJwksVerifier, type TokenVerifier, type Viewer } from "./auth.js";
import type { Logger } from "./logger.js";

/**
 * Accounts whose access tokens stop working before they expire (deleted now; suspended later). The users service
 * records the moment; every subgraph asks before it trusts a token, so the bound is "the next request" — an access
 * token issued at or before that moment is refused everywhere as soon as the account is gone.
 *
 * Entries outlive every token they could affect (access tokens live minutes), then expire by themselves.
 */
export interface AccountRevocations {
  /** Tokens of `userId` issued at or before `at` are refused from now on. */
  revoke(userId: string, at?: Date): Promise<void>;
  /** Seconds since the epoch up to which the account's tokens are refused, or null. */
  revokedUntil(userId: string): Promise<number | null>;
}

/** Longer than any access token lives (ACCESS_TOKEN_TTL_SECONDS is minutes); the key then expires on its own. */
export const REVOCATION_TTL_SECONDS = 24 * 60 * 60;

const revocationKey = (userId: string) => `fixup:revoked:${userId}`;
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function redisRevocations(redis: Redis): AccountRevocations {
  return {
    async revoke(userId, at = new Date()) {
      await redis.set(revocationKey(userId), String(seconds(at)), "EX", REVOCATION_TTL_SECONDS);
    },
    async revokedUntil(userId) {
      const value = await redis.get(revocationKey(userId));
      return value === null ? null : Number(value);
    },
  };
}

// One map per process: in the embedded default every service shares the process, as they share this stand-in.
const processRevocations = new Map<string, { until: number; expires: number }>();

export function memoryRevocations(): AccountRevocations {
  return {
    async revoke(userId, at = new Date()) {
      processRevocations.set(userId, { until: seconds(at), expires: Date.now() + REVOCATION_TTL_SECONDS * 1000 });
    },
    async revokedUntil(userId) {
      const entry = processRevocations.get(userId);
      if (!entry) return null;
      if (entry.expires < Date.now()) {
        processRevocations.delete(userId);
        return null;
      }
      return entry.until;
    },
  };
}

/**
 * A verifier that also refuses tokens of revoked accounts. When the revocation store cannot be asked (Redis down)
 * the token's signature and expiry still decide: an outage must not log everyone out.
 */
export function withRevocations(verifier: TokenVerifier, revocations: AccountRevocations, logger: Logger): TokenVerifier {
  return {
    async verify(token): Promise<Viewer> {
      const viewer = await verifier.verify(token);
      let until: number | null = null;
      try {
        until = await revocations.revokedUntil(viewer.userId);
      } catch (error) {
        logger.warn({ err: error }, "revocation check failed; trusting the token's signature and expiry");
      }
      if (until !== null && (viewer.issuedAt ?? 0) <= until) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, "This access token was revoked (account deleted or suspended, or its roles changed); refresh or sign in again");
      }
      return viewer;
    },
  };
}

/** How a subgraph other than users trusts a token: users' published keys, and no revoked account. */
export const usersTokenVerifier = (usersUrl: string, revocations: AccountRevocations, logger: Logger): TokenVerifier =>
  withRevocations(remoteJwksVerifier(`${usersUrl}/.well-known/jwks.json`), revocations, logger);

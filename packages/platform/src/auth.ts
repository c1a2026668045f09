import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { AppError, ErrorCode } from "./errors.js";
import { verifiedTokenCache, type VerifiedTokenCacheOptions } from "./verified-tokens.js";

export const ACCESS_TOKEN_ALG = "ES256";
export const TOKEN_ISSUER = "fixup-users";
export const TOKEN_AUDIENCE = "fixup";

export const ROLES = ["CUSTOMER", "PROVIDER", "MODERATOR", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];
/** Roles that moderate: they see hidden items and act on reports. */
export const STAFF_ROLES: readonly Role[] = ["MODERATOR", "ADMIN"];

export interface Viewer {
  userId: string;
  roles: readonly Role[];
  /** The token's `email_verified` claim; a token without it (issued before the claim existed) counts as unverified. */
  emailVerified?: boolean;
  /** The token's `iat` (seconds since the epoch): tokens issued before an account was revoked stop working. */
  issuedAt?: number;
}

export interface TokenVerifier {
  verify(token: string): Promise<Viewer>;
}

export const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);
export const isStaffViewer = (viewer: Pick<Viewer, "roles">): boolean => viewer.roles.some((r) => STAFF_ROLES.includes(r));

/** Claim users puts in access tokens; a client gets a token carrying a newly verified address by refreshing. */
export const EMAIL_VERIFIED_CLAIM = "email_verified";

/**
 * Verifies access tokens against a key set. Only ES256 is accepted, so `alg: none` and HS256-signed-with-
 * the-public-key tokens fail before any key is used.
 */
export function createTokenVerifier(keys: JWTVerifyGetKey, cache?: VerifiedTokenCacheOptions): TokenVerifier {
  return {
    verify: verifiedTokenCache(async (token) => {
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          requiredClaims: ["exp", "sub"], // jose checks exp only when present: a token without one never expires
        });
        const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
        if (typeof payload.sub !== "string" || payload.sub.length === 0) throw new Error("no subject");
        const viewer: Viewer = {
          userId: payload.sub,
          roles,
          emailVerified: payload[EMAIL_VERIFIED_CLAIM] === true,
          ...(typeof payload.iat === "number" ? { issuedAt: payload.iat } : {}),
        };
        return { value: viewer, expiresAt: (payload.exp as number) * 1000 };
      } catch (error) {
        const expired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
        throw new AppError(ErrorCode.UNAUTHENTICATED, expired ? "Access token expired" : "Invalid access token");
      }
    }, cache),
  };
}

/** jose caches the remote set and refetches it when a token names an unknown `kid` (with a cooldown). */
export function remoteJwksVerifier(jwksUrl: string): TokenVerifier {
  return createTokenVerifier(createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 }));
}

export function localJwksVerifier(getJwks: () => Promise<JSONWebKeySet>): TokenVerifier {
  return createTokenVerifier(async (header, token) => createLocalJWKSet(await getJwks())(header, token));
}

/** Reads `Bearer <token>`; absent header → null (anonymous), malformed header → UNAUTHENTICATED. */
export async function viewerFromHeader(header: string | undefined, verifier: TokenVerifier): Promise<Viewer | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AppError(ErrorCode.UNAUTHENTICATED, "Authorization header must be 'Bearer <token>'");
  return verifier.verify(match[1]);
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Authentication required");
  return viewer;
}

/** Where a handler reads its caller from: a GraphQL context, or a REST request through `bearerViewer`. */
export interface ViewerSource {
  viewer: () => Promise<Viewer | null>;
}

/**
 * The one way handlers authenticate: the caller, or UNAUTHENTICATED ("Authentication required" without a token, the
 * verifier's message for a bad one). Deciding what the caller may do is the service's business, not the handler's.
 */
export const authenticated = async (source: ViewerSource): Promise<Viewer> => requireViewer(await source.viewer());

/**
 * The caller or null, never throwing: for federation references and public fields, where an absent, invalid or expired
 * token sees less rather than failing the whole fetch.
 */
export const optionalViewer = (source: ViewerSource): Promise<Viewer | null> => source.viewer().catch(() => null);

/** A REST request's caller, read from its Authorization header when first asked. */
export const bearerViewer = (header: string | undefined, verifier: TokenVerifier): ViewerSource => ({
  viewer: () => viewerFromHeader(header, verifier),
});

export const EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED";

/**
 * The marketplace gate: with `required` on, an account whose e-mail is not verified may browse and edit its profile
 * but not trade (create orders, offer, accept, message). FORBIDDEN with `extensions.reason: EMAIL_NOT_VERIFIED`.
 */
export function requireVerifiedEmail<V extends { emailVerified?: boolean }>(viewer: V, required: boolean): V {
  if (required && viewer.emailVerified !== true) {
    throw new AppError(ErrorCode.FORBIDDEN, "Confirm your e-mail address first (refresh your token after confirming)", { reason: EMAIL_NOT_VERIFIED });
  }
  return viewer;
}

/** The marketplace gate as the deployment set it (REQUIRE_VERIFIED_EMAIL); use cases that trade pass their actor. */
export interface TradingGate {
  /** The actor, when they may trade; FORBIDDEN (EMAIL_NOT_VERIFIED) otherwise. */
  trader<V extends { emailVerified?: boolean }>(actor: V): V;
}

export const tradingGate = (requireVerified: boolean): TradingGate => ({ trader: (actor) => requireVerifiedEmail(actor, requireVerified) });
/** No gate: every signed-in account trades (the default outside production). */
export const OPEN_TRADING: TradingGate = tradingGate(false);

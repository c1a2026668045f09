import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from "jose";
import { beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_TOKEN_ALG,
  authenticated,
  bearerViewer,
  createTokenVerifier,
  EMAIL_NOT_VERIFIED,
  EMAIL_VERIFIED_CLAIM,
  isStaffViewer,
  OPEN_TRADING,
  optionalViewer,
  requireVerifiedEmail,
  tradingGate,
  localJwksVerifier,
  requireViewer,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  viewerFromHeader,
  type TokenVerifier,
} from "./auth.js";
import { AppError, ErrorCode } from "./errors.js";

const KID = "k1";

interface Keys {
  privateKey: CryptoKey;
  publicPem: string;
  publicJwk: JWK;
  otherPrivateKey: CryptoKey;
  verifier: TokenVerifier;
}
let keys: Keys;

beforeAll(async () => {
  const pair = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const other = await generateKeyPair(ACCESS_TOKEN_ALG);
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, use: "sig" };
  keys = {
    privateKey: pair.privateKey,
    publicPem: await exportSPKI(pair.publicKey),
    publicJwk,
    otherPrivateKey: other.privateKey,
    verifier: createTokenVerifier(createLocalJWKSet({ keys: [publicJwk] })),
  };
});

interface TokenOptions {
  claims?: JWTPayload;
  sub?: string | null;
  issuer?: string;
  audience?: string;
  expiresAt?: number | string;
  key?: CryptoKey;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function sign({ claims = { roles: ["CUSTOMER"] }, sub = "user-1", issuer, audience, expiresAt, key }: TokenOptions = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: KID, typ: "JWT" })
    .setIssuer(issuer ?? TOKEN_ISSUER)
    .setAudience(audience ?? TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresAt ?? "15m");
  if (sub !== null) jwt.setSubject(sub);
  return jwt.sign(key ?? keys.privateKey);
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));
const decodeJson = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part))) as JWTPayload;

/** Catches what `promise` rejects with, failing if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

async function expectUnauthenticated(promise: Promise<unknown>, message: RegExp) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, status: 401 });
  expect((error as AppError).message).toMatch(message);
}

describe("createTokenVerifier", () => {
  test("a valid token yields the viewer", async () => {
    const token = await sign({ sub: "user-42", claims: { roles: ["CUSTOMER", "PROVIDER"] } });
    await expect(keys.verifier.verify(token)).resolves.toEqual({ userId: "user-42", roles: ["CUSTOMER", "PROVIDER"], emailVerified: false, issuedAt: expect.any(Number) });
  });

  test.each<{ name: string; roles: unknown; expected: string[] }>([
    { name: "unknown and malformed roles are dropped", roles: ["ADMIN", "ROOT", "customer", 7, null], expected: ["ADMIN"] },
    { name: "MODERATOR is a role", roles: ["MODERATOR", "CUSTOMER"], expected: ["MODERATOR", "CUSTOMER"] },
    { name: "a non-array roles claim means no roles", roles: "ADMIN", expected: [] },
    { name: "a missing roles claim means no roles", roles: undefined, expected: [] },
  ])("$name", async ({ roles, expected }) => {
    const token = await sign({ claims: roles === undefined ? {} : { roles } });
    await expect(keys.verifier.verify(token)).resolves.toEqual({ userId: "user-1", roles: expected, emailVerified: false, issuedAt: expect.any(Number) });
  });

  test.each<{ claim: unknown; expected: boolean }>([
    { claim: true, expected: true },
    { claim: false, expected: false },
    { claim: "true", expected: false },
    { claim: undefined, expected: false },
  ])("email_verified claim $claim → emailVerified $expected", async ({ claim, expected }) => {
    const token = await sign({ claims: { roles: ["CUSTOMER"], ...(claim === undefined ? {} : { [EMAIL_VERIFIED_CLAIM]: claim }) } });
    expect((await keys.verifier.verify(token)).emailVerified).toBe(expected);
  });

  const rejected: { name: string; token: () => Promise<string>; message: RegExp }[] = [
    { name: "expired token", token: () => sign({ expiresAt: nowSeconds() - 60 }), message: /expired/i },
    {
      name: "tampered payload (claim changed, signature kept)",
      token: async () => {
        const [header = "", payload = "", signature = ""] = (await sign()).split(".");
        const forged = encodeJson({ ...decodeJson(payload), roles: ["ADMIN"] });
        return `${header}.${forged}.${signature}`;
      },
      message: /^Invalid access token$/,
    },
    {
      name: "unsigned alg:none token",
      token: async () => {
        const payload = { sub: "user-1", roles: ["ADMIN"], iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: nowSeconds() + 600 };
        return `${encodeJson({ alg: "none", typ: "JWT", kid: KID })}.${encodeJson(payload)}.`;
      },
      message: /^Invalid access token$/,
    },
    {
      name: "HS256 token keyed with the public key (algorithm confusion)",
      token: async () =>
        new SignJWT({ roles: ["ADMIN"] })
          .setProtectedHeader({ alg: "HS256", kid: KID, typ: "JWT" })
          .setSubject("user-1")
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setExpirationTime("15m")
          .sign(new TextEncoder().encode(keys.publicPem)),
      message: /^Invalid access token$/,
    },
    { name: "wrong issuer", token: () => sign({ issuer: "someone-else" }), message: /^Invalid access token$/ },
    { name: "wrong audience", token: () => sign({ audience: "another-app" }), message: /^Invalid access token$/ },
    {
      name: "signed by another ES256 key under the same kid",
      token: () => sign({ key: keys.otherPrivateKey }),
      message: /^Invalid access token$/,
    },
    { name: "missing sub", token: () => sign({ sub: null }), message: /^Invalid access token$/ },
    { name: "empty sub", token: () => sign({ sub: "" }), message: /^Invalid access token$/ },
    { name: "garbage string", token: async () => "not.a.jwt", message: /^Invalid access token$/ },
    { name: "empty string", token: async () => "", message: /^Invalid access token$/ },
  ];

  test.each(rejected)("rejects $name as UNAUTHENTICATED", async ({ token, message }) => {
    await expectUnauthenticated(keys.verifier.verify(await token()), message);
  });

  test("the HS256 confusion token really is a valid HMAC over the public key", async () => {
    // Guards the test above: it must fail because of the algorithm allow-list, not because the token is broken.
    const token = await rejected[3]!.token();
    await expect(jwtVerify(token, new TextEncoder().encode(keys.publicPem))).resolves.toBeDefined();
  });
});

describe("localJwksVerifier", () => {
  test("verifies against the key set it loads", async () => {
    const verifier = localJwksVerifier(async () => ({ keys: [keys.publicJwk] }));
    await expect(verifier.verify(await sign({ sub: "user-3" }))).resolves.toEqual({ userId: "user-3", roles: ["CUSTOMER"], emailVerified: false, issuedAt: expect.any(Number) });
  });

  test("a token whose kid is not in the set → UNAUTHENTICATED", async () => {
    const verifier = localJwksVerifier(async () => ({ keys: [{ ...keys.publicJwk, kid: "k2" }] }));
    await expectUnauthenticated(verifier.verify(await sign()), /^Invalid access token$/);
  });
});

describe("viewerFromHeader", () => {
  test.each([undefined, ""])("%j → anonymous (null)", async (header) => {
    await expect(viewerFromHeader(header, keys.verifier)).resolves.toBeNull();
  });

  test.each(["Basic xyz", "Bearer", "Bearer ", "Bearer a b", "Token abc"])(
    "malformed header %j → UNAUTHENTICATED",
    async (header) => {
      await expectUnauthenticated(viewerFromHeader(header, keys.verifier), /Bearer <token>/);
    },
  );

  test.each(["Bearer", "bearer", "BEARER"])("a valid %s token → viewer", async (scheme) => {
    const header = `${scheme}  ${await sign({ sub: "user-7" })} `;
    await expect(viewerFromHeader(header, keys.verifier)).resolves.toEqual({ userId: "user-7", roles: ["CUSTOMER"], emailVerified: false, issuedAt: expect.any(Number) });
  });

  test("a bearer token that fails verification → UNAUTHENTICATED", async () => {
    await expectUnauthenticated(viewerFromHeader("Bearer garbage", keys.verifier), /^Invalid access token$/);
  });
});

describe("requireViewer", () => {
  test("null → UNAUTHENTICATED", () => {
    expect(() => requireViewer(null)).toThrow(expect.objectContaining({ code: ErrorCode.UNAUTHENTICATED }));
    expect(() => requireViewer(null)).toThrow(AppError);
  });

  test("a viewer is returned as is", () => {
    const viewer = { userId: "user-1", roles: [] };
    expect(requireViewer(viewer)).toBe(viewer);
  });
});

describe("authenticated / optionalViewer: how every handler reads its caller", () => {
  const viewer = { userId: "user-1", roles: [] };
  const refused = new AppError(ErrorCode.UNAUTHENTICATED, "Access token expired");
  test.each<{ name: string; source: () => Promise<typeof viewer | null>; authenticated: unknown; optional: typeof viewer | null }>([
    { name: "a verified token", source: async () => viewer, authenticated: viewer, optional: viewer },
    { name: "no token", source: async () => null, authenticated: /^Authentication required$/, optional: null },
    { name: "a token the verifier refuses", source: () => Promise.reject(refused), authenticated: /^Access token expired$/, optional: null },
  ])("$name", async ({ source, authenticated: expected, optional }) => {
    if (expected instanceof RegExp) await expectUnauthenticated(authenticated({ viewer: source }), expected);
    else await expect(authenticated({ viewer: source })).resolves.toBe(expected);
    await expect(optionalViewer({ viewer: source })).resolves.toBe(optional);
  });

  test("bearerViewer reads a REST request's Authorization header only when asked", async () => {
    await expectUnauthenticated(authenticated(bearerViewer(undefined, keys.verifier)), /^Authentication required$/);
    await expectUnauthenticated(authenticated(bearerViewer("Token abc", keys.verifier)), /^Authorization header must be 'Bearer <token>'$/);
    await expect(optionalViewer(bearerViewer("Bearer garbage", keys.verifier))).resolves.toBeNull();
  });
});

describe("requireVerifiedEmail", () => {
  test.each<{ name: string; emailVerified: boolean | undefined; required: boolean; refused: boolean }>([
    { name: "verified, gate on", emailVerified: true, required: true, refused: false },
    { name: "unverified, gate on", emailVerified: false, required: true, refused: true },
    { name: "claim absent, gate on", emailVerified: undefined, required: true, refused: true },
    { name: "unverified, gate off", emailVerified: false, required: false, refused: false },
  ])("$name", ({ emailVerified, required, refused }) => {
    const viewer = { userId: "u", roles: [], ...(emailVerified === undefined ? {} : { emailVerified }) };
    if (!refused) return expect(requireVerifiedEmail(viewer, required)).toBe(viewer);
    expect(() => requireVerifiedEmail(viewer, required)).toThrow(
      expect.objectContaining({ code: ErrorCode.FORBIDDEN, reason: EMAIL_NOT_VERIFIED, status: 403 }),
    );
  });
});

describe("isStaffViewer", () => {
  test.each<{ roles: ("CUSTOMER" | "PROVIDER" | "MODERATOR" | "ADMIN")[]; staff: boolean }>([
    { roles: ["CUSTOMER"], staff: false },
    { roles: ["PROVIDER", "CUSTOMER"], staff: false },
    { roles: ["MODERATOR"], staff: true },
    { roles: ["ADMIN"], staff: true },
  ])("$roles → $staff", ({ roles, staff }) => expect(isStaffViewer({ roles })).toBe(staff));
});

describe("tradingGate", () => {
  test("on: an unverified actor is refused, a verified one passes; OPEN_TRADING lets everyone through", () => {
    const unverified = { userId: "u", roles: [], emailVerified: false };
    const verified = { ...unverified, emailVerified: true };
    expect(() => tradingGate(true).trader(unverified)).toThrow(expect.objectContaining({ code: ErrorCode.FORBIDDEN, reason: EMAIL_NOT_VERIFIED }));
    expect(tradingGate(true).trader(verified)).toBe(verified);
    expect(OPEN_TRADING.trader(unverified)).toBe(unverified);
  });
});

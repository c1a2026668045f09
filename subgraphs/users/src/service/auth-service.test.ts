import { outboxRow } from "@fixup/platform";
import { describe, expect, test } from "vitest";
import { type AppError, ErrorCode } from "@fixup/platform";
import { AuthService, type AuthPayload } from "./auth-service.js";
import { createLoginLimiter } from "./login-limiter.js";
import { hashRefreshToken } from "./token-issuer.js";
import { FakeClock, FakeRefreshTokenRepository, FakeUserRepository, fakeHasher, fakeTokenIssuer } from "../../test/fakes.js";
import { appError } from "@fixup/platform/testing";
import { FakeIdentityRepository, testIdentityService } from "../../test/identity-fakes.js";

const REFRESH_TTL_SECONDS = 3600;
const EMAIL = "alice@example.com";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";

function setup() {
  const clock = new FakeClock();
  const users = new FakeUserRepository(clock.now);
  const refreshTokens = new FakeRefreshTokenRepository(users);
  const auth = new AuthService({
    users,
    refreshTokens,
    hasher: fakeHasher(),
    tokens: fakeTokenIssuer(),
    limiter: createLoginLimiter(null, { perAccount: 5, perIp: 50, windowSeconds: 900 }),
    refreshTtlSeconds: REFRESH_TTL_SECONDS,
    identity: testIdentityService(new FakeIdentityRepository(users)),
    now: clock.now,
  });
  const register = (overrides: Record<string, unknown> = {}) =>
    auth.register({ email: EMAIL, password: PASSWORD, name: "Alice", ...overrides });
  const stored = (refreshToken: string) => refreshTokens.findByHash(hashRefreshToken(refreshToken));
  return { auth, users, refreshTokens, clock, register, stored };
}

describe("AuthService.register", () => {
  test.each<{ case: string; input: Record<string, unknown> | null; field: string; message: string }>([
    { case: "missing email", input: { password: PASSWORD, name: "Alice" }, field: "email", message: "is required" },
    { case: "bad email", input: { email: "not-an-email", password: PASSWORD, name: "Alice" }, field: "email", message: "must be a valid email address" },
    { case: "missing password", input: { email: EMAIL, name: "Alice" }, field: "password", message: "is required" },
    { case: "short password", input: { email: EMAIL, password: "1234567", name: "Alice" }, field: "password", message: "must be at least 8 characters" },
    { case: "too long password", input: { email: EMAIL, password: "x".repeat(257), name: "Alice" }, field: "password", message: "must be at most 256 characters" },
    { case: "password equal to email", input: { email: EMAIL, password: EMAIL, name: "Alice" }, field: "password", message: "must not be the same as the email" },
    { case: "password equal to email in other case", input: { email: "Alice@Example.com", password: "ALICE@EXAMPLE.COM", name: "Alice" }, field: "password", message: "must not be the same as the email" },
    { case: "empty name", input: { email: EMAIL, password: PASSWORD, name: "" }, field: "name", message: "must not be empty" },
    { case: "blank name", input: { email: EMAIL, password: PASSWORD, name: "   " }, field: "name", message: "must not be empty" },
    { case: "missing name", input: { email: EMAIL, password: PASSWORD }, field: "name", message: "is required" },
    { case: "roles [ADMIN]", input: { email: EMAIL, password: PASSWORD, name: "Alice", roles: ["ADMIN"] }, field: "roles.0", message: "must be CUSTOMER or PROVIDER" },
    { case: "null input", input: null, field: "email", message: "is required" },
  ])("$case → BAD_USER_INPUT fields.$field", async ({ input, field, message }) => {
    const { auth, users } = setup();
    const error = await appError(auth.register(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields?.[field]).toBe(message);
    expect(users.rows.size).toBe(0);
  });

  test("normalizes the email to lowercase and trims it", async () => {
    const { register, users } = setup();
    const payload = await register({ email: "  Alice@Example.COM " });
    expect(payload.user.email).toBe(EMAIL);
    expect([...users.rows.values()].map((u) => u.email)).toEqual([EMAIL]);
  });

  test("returns tokens, stores only the hashed password and the hashed refresh token", async () => {
    const { register, users, refreshTokens, clock } = setup();
    const payload = await register();
    expect(payload).toMatchObject({ accessToken: `at:${payload.user.id}`, expiresIn: 900, user: { name: "Alice", roles: ["CUSTOMER"] } });
    expect(payload.user).not.toHaveProperty("passwordHash");
    expect(users.rows.get(payload.user.id)?.passwordHash).toBe(`h:${PASSWORD}`);
    expect(refreshTokens.rows).toHaveLength(1);
    expect(refreshTokens.rows[0]).toMatchObject({
      userId: payload.user.id,
      tokenHash: hashRefreshToken(payload.refreshToken),
      expiresAt: new Date(clock.now().getTime() + REFRESH_TTL_SECONDS * 1000),
    });
    expect(refreshTokens.rows[0]?.tokenHash).not.toBe(payload.refreshToken);
  });

  test.each<{ roles: string[] | undefined; expected: string[] }>([
    { roles: undefined, expected: ["CUSTOMER"] },
    { roles: ["PROVIDER"], expected: ["PROVIDER"] },
    { roles: ["CUSTOMER", "PROVIDER"], expected: ["CUSTOMER", "PROVIDER"] },
  ])("roles $roles → $expected", async ({ roles, expected }) => {
    const { register } = setup();
    const identity = roles?.includes("PROVIDER") ? { identityNumber: "12345678901" } : {};
    expect((await register(roles ? { roles, ...identity } : {})).user.roles).toEqual(expected);
  });

  test.each([EMAIL, "ALICE@example.com", " alice@EXAMPLE.com "])("duplicate email %j → CONFLICT", async (email) => {
    const { register, users } = setup();
    await register();
    const error = await appError(register({ email }));
    expect(error.code).toBe(ErrorCode.CONFLICT);
    expect(users.rows.size).toBe(1);
  });
});

describe("AuthService.login", () => {
  test("succeeds with the right password, email matched case-insensitively", async () => {
    const { auth, register } = setup();
    const { user } = await register();
    const payload = await auth.login({ email: "  ALICE@example.com", password: PASSWORD });
    expect(payload.user).toEqual(user);
    expect(payload.user).not.toHaveProperty("passwordHash");
    expect(payload.accessToken).toBe(`at:${user.id}`);
  });

  test("each login starts a new refresh-token family", async () => {
    const { auth, register, stored } = setup();
    const first = await register();
    const second = await auth.login({ email: EMAIL, password: PASSWORD });
    expect((await stored(first.refreshToken))?.familyId).not.toBe((await stored(second.refreshToken))?.familyId);
  });

  test.each([
    { case: "wrong password", email: EMAIL, password: "wrong password" },
    { case: "unknown email", email: "nobody@example.com", password: PASSWORD },
  ])("$case → UNAUTHENTICATED with the generic message", async ({ email, password }) => {
    const { auth, register } = setup();
    await register();
    const error = await appError(auth.login({ email, password }));
    expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(error.message).toBe("Invalid email or password");
  });

  test.each([
    { case: "missing password", input: { email: EMAIL }, field: "password" },
    { case: "empty password", input: { email: EMAIL, password: "" }, field: "password" },
    { case: "missing email", input: { password: PASSWORD }, field: "email" },
  ])("$case → BAD_USER_INPUT fields.$field", async ({ input, field }) => {
    const { auth } = setup();
    const error = await appError(auth.login(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toHaveProperty(field);
  });

  test.each([
    { case: "wrong password", email: EMAIL },
    { case: "unknown email", email: "nobody@example.com" },
  ])("after 5 failures ($case) the 6th attempt is RATE_LIMITED, even with the right password", async ({ email }) => {
    const { auth, register } = setup();
    await register({ email });
    for (let i = 0; i < 5; i++) {
      expect((await appError(auth.login({ email, password: "wrong password" }, { ip: "10.0.0.1" }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    }
    const error = await appError(auth.login({ email, password: PASSWORD }, { ip: "10.0.0.1" }));
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  test("lockout counts failures per account, whatever the email's case", async () => {
    const { auth, register } = setup();
    await register();
    for (const email of ["alice@example.com", "ALICE@example.com", "Alice@Example.com", " alice@example.com", "ALICE@EXAMPLE.COM"]) {
      await appError(auth.login({ email, password: "wrong password" }));
    }
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.RATE_LIMITED);
  });

  test("one locked account does not lock another", async () => {
    const { auth, register } = setup();
    await register();
    await register({ email: "bob@example.com" });
    for (let i = 0; i < 5; i++) await appError(auth.login({ email: EMAIL, password: "wrong password" }));
    expect((await auth.login({ email: "bob@example.com", password: PASSWORD })).user.email).toBe("bob@example.com");
  });

  test("a successful login resets the failure counter", async () => {
    const { auth, register } = setup();
    await register();
    for (let i = 0; i < 4; i++) await appError(auth.login({ email: EMAIL, password: "wrong password" }));
    await auth.login({ email: EMAIL, password: PASSWORD });
    for (let i = 0; i < 4; i++) await appError(auth.login({ email: EMAIL, password: "wrong password" }));
    // 8 failures in the window, but only 4 since the last success.
    expect((await auth.login({ email: EMAIL, password: PASSWORD })).user.email).toBe(EMAIL);
  });
});

describe("AuthService.refresh", () => {
  test("rotates: returns a different token in the same family and marks the old one used", async () => {
    const { auth, register, stored, clock } = setup();
    const first = await register();
    clock.advance(60);
    const second = await auth.refresh({ refreshToken: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user).toEqual(first.user);
    expect(second.accessToken).toBe(`at:${first.user.id}`);
    const [old, next] = [await stored(first.refreshToken), await stored(second.refreshToken)];
    expect(old?.usedAt).toEqual(clock.now());
    expect(old?.revokedAt).toBeNull();
    expect(next).toMatchObject({ familyId: old?.familyId, usedAt: null, revokedAt: null });
    expect(next?.expiresAt).toEqual(new Date(clock.now().getTime() + REFRESH_TTL_SECONDS * 1000));
  });

  test("the rotated token can itself be refreshed", async () => {
    const { auth, register } = setup();
    const first = await register();
    const second = await auth.refresh({ refreshToken: first.refreshToken });
    const third = await auth.refresh({ refreshToken: second.refreshToken });
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
  });

  test("reusing a rotated token → UNAUTHENTICATED and revokes its successor too", async () => {
    const { auth, register, refreshTokens } = setup();
    const first = await register();
    const second = await auth.refresh({ refreshToken: first.refreshToken });

    const reuse = await appError(auth.refresh({ refreshToken: first.refreshToken }));
    expect(reuse.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(reuse.message).toMatch(/reuse/i);

    expect((await appError(auth.refresh({ refreshToken: second.refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(refreshTokens.rows.every((r) => r.revokedAt !== null)).toBe(true);
  });

  test("reuse revokes only the leaked family, not the user's other sessions", async () => {
    const { auth, register } = setup();
    const first = await register();
    const other = await auth.login({ email: EMAIL, password: PASSWORD });
    await auth.refresh({ refreshToken: first.refreshToken });
    await appError(auth.refresh({ refreshToken: first.refreshToken }));
    expect((await auth.refresh({ refreshToken: other.refreshToken })).user.email).toBe(EMAIL);
  });

  test.each([
    { elapsed: REFRESH_TTL_SECONDS - 1, ok: true },
    { elapsed: REFRESH_TTL_SECONDS, ok: false },
    { elapsed: REFRESH_TTL_SECONDS * 10, ok: false },
  ])("after $elapsed s (TTL 3600 s) refresh ok=$ok", async ({ elapsed, ok }) => {
    const { auth, register, clock } = setup();
    const { refreshToken } = await register();
    clock.advance(elapsed);
    const result = auth.refresh({ refreshToken });
    if (ok) {
      expect((await result).refreshToken).not.toBe(refreshToken);
    } else {
      const error = await appError(result);
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(error.message).toBe("Invalid refresh token");
    }
  });

  test("unknown token → UNAUTHENTICATED", async () => {
    const { auth } = setup();
    expect((await appError(auth.refresh({ refreshToken: "not-a-token" }))).code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  test.each<{ case: string; input: unknown }>([
    { case: "missing", input: {} },
    { case: "empty", input: { refreshToken: "" } },
    { case: "too long", input: { refreshToken: "x".repeat(513) } },
  ])("$case token → BAD_USER_INPUT fields.refreshToken", async ({ input }) => {
    const { auth } = setup();
    const error = await appError(auth.refresh(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toHaveProperty("refreshToken");
  });

  test("token of a deleted user → UNAUTHENTICATED", async () => {
    const { auth, register, users } = setup();
    const { refreshToken, user } = await register();
    await users.delete(user.id, outboxRow("UserDeleted", { userId: user.id }));
    expect((await appError(auth.refresh({ refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

describe("AuthService.logout", () => {
  test("revokes the whole family, leaving other sessions alive", async () => {
    const { auth, register } = setup();
    const first = await register();
    const second = await auth.refresh({ refreshToken: first.refreshToken });
    const other = await auth.login({ email: EMAIL, password: PASSWORD });

    await auth.logout({ refreshToken: first.refreshToken });

    expect((await appError(auth.refresh({ refreshToken: second.refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((await auth.refresh({ refreshToken: other.refreshToken })).user.email).toBe(EMAIL);
  });

  test.each([
    { case: "unknown token", token: () => "never-issued" },
    { case: "already logged out token", token: (p: AuthPayload) => p.refreshToken },
  ])("is idempotent: $case resolves", async ({ token }) => {
    const { auth, register } = setup();
    const payload = await register();
    await auth.logout({ refreshToken: payload.refreshToken });
    await expect(auth.logout({ refreshToken: token(payload) })).resolves.toBeUndefined();
  });

  test("does not move revokedAt of an already revoked family", async () => {
    const { auth, register, stored, clock } = setup();
    const { refreshToken } = await register();
    await auth.logout({ refreshToken });
    const revokedAt = (await stored(refreshToken))?.revokedAt;
    clock.advance(60);
    await auth.logout({ refreshToken });
    expect((await stored(refreshToken))?.revokedAt).toEqual(revokedAt);
  });
});

describe("AuthService.changePassword", () => {
  test.each([
    { case: "wrong current password", current: "wrong password", next: NEW_PASSWORD, field: "currentPassword" },
    { case: "short new password", current: PASSWORD, next: "short", field: "newPassword" },
    { case: "new password equal to email", current: PASSWORD, next: EMAIL.toUpperCase(), field: "newPassword" },
  ])("$case → BAD_USER_INPUT fields.$field, nothing changes", async ({ current, next, field }) => {
    const { auth, register, refreshTokens } = setup();
    const { user, refreshToken } = await register();
    const error = await appError(auth.changePassword(user.id, current, next));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toHaveProperty(field);
    expect((await auth.login({ email: EMAIL, password: PASSWORD })).user.id).toBe(user.id);
    expect((await auth.refresh({ refreshToken })).user.id).toBe(user.id);
    expect(refreshTokens.rows.filter((r) => r.revokedAt)).toEqual([]);
  });

  test("unknown user → UNAUTHENTICATED", async () => {
    const { auth } = setup();
    expect((await appError(auth.changePassword("ghost", PASSWORD, NEW_PASSWORD))).code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  test("replaces the password", async () => {
    const { auth, register } = setup();
    const { user } = await register();
    await auth.changePassword(user.id, PASSWORD, NEW_PASSWORD);
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((await auth.login({ email: EMAIL, password: NEW_PASSWORD })).user.id).toBe(user.id);
  });

  test("revokes other families but keeps the one passed as keepFamilyOf", async () => {
    const { auth, register } = setup();
    const registered = await register();
    const kept = await auth.login({ email: EMAIL, password: PASSWORD });
    const other = await auth.login({ email: EMAIL, password: PASSWORD });

    await auth.changePassword(registered.user.id, PASSWORD, NEW_PASSWORD, kept.refreshToken);

    expect((await auth.refresh({ refreshToken: kept.refreshToken })).user.id).toBe(registered.user.id);
    for (const { refreshToken } of [registered, other]) {
      expect((await appError(auth.refresh({ refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });

  test("without keepFamilyOf every session is revoked", async () => {
    const { auth, register } = setup();
    const registered = await register();
    const other = await auth.login({ email: EMAIL, password: PASSWORD });
    await auth.changePassword(registered.user.id, PASSWORD, NEW_PASSWORD);
    for (const { refreshToken } of [registered, other]) {
      expect((await appError(auth.refresh({ refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });

  test("does not touch another user's sessions", async () => {
    const { auth, register } = setup();
    const alice = await register();
    const bob = await register({ email: "bob@example.com" });
    await auth.changePassword(alice.user.id, PASSWORD, NEW_PASSWORD);
    expect((await auth.refresh({ refreshToken: bob.refreshToken })).user.id).toBe(bob.user.id);
  });
});

describe("AuthService.deleteAccount", () => {
  test("wrong password → BAD_USER_INPUT fields.password and the account stays", async () => {
    const { auth, register, users } = setup();
    const { user } = await register();
    const error = await appError(auth.deleteAccount(user.id, "wrong password"));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ password: "is incorrect" });
    expect(users.rows.has(user.id)).toBe(true);
  });

  test("right password deletes the account: login and refresh fail afterwards", async () => {
    const { auth, register, users } = setup();
    const { user, refreshToken } = await register();
    await auth.deleteAccount(user.id, PASSWORD);
    expect(users.rows.has(user.id)).toBe(false);
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((await appError(auth.refresh({ refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  test("unknown user → UNAUTHENTICATED", async () => {
    const { auth } = setup();
    expect((await appError(auth.deleteAccount("ghost", PASSWORD))).code).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

test("jwks is served by the token issuer", async () => {
  const { auth } = setup();
  expect(await auth.jwks()).toEqual({ keys: [] });
});

describe("password attempt budget", () => {
  test("20 parallel wrong guesses: exactly 5 reach the password check, 15 are RATE_LIMITED", async () => {
    const { auth, register } = setup();
    await register();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => auth.login({ email: EMAIL, password: "wrong guess!" }, { ip: "203.0.113.9" })),
    );
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as AppError).code : "OK"));
    expect(codes.filter((c) => c === ErrorCode.UNAUTHENTICATED)).toHaveLength(5);
    expect(codes.filter((c) => c === ErrorCode.RATE_LIMITED)).toHaveLength(15);
  });

  test("changePassword guesses share the login budget", async () => {
    const { auth, register } = setup();
    const { user } = await register();
    for (let i = 0; i < 5; i++) {
      expect((await appError(auth.changePassword(user.id, "wrong guess!", NEW_PASSWORD))).code).toBe(ErrorCode.BAD_USER_INPUT);
    }
    expect((await appError(auth.changePassword(user.id, PASSWORD, NEW_PASSWORD))).code).toBe(ErrorCode.RATE_LIMITED);
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.RATE_LIMITED);
  });

  test("a wrongly typed field is not reported as missing", async () => {
    const { auth } = setup();
    const error = await appError(auth.register({ email: 42, password: PASSWORD, name: "Alice" }));
    expect(error.fields?.email).not.toBe("is required");
  });
});

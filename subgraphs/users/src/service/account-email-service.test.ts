import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ErrorCode, createLogger } from "@fixup/platform";
import { AccountEmailService, hashAccountToken } from "./account-email-service.js";
import { FakeAccountTokenRepository, FakeMailer } from "../../test/account-fakes.js";
import { AuthService } from "./auth-service.js";
import { createLoginLimiter } from "./login-limiter.js";
import { createPasswordResetLimiter } from "./password-reset-limiter.js";
import { FakeClock, FakeRefreshTokenRepository, FakeUserRepository, fakeHasher, fakeTokenIssuer } from "../../test/fakes.js";
import { appError } from "@fixup/platform/testing";

const BASE_URL = "https://api.fixup.test/";
const EMAIL = "alice@example.com";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const HOUR = 3600;

function setup(limits = { perEmail: 5, perIp: 50 }) {
  const clock = new FakeClock();
  const users = new FakeUserRepository(clock.now);
  const refreshTokens = new FakeRefreshTokenRepository(users);
  const tokens = new FakeAccountTokenRepository(users, refreshTokens);
  const mailer = new FakeMailer();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger("test", "info", sink);
  const loginLimiter = createLoginLimiter(null, { perAccount: 5, perIp: 50, windowSeconds: 900 });
  const emails = new AccountEmailService({
    users,
    tokens,
    hasher: fakeHasher(),
    mailer,
    resetLimiter: createPasswordResetLimiter(null, { ...limits, windowSeconds: HOUR }),
    loginLimiter,
    publicBaseUrl: BASE_URL,
    logger,
    now: clock.now,
  });
  const auth = new AuthService({
    users,
    refreshTokens,
    hasher: fakeHasher(),
    tokens: fakeTokenIssuer(),
    limiter: loginLimiter,
    refreshTtlSeconds: 30 * 24 * HOUR,
    onRegistered: (user) => emails.userRegistered(user),
    now: clock.now,
  });
  const register = async (email = EMAIL) => {
    const payload = await auth.register({ email, password: PASSWORD, name: "Alice <b>" });
    await emails.settled();
    return payload;
  };
  /** Asks for a reset and returns the code from the mail that arrived (undefined when none did). */
  const requestReset = async (email = EMAIL, ip?: string) => {
    const before = mailer.sent.length;
    await emails.requestPasswordReset({ email }, { ip });
    await emails.settled();
    const mail = mailer.sent.slice(before).find((m) => m.to === email.trim().toLowerCase());
    return mail?.text.match(/^([\w-]{43})$/m)?.[1];
  };
  const verificationToken = () => {
    const link = mailer.sent.at(-1)?.text.match(/https:\/\/\S+/)?.[0];
    return new URL(link ?? "https://missing.invalid").searchParams.get("token") ?? "";
  };
  return { clock, users, refreshTokens, tokens, mailer, logLines, emails, auth, register, requestReset, verificationToken };
}

const expectInvalidToken = async (promise: Promise<unknown>) => {
  const error = await appError(promise);
  expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
  expect(error.fields).toEqual({ token: "is invalid, used or expired" });
};

describe("verification mail on register", () => {
  test("mails a link with a random token; only its SHA-256 is stored, valid for 24 h", async () => {
    const { register, mailer, tokens, clock, verificationToken } = setup();
    const { user } = await register();
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: EMAIL, subject: "Confirm your e-mail address for Fixup" });
    const token = verificationToken();
    expect(token).toMatch(/^[\w-]{43}$/); // 32 bytes in base64url
    expect(mailer.sent[0]?.text).toContain(`https://api.fixup.test/auth/verify-email?token=${token}`);
    expect(mailer.sent[0]?.html).toContain("Alice &lt;b&gt;");
    expect(tokens.rows).toEqual([
      expect.objectContaining({
        userId: user.id,
        purpose: "EMAIL_VERIFICATION",
        tokenHash: hashAccountToken(token),
        expiresAt: new Date(clock.now().getTime() + 24 * HOUR * 1000),
        usedAt: null,
      }),
    ]);
    expect(tokens.rows[0]?.tokenHash).not.toContain(token);
  });

  test("registration succeeds when the mail cannot be sent, and the failure is logged", async () => {
    const { auth, emails, mailer, users, logLines } = setup();
    mailer.failing = true;
    const payload = await auth.register({ email: EMAIL, password: PASSWORD, name: "Alice" });
    await emails.settled();
    expect(users.rows.has(payload.user.id)).toBe(true);
    expect(logLines.join("")).toContain("verification mail failed");
  });
});

describe("resendVerification", () => {
  test("mails a new link; the older one stops working, the new one verifies", async () => {
    const { register, emails, mailer, verificationToken } = setup();
    const { user } = await register();
    const first = verificationToken();
    await emails.resendVerification(user.id);
    await emails.settled();
    expect(mailer.sent).toHaveLength(2);
    const second = verificationToken();
    expect(second).not.toBe(first);
    await expectInvalidToken(emails.verifyEmail({ token: first }));
    await emails.verifyEmail({ token: second });
  });

  test.each([
    { case: "already confirmed", code: ErrorCode.INVALID_STATE, verified: true, userId: undefined },
    { case: "unknown account", code: ErrorCode.UNAUTHENTICATED, verified: false, userId: "00000000-0000-4000-8000-000000000000" },
  ])("$case → $code, no mail", async ({ code, verified, userId }) => {
    const { register, emails, mailer, verificationToken } = setup();
    const { user } = await register();
    if (verified) await emails.verifyEmail({ token: verificationToken() });
    const before = mailer.sent.length;
    expect((await appError(emails.resendVerification(userId ?? user.id))).code).toBe(code);
    await emails.settled();
    expect(mailer.sent).toHaveLength(before);
  });

  test("shares the per-address mail budget: the 6th mail request in an hour is RATE_LIMITED", async () => {
    const { register, emails } = setup({ perEmail: 5, perIp: 50 });
    const { user } = await register();
    for (let i = 0; i < 5; i++) await emails.resendVerification(user.id);
    const limited = await appError(emails.resendVerification(user.id));
    expect(limited.code).toBe(ErrorCode.RATE_LIMITED);
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe("verifyEmail", () => {
  test("marks the e-mail verified once; the token is single use", async () => {
    const { register, emails, users, clock, verificationToken } = setup();
    const { user } = await register();
    const token = verificationToken();
    clock.advance(60);
    await emails.verifyEmail({ token });
    expect(users.rows.get(user.id)?.emailVerifiedAt).toEqual(clock.now());
    await expectInvalidToken(emails.verifyEmail({ token }));
  });

  test.each([
    { elapsed: 24 * HOUR - 1, ok: true },
    { elapsed: 24 * HOUR, ok: false },
  ])("after $elapsed s (TTL 24 h) ok=$ok", async ({ elapsed, ok }) => {
    const { register, emails, clock, verificationToken } = setup();
    await register();
    clock.advance(elapsed);
    if (ok) await expect(emails.verifyEmail({ token: verificationToken() })).resolves.toBeUndefined();
    else await expectInvalidToken(emails.verifyEmail({ token: verificationToken() }));
  });

  test("a password-reset code does not verify the e-mail", async () => {
    const { register, emails, requestReset, users } = setup();
    const { user } = await register();
    const code = await requestReset();
    await expectInvalidToken(emails.verifyEmail({ token: code }));
    expect(users.rows.get(user.id)?.emailVerifiedAt).toBeNull();
  });

  test.each<{ case: string; input: unknown; message: string }>([
    { case: "missing", input: {}, message: "is required" },
    { case: "empty", input: { token: "" }, message: "is required" },
    { case: "too long", input: { token: "x".repeat(257) }, message: "is too long" },
    { case: "not a string", input: { token: 42 }, message: expect.any(String) as unknown as string },
    { case: "unknown", input: { token: "A".repeat(43) }, message: "is invalid, used or expired" },
  ])("$case token → BAD_USER_INPUT fields.token", async ({ input, message }) => {
    const { emails } = setup();
    const error = await appError(emails.verifyEmail(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ token: message });
  });
});

describe("requestPasswordReset: no account enumeration", () => {
  test("known and unknown e-mails get the identical answer; only the known one gets a mail and a token", async () => {
    const { register, emails, mailer, tokens } = setup();
    await register();
    mailer.sent.length = 0;
    const known = await emails.requestPasswordReset({ email: EMAIL });
    const unknown = await emails.requestPasswordReset({ email: "nobody@example.com" });
    expect(unknown).toEqual(known);
    await emails.settled();
    expect(mailer.sent.map((m) => m.to)).toEqual([EMAIL]);
    expect(tokens.rows.filter((r) => r.purpose === "PASSWORD_RESET")).toHaveLength(1);
  });

  test("the mail carries the code; only its hash is stored, valid for 1 h", async () => {
    const { register, requestReset, mailer, tokens, clock } = setup();
    await register();
    const code = await requestReset(" Alice@Example.COM ");
    expect(mailer.sent.at(-1)).toMatchObject({ to: EMAIL, subject: "Reset your Fixup password" });
    expect(code).toMatch(/^[\w-]{43}$/);
    const row = tokens.rows.find((r) => r.purpose === "PASSWORD_RESET");
    expect(row).toMatchObject({ tokenHash: hashAccountToken(code ?? ""), expiresAt: new Date(clock.now().getTime() + HOUR * 1000) });
  });

  test.each([
    { case: "known e-mail", registered: true },
    { case: "unknown e-mail", registered: false },
  ])("$case: the 6th request within the hour is RATE_LIMITED", async ({ registered }) => {
    const { register, emails } = setup();
    if (registered) await register();
    for (let i = 0; i < 5; i++) await emails.requestPasswordReset({ email: EMAIL });
    const error = await appError(emails.requestPasswordReset({ email: EMAIL }));
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  test("per-IP limit across different e-mails", async () => {
    const { emails } = setup({ perEmail: 5, perIp: 3 });
    for (let i = 0; i < 3; i++) await emails.requestPasswordReset({ email: `u${i}@example.com` }, { ip: "203.0.113.7" });
    expect((await appError(emails.requestPasswordReset({ email: "u9@example.com" }, { ip: "203.0.113.7" }))).code).toBe(ErrorCode.RATE_LIMITED);
    await expect(emails.requestPasswordReset({ email: "u9@example.com" }, { ip: "203.0.113.8" })).resolves.toBeUndefined();
  });

  test.each<{ case: string; input: unknown; message: string }>([
    { case: "missing", input: {}, message: "is required" },
    { case: "malformed", input: { email: "not-an-email" }, message: "must be a valid email address" },
  ])("$case e-mail → BAD_USER_INPUT fields.email", async ({ input, message }) => {
    const { emails } = setup();
    const error = await appError(emails.requestPasswordReset(input));
    expect(error.fields).toEqual({ email: message });
  });

  test("a failing mailer is logged, never reported to the caller", async () => {
    const { register, emails, mailer, logLines } = setup();
    await register();
    mailer.failing = true;
    await expect(emails.requestPasswordReset({ email: EMAIL })).resolves.toBeUndefined();
    await emails.settled();
    expect(logLines.join("")).toContain("password reset mail failed");
  });
});

describe("resetPassword", () => {
  test("sets the password, revokes every session, verifies the e-mail; the code is single use", async () => {
    const { register, requestReset, emails, auth, users, refreshTokens } = setup();
    const registered = await register();
    const other = await auth.login({ email: EMAIL, password: PASSWORD });
    const code = await requestReset();

    await emails.resetPassword({ token: code, newPassword: NEW_PASSWORD });

    expect(refreshTokens.rows.every((r) => r.revokedAt !== null)).toBe(true);
    for (const { refreshToken } of [registered, other]) {
      expect((await appError(auth.refresh({ refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    }
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((await auth.login({ email: EMAIL, password: NEW_PASSWORD })).user.id).toBe(registered.user.id);
    expect(users.rows.get(registered.user.id)?.emailVerifiedAt).not.toBeNull();
    await expectInvalidToken(emails.resetPassword({ token: code, newPassword: "yet another passphrase" }));
  });

  test("a new request invalidates the older code", async () => {
    const { register, requestReset, emails } = setup();
    await register();
    const first = await requestReset();
    const second = await requestReset();
    expect(second).not.toBe(first);
    await expectInvalidToken(emails.resetPassword({ token: first, newPassword: NEW_PASSWORD }));
    await emails.resetPassword({ token: second, newPassword: NEW_PASSWORD });
  });

  test.each([
    { elapsed: HOUR - 1, ok: true },
    { elapsed: HOUR, ok: false },
    { elapsed: 24 * HOUR, ok: false },
  ])("after $elapsed s (TTL 1 h) ok=$ok", async ({ elapsed, ok }) => {
    const { register, requestReset, emails, clock } = setup();
    await register();
    const code = await requestReset();
    clock.advance(elapsed);
    const result = emails.resetPassword({ token: code, newPassword: NEW_PASSWORD });
    if (ok) await expect(result).resolves.toBeUndefined();
    else await expectInvalidToken(result);
  });

  test.each([
    { case: "too short", newPassword: "1234567", message: "must be at least 8 characters" },
    { case: "too long", newPassword: "x".repeat(257), message: "must be at most 256 characters" },
    { case: "the e-mail", newPassword: "ALICE@example.com", message: "must not be the same as the email" },
  ])("password policy: $case → fields.newPassword, and the code stays usable", async ({ newPassword, message }) => {
    const { register, requestReset, emails, refreshTokens } = setup();
    await register();
    const code = await requestReset();
    const error = await appError(emails.resetPassword({ token: code, newPassword }));
    expect(error).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, fields: { newPassword: message } });
    expect(refreshTokens.rows.filter((r) => r.revokedAt)).toEqual([]);
    await emails.resetPassword({ token: code, newPassword: NEW_PASSWORD });
  });

  test.each<{ case: string; input: Record<string, unknown>; fields: string[] }>([
    { case: "nothing", input: {}, fields: ["token", "newPassword"] },
    { case: "no password", input: { token: "A".repeat(43) }, fields: ["newPassword"] },
    { case: "unknown code", input: { token: "A".repeat(43), newPassword: NEW_PASSWORD }, fields: ["token"] },
  ])("$case → BAD_USER_INPUT naming $fields", async ({ input, fields }) => {
    const { emails } = setup();
    const error = await appError(emails.resetPassword(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(Object.keys(error.fields ?? {}).sort()).toEqual([...fields].sort());
  });

  test("a verification token cannot reset the password", async () => {
    const { register, emails, verificationToken } = setup();
    await register();
    await expectInvalidToken(emails.resetPassword({ token: verificationToken(), newPassword: NEW_PASSWORD }));
  });

  test("two concurrent redemptions of one code: exactly one wins", async () => {
    const { register, requestReset, emails } = setup();
    await register();
    const code = await requestReset();
    const results = await Promise.allSettled([
      emails.resetPassword({ token: code, newPassword: "first new passphrase" }),
      emails.resetPassword({ token: code, newPassword: "second new passphrase" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  test("clears a login lockout: the new password works at once", async () => {
    const { register, requestReset, emails, auth } = setup();
    await register();
    for (let i = 0; i < 5; i++) await appError(auth.login({ email: EMAIL, password: "wrong guess!" }));
    expect((await appError(auth.login({ email: EMAIL, password: PASSWORD }))).code).toBe(ErrorCode.RATE_LIMITED);
    await emails.resetPassword({ token: await requestReset(), newPassword: NEW_PASSWORD });
    expect((await auth.login({ email: EMAIL, password: NEW_PASSWORD })).user.email).toBe(EMAIL);
  });
});

import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger, createRedis, type Redis, type RunningServer } from "@fixup/platform";
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from "@fixup/platform/testing";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { loadUsersConfig, migrationsDir, startUsersService } from "@fixup/users";
import { startTestSmtpServer, type TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { gql, postJson, uniqueEmail } from "../support/federation.js";

const PUBLIC_BASE_URL = "https://fixup.example";
const PASSWORD = "correct horse";
const NEW_PASSWORD = "a brand new passphrase";

// Only users and the gateway: account e-mails touch no other subgraph.
let db: TestDatabase;
let redis: Redis;
let smtp: TestSmtpServer;
let users: RunningServer;
let gateway: RunningServer;
let url: string;
beforeAll(async () => {
  const logger = createLogger("test", process.env.LOG_LEVEL ?? "silent");
  [db, smtp] = await Promise.all([createTestDatabase("users_mail", migrationsDir), startTestSmtpServer({ user: "fixup", pass: "secret" })]);
  redis = createRedis(TEST_REDIS_URL) as Redis;
  users = await startUsersService(
    loadUsersConfig({
      NODE_ENV: "test",
      REDIS_URL: TEST_REDIS_URL,
      USERS_PORT: "0",
      USERS_DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      PUBLIC_BASE_URL,
      // Every request comes from 127.0.0.1, and Redis counters outlive a test run: only per-e-mail limits apply here.
      LOGIN_MAX_FAILURES_PER_IP: "100000",
      PASSWORD_RESET_MAX_PER_IP: "100000",
    }),
    { logger, redis },
  );
  gateway = await startGateway(loadGatewayConfig({ NODE_ENV: "test", GATEWAY_PORT: "0", USERS_URL: users.url }), logger);
  url = gateway.url;
});
afterAll(async () => {
  await gateway?.close();
  await users?.close();
  await redis?.quit();
  await smtp?.close();
  await db?.drop();
});

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

const register = async () => {
  const email = uniqueEmail("mail");
  const res = await postJson(url, "/auth/register", { email, password: PASSWORD, name: "Ann" });
  expect(res.status).toBe(201);
  return { email, session: res.body as unknown as Session };
};
const emailVerified = async (accessToken: string) =>
  (await gql<{ me: { emailVerified: boolean } }>(url, "{ me { emailVerified } }", {}, accessToken)).data?.me.emailVerified;
/** The reset code on its own line in the next reset mail to `email`. */
const nextResetCode = async (email: string) => {
  const { mail } = await smtp.next(email);
  expect(mail.subject).toBe("Reset your Fixup password");
  const code = mail.text?.match(/^([\w-]{43})$/m)?.[1];
  if (!code) throw new Error(`no reset code in: ${mail.text}`);
  return code;
};
const requestReset = (email: string) => postJson(url, "/auth/password-reset/request", { email });
const confirmReset = (token: string, newPassword = NEW_PASSWORD) => postJson(url, "/auth/password-reset/confirm", { token, newPassword });
const expectBadToken = (res: { status: number; body: unknown }) => {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ error: { code: "BAD_USER_INPUT", fields: { token: expect.any(String) } } });
};

async function expireToken(token: string): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const hash = createHash("sha256").update(token).digest("hex");
    const { rowCount } = await client.query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [hash]);
    expect(rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

describe("account e-mails through the gateway, mail over real SMTP", () => {
  test("register → verification mail → verify → reset request → mail → confirm → new password only, old sessions dead", async () => {
    const { email, session } = await register();
    expect(await emailVerified(session.accessToken)).toBe(false);

    const { mail, authUser } = await smtp.next(email);
    expect(authUser).toBe("fixup");
    expect(mail.subject).toBe("Confirm your e-mail address for Fixup");
    const link = new URL(mail.text?.match(/https:\/\/\S+/)?.[0] ?? "https://missing.invalid");
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_BASE_URL}/auth/verify-email`);
    const verificationToken = link.searchParams.get("token") ?? "";

    // The link, opened in a browser (through the gateway instead of the public host).
    const opened = await fetch(`${url}/auth/verify-email?token=${verificationToken}`, { headers: { accept: "text/html" } });
    expect(opened.status).toBe(200);
    expect(opened.headers.get("content-type")).toMatch(/text\/html/);
    expect(opened.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await emailVerified(session.accessToken)).toBe(true);
    expectBadToken(await postJson(url, "/auth/verify-email", { token: verificationToken })); // single use

    const accepted = await requestReset(email);
    expect(accepted.status).toBe(202);
    const code = await nextResetCode(email);

    const confirmed = await confirmReset(code);
    expect(confirmed.status).toBe(204);

    expect((await postJson(url, "/auth/login", { email, password: NEW_PASSWORD })).status).toBe(200);
    const oldPassword = await postJson(url, "/auth/login", { email, password: PASSWORD });
    expect(oldPassword.status).toBe(401);
    const oldSession = await postJson(url, "/auth/refresh", { refreshToken: session.refreshToken });
    expect(oldSession.status).toBe(401);
    expect(oldSession.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });

    expectBadToken(await confirmReset(code, "yet another passphrase")); // used
  });

  test("a lost verification mail can be sent again (signed in); the new link works, the old one not", async () => {
    const { email, session } = await register();
    const first = new URL((await smtp.next(email)).mail.text?.match(/https:\/\/\S+/)?.[0] ?? "https://missing.invalid");
    expect((await postJson(url, "/auth/verify-email/resend", {})).status).toBe(401);
    const resent = await postJson(url, "/auth/verify-email/resend", {}, { authorization: `Bearer ${session.accessToken}` });
    expect(resent.status).toBe(202);
    const second = new URL((await smtp.next(email)).mail.text?.match(/https:\/\/\S+/)?.[0] ?? "https://missing.invalid");
    expectBadToken(await postJson(url, "/auth/verify-email", { token: first.searchParams.get("token") }));
    expect((await postJson(url, "/auth/verify-email", { token: second.searchParams.get("token") })).status).toBe(204);
    expect(await emailVerified(session.accessToken)).toBe(true);
    const again = await gql(url, "mutation { resendVerificationEmail }", {}, session.accessToken);
    expect(again.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
  });

  test("an unknown e-mail gets exactly the known one's answer, and no mail", async () => {
    const { email } = await register();
    await smtp.next(email); // the verification mail
    const unknownEmail = uniqueEmail("nobody");
    const unknown = await requestReset(unknownEmail);
    const known = await requestReset(email);
    expect(unknown.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    expect(unknown.headers.get("content-type")).toBe(known.headers.get("content-type"));

    await nextResetCode(email); // sent after the unknown one's request: had that sent anything, it would be here too
    expect(smtp.received.some((r) => r.recipients.includes(unknownEmail))).toBe(false);

    const viaGraphql = await Promise.all(
      [email, unknownEmail].map((e) => gql(url, "mutation($e: String!) { requestPasswordReset(email: $e) }", { e })),
    );
    expect(viaGraphql[0]).toEqual(viaGraphql[1]);
    expect(viaGraphql[0]?.data).toEqual({ requestPasswordReset: true });
  });

  test("an expired reset code is refused; a newer request invalidates the older code", async () => {
    const { email } = await register();
    await smtp.next(email);
    await requestReset(email);
    const expired = await nextResetCode(email);
    await expireToken(expired);
    expectBadToken(await confirmReset(expired));

    await requestReset(email);
    const older = await nextResetCode(email);
    await requestReset(email);
    const newer = await nextResetCode(email);
    expectBadToken(await confirmReset(older));
    expect((await confirmReset(newer)).status).toBe(204);
  });

  test("GraphQL: resetPassword and verifyEmail with mailed tokens, errors name the field", async () => {
    const { email, session } = await register();
    const { mail } = await smtp.next(email);
    const token = new URL(mail.text?.match(/https:\/\/\S+/)?.[0] ?? "https://x").searchParams.get("token");

    const bad = await gql(url, "mutation { verifyEmail(token: \"not-a-real-token\") }");
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { token: expect.any(String) } });
    expect((await gql(url, "mutation($t: String!) { verifyEmail(token: $t) }", { t: token })).data).toEqual({ verifyEmail: true });

    await gql(url, "mutation($e: String!) { requestPasswordReset(email: $e) }", { e: email });
    const code = await nextResetCode(email);
    const weak = await gql(url, "mutation($t: String!) { resetPassword(token: $t, newPassword: \"short\") }", { t: code });
    expect(weak.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { newPassword: "must be at least 8 characters" } });
    const reset = await gql(url, "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }", { t: code, p: NEW_PASSWORD });
    expect(reset.data).toEqual({ resetPassword: true });
    expect((await postJson(url, "/auth/refresh", { refreshToken: session.refreshToken })).status).toBe(401);
    expect((await postJson(url, "/auth/login", { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  test("emailVerified is private like email; a broken link answers 400 (a page for browsers)", async () => {
    const a = await register();
    const b = await register();
    const q = "query($id: ID!) { user(id: $id) { email emailVerified } }";
    expect((await gql<{ user: unknown }>(url, q, { id: a.session.user.id }, b.session.accessToken)).data?.user).toEqual({ email: null, emailVerified: null });
    expect((await gql<{ user: unknown }>(url, q, { id: a.session.user.id }, a.session.accessToken)).data?.user).toEqual({ email: a.email, emailVerified: false });

    const page = await fetch(`${url}/auth/verify-email?token=nope`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/invalid, already used or expired/);
    const json = await fetch(`${url}/auth/verify-email`);
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: { code: "BAD_USER_INPUT", fields: { token: "is required" } } });
  });

  test("reset requests are rate limited per e-mail, known or not: 429 with Retry-After", async () => {
    for (const email of [(await register()).email, uniqueEmail("nobody")]) {
      for (let i = 0; i < 5; i++) expect((await requestReset(email)).status).toBe(202);
      const limited = await requestReset(email);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ error: { code: "RATE_LIMITED" } });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});

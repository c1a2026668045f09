import { expect } from "vitest";
import { createAdmin } from "../../subgraphs/users/src/cli/create-admin.js";
import type { TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { gqlOk, identityNumber, postJson, uniqueEmail, type Federation, type TestUser } from "./federation.js";

export const PASSWORD = "correct horse";

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

export interface SignedUp {
  email: string;
  session: Session;
}

/** Registers through the gateway's REST shim (a provider with a fresh identity number); `extra` adds body fields. */
export async function signUp(gatewayUrl: string, roles: string[], name = "Test User", extra: Record<string, unknown> = {}): Promise<SignedUp> {
  const email = uniqueEmail(roles.join("-").toLowerCase());
  const identity = roles.includes("PROVIDER") ? { identityNumber: identityNumber() } : {};
  const res = await postJson(gatewayUrl, "/auth/register", { email, password: PASSWORD, name, roles, ...identity, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email, session: res.body as unknown as Session };
}

/**
 * Follows the verification link of the registration mail `smtp` received for `email`, then refreshes the session:
 * the returned access token carries `email_verified: true`.
 */
export async function confirmEmail(gatewayUrl: string, smtp: TestSmtpServer, { email, session }: SignedUp): Promise<string> {
  const { mail } = await smtp.next(email);
  const link = new URL(mail.text?.match(/https?:\/\/\S+verify-email\S*/)?.[0] ?? "");
  expect((await postJson(gatewayUrl, "/auth/verify-email", { token: link.searchParams.get("token") })).status).toBe(204);
  const { refreshToken } = await gqlOk<{ refreshToken: { accessToken: string; refreshToken: string } }>(
    gatewayUrl,
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }",
    { t: session.refreshToken },
  );
  session.refreshToken = refreshToken.refreshToken;
  session.accessToken = refreshToken.accessToken;
  return refreshToken.accessToken;
}

/** A TestUser signed in by password, with the refresh token of the session. */
export interface LoggedIn extends TestUser {
  refreshToken: string;
}

/** Logs in through the gateway's REST shim; anything but 200 fails the test. */
export async function logIn(gatewayUrl: string, email: string, password = PASSWORD): Promise<LoggedIn> {
  const res = await postJson(gatewayUrl, "/auth/login", { email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const body = res.body as unknown as Session;
  return { id: body.user.id, email, token: body.accessToken, refreshToken: body.refreshToken };
}

/** An ADMIN made the operator's way (the create-admin CLI on users' database), logged in. */
export async function adminAccount(fed: Federation, name = "Ada Admin", password = PASSWORD): Promise<LoggedIn> {
  const email = uniqueEmail("admin");
  await createAdmin(fed.databaseUrls.users, { email, password, name });
  return logIn(fed.gatewayUrl, email, password);
}

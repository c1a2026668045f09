import { expect } from "vitest";
import type { TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { gqlOk, postJson, uniqueEmail } from "./federation.js";

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

/** Registers through the gateway's REST shim; `extra` adds body fields (an identity number, say). */
export async function signUp(gatewayUrl: string, roles: string[], name = "Test User", extra: Record<string, unknown> = {}): Promise<SignedUp> {
  const email = uniqueEmail(roles.join("-").toLowerCase());
  const res = await postJson(gatewayUrl, "/auth/register", { email, password: PASSWORD, name, roles, ...extra });
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

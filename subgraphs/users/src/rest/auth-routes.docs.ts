import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../domain/password-policy.js";
import { errorResponses, jsonRequest, jsonResponse, routeDocs } from "./openapi-route.js";
import { AuthPayload, Jwks, LoginInput, RefreshInput, RegisterInput } from "./openapi-schemas.js";

const example = { email: "ann@example.com", password: "correct horse" };
const tokens = {
  accessToken: "eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln",
  refreshToken: "rt_3q2-7wEAAAA",
  expiresIn: 900,
  user: { id: "0b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10", email: "ann@example.com", name: "Ann", roles: ["CUSTOMER"] },
};

/** One entry per route in auth-routes.ts; add the entry with the route. */
export const authRouteDocs = routeDocs(
  {
    method: "post",
    path: "/auth/register",
    operationId: "register",
    tags: ["auth"],
    summary: "Create an account",
    description:
      `Same rules as the GraphQL \`register\` mutation. The password must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} ` +
      "characters and differ from the email; `roles` defaults to CUSTOMER (ADMIN cannot be self-assigned). A provider " +
      "(`roles` includes PROVIDER) gives `identityNumber` (11 digits unless configured otherwise; stored encrypted, " +
      "shown only masked); a customer gives none (400 with `fields.identityNumber` otherwise).",
    request: { body: jsonRequest(RegisterInput, { ...example, name: "Ann", roles: ["CUSTOMER"] }) },
    responses: { 201: jsonResponse("Registered and signed in", AuthPayload, tokens), ...errorResponses(400, 409, 500) },
  },
  {
    method: "post",
    path: "/auth/login",
    operationId: "login",
    tags: ["auth"],
    summary: "Sign in with email and password",
    description:
      "Failed attempts are rate limited per account and per client IP (429 with `Retry-After`). A suspended account gets 403 with `error.reason` `ACCOUNT_SUSPENDED` (after a correct password only).",
    request: { body: jsonRequest(LoginInput, example) },
    responses: { 200: jsonResponse("Signed in", AuthPayload, tokens), ...errorResponses(400, 401, 403, 429, 500) },
  },
  {
    method: "post",
    path: "/auth/refresh",
    operationId: "refreshToken",
    tags: ["auth"],
    summary: "Rotate a refresh token",
    description:
      "Returns a new pair; the presented token is spent. Presenting a spent token revokes its whole family. A suspended account gets 403 with `error.reason` `ACCOUNT_SUSPENDED`.",
    request: { body: jsonRequest(RefreshInput, { refreshToken: tokens.refreshToken }) },
    responses: { 200: jsonResponse("New tokens", AuthPayload, tokens), ...errorResponses(400, 401, 403, 500) },
  },
  {
    method: "post",
    path: "/auth/logout",
    operationId: "logout",
    tags: ["auth"],
    summary: "Sign out a session",
    description: "Revokes the refresh token's family. Idempotent: an unknown or already revoked token also answers 204.",
    request: { body: jsonRequest(RefreshInput, { refreshToken: tokens.refreshToken }) },
    responses: { 204: { description: "Signed out" }, ...errorResponses(400, 500) },
  },
  {
    method: "get",
    path: "/.well-known/jwks.json",
    operationId: "jwks",
    tags: ["keys"],
    summary: "Public keys that verify access tokens",
    description: "Every key any instance may sign with (newest first). Cacheable for 5 minutes; refetch when a token's kid is unknown.",
    responses: { 200: jsonResponse("JSON Web Key Set", Jwks), ...errorResponses(500) },
  },
);

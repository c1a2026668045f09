import { z } from "zod";
import { passwordResetConfirmInput, passwordResetRequestInput, verifyEmailInput } from "../service/inputs.js";
import { PASSWORD_RESET_REQUESTED, VERIFICATION_RESENT } from "./account-routes.js";
import { errorResponses, jsonRequest, jsonResponse, routeDocs } from "./openapi-route.js";

// The handlers' own schemas (service/inputs.ts), named once under components/schemas.
const VerifyEmailInput = verifyEmailInput.meta({ id: "VerifyEmailInput" });
const PasswordResetRequestInput = passwordResetRequestInput.meta({ id: "PasswordResetRequestInput" });
const PasswordResetConfirmInput = passwordResetConfirmInput.meta({ id: "PasswordResetConfirmInput" });

const token = "Vq3kM0cV7bq1l2YVJ0oTQ8g7b6Q2m4yqjv4o1mYxw1E";

/** One entry per route in account-routes.ts. */
export const accountRouteDocs = routeDocs(
  {
    method: "post",
    path: "/auth/verify-email",
    operationId: "verifyEmail",
    tags: ["auth"],
    summary: "Confirm an e-mail address with the mailed token",
    request: { body: jsonRequest(VerifyEmailInput, { token }) },
    responses: { 204: { description: "Confirmed" }, ...errorResponses(400, 500) },
  },
  {
    method: "get",
    path: "/auth/verify-email",
    operationId: "verifyEmailLink",
    tags: ["auth"],
    summary: "The link in the verification mail",
    description: "A browser (Accept: text/html) gets a small page, also for a bad link (400); other clients get JSON.",
    request: { query: VerifyEmailInput },
    responses: {
      200: {
        description: "Confirmed",
        content: {
          "application/json": { schema: z.strictObject({ verified: z.literal(true) }), example: { verified: true } },
          "text/html": { schema: z.string() },
        },
      },
      ...errorResponses(400, 500),
    },
  },
  {
    method: "post",
    path: "/auth/verify-email/resend",
    operationId: "resendVerificationEmail",
    tags: ["auth"],
    summary: "Mail a new confirmation link to the signed-in user",
    description: "The previous link stops working. Shares the per-address mail budget with password reset requests.",
    security: [{ bearerAuth: [] }],
    responses: {
      202: jsonResponse("A new link is on its way", z.strictObject({ message: z.string() }), VERIFICATION_RESENT),
      ...errorResponses(401, 409, 429, 500),
    },
  },
  {
    method: "post",
    path: "/auth/password-reset/request",
    operationId: "requestPasswordReset",
    tags: ["auth"],
    summary: "Mail a password reset code",
    description: "Answers the same whether or not the account exists, so it reveals no e-mail addresses.",
    request: { body: jsonRequest(PasswordResetRequestInput, { email: "ann@example.com" }) },
    responses: {
      202: jsonResponse("Accepted (mailed if the account exists)", z.strictObject({ message: z.string() }), PASSWORD_RESET_REQUESTED),
      ...errorResponses(400, 429, 500),
    },
  },
  {
    method: "post",
    path: "/auth/password-reset/confirm",
    operationId: "confirmPasswordReset",
    tags: ["auth"],
    summary: "Set a new password with the mailed token",
    request: { body: jsonRequest(PasswordResetConfirmInput, { token, newPassword: "a new long password" }) },
    responses: { 204: { description: "Password changed" }, ...errorResponses(400, 500) },
  },
);

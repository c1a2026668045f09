import { z } from "zod";
import { parseInput } from "@fixup/platform";
import { BIO_MAX_LENGTH } from "../domain/identity-number.js";
import { PASSWORD_MAX_LENGTH } from "../domain/password-policy.js";
import { SELF_ASSIGNABLE_ROLES } from "../domain/user.js";

const email = z.email("must be a valid email address").max(254, "must be at most 254 characters");
const name = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const password = z.string().min(1, "is required").max(PASSWORD_MAX_LENGTH * 4, "is too long");
const selfRole = z.enum(SELF_ASSIGNABLE_ROLES, `must be ${SELF_ASSIGNABLE_ROLES.join(" or ")}`);
// The format (IDENTITY_NUMBER_PATTERN) is configuration, so the service checks it; this only stops junk early.
const identityNumber = z
  .string("must be a string")
  .max(64, "is too long")
  .describe("Providers only (required when roles include PROVIDER): personal identification number, 11 digits by default")
  .meta({ example: "12345678901" });
const bio = z.string("must be a string").trim().max(BIO_MAX_LENGTH, `must be at most ${BIO_MAX_LENGTH} characters`);

/** One set of input schemas for REST and GraphQL handlers: both go through the same validation. */
export const registerInput = z.object({
  email: z.string().trim().pipe(email),
  password: z.string({ error: "is required" }),
  name,
  roles: z.array(selfRole).max(2).optional(),
  identityNumber: identityNumber.optional(),
});
export const loginInput = z.object({ email: z.string({ error: "is required" }).trim(), password });
export const refreshInput = z.object({ refreshToken: z.string({ error: "is required" }).min(1, "is required").max(512) });
export const updateMeInput = z
  .object({
    name: name.optional(),
    roles: z.array(selfRole).min(1, "must keep at least one role").max(2).optional(),
    // Empty (after trimming) clears it.
    bio: bio.nullable().optional(),
    identityNumber: identityNumber.optional(),
  })
  .refine((v) => v.name !== undefined || v.roles !== undefined || v.bio !== undefined || v.identityNumber !== undefined, {
    message: "nothing to update",
    path: ["input"],
  });

// Account e-mails. Mailed tokens are 32 random bytes in base64url (43 characters); the cap only stops junk early.
const accountToken = z
  .string({ error: "is required" })
  .min(1, "is required")
  .max(256, "is too long")
  .describe("The token from the e-mail");
/** `POST /auth/verify-email` body (`GET /auth/verify-email?token=…` reads the same field from the query). */
export const verifyEmailInput = z.object({ token: accountToken });
/** `POST /auth/password-reset/request` body. */
export const passwordResetRequestInput = z.object({
  email: z.string({ error: "is required" }).trim().pipe(email).describe("The account's e-mail address"),
});
/** `POST /auth/password-reset/confirm` body; the password policy is checked by the service. */
export const passwordResetConfirmInput = z.object({
  token: accountToken,
  newPassword: password.describe("At least 8 characters, not the e-mail address"),
});

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
export type UpdateMeInput = z.infer<typeof updateMeInput>;
export type VerifyEmailInput = z.infer<typeof verifyEmailInput>;
export type PasswordResetRequestInput = z.infer<typeof passwordResetRequestInput>;
export type PasswordResetConfirmInput = z.infer<typeof passwordResetConfirmInput>;

export { parseInput };

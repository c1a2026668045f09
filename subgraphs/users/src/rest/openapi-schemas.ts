import { z } from "zod";
import { ErrorCode } from "@fixup/platform";
import { ROLES } from "../domain/generated/roles.js";
import { loginInput, refreshInput, registerInput } from "../service/inputs.js";

// Request bodies: the handlers' own schemas (service/inputs.ts), only named here so they appear once under
// components/schemas. `.meta` returns a copy with identical validation, so the document cannot drift from parsing.
export const RegisterInput = registerInput.meta({ id: "RegisterInput" });
export const LoginInput = loginInput.meta({ id: "LoginInput" });
export const RefreshInput = refreshInput.meta({ id: "RefreshInput" });

// Response bodies have no parsing schema to borrow (handlers build them), so openapi.test.ts parses live responses
// with these strictly: a field added or renamed in a handler fails the test instead of silently drifting.
export const AuthUser = z
  .strictObject({
    id: z.string().meta({ example: "0b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10" }),
    email: z.string().meta({ format: "email", example: "ann@example.com" }),
    name: z.string().meta({ example: "Ann" }),
    roles: z.array(z.enum(ROLES)).meta({ example: ["CUSTOMER"] }),
  })
  .meta({ id: "AuthUser" });

export const AuthPayload = z
  .strictObject({
    accessToken: z.string().meta({ description: "ES256 JWT (kid in header, sub = user id); send as `Authorization: Bearer …`" }),
    refreshToken: z.string().meta({ description: "Opaque, single use: /auth/refresh rotates it; reuse revokes the family" }),
    expiresIn: z.number().int().meta({ description: "Access token lifetime in seconds", example: 900 }),
    user: AuthUser,
  })
  .meta({ id: "AuthPayload" });

export const ErrorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ErrorCode),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional().meta({ description: "Field path → problem (BAD_USER_INPUT only)" }),
    }),
  })
  .meta({ id: "Error" });

export const Jwks = z
  .object({
    keys: z.array(
      z.looseObject({
        kty: z.string().meta({ example: "EC" }),
        kid: z.string(),
        alg: z.string().meta({ example: "ES256" }),
        use: z.literal("sig"),
        crv: z.string().optional().meta({ example: "P-256" }),
        x: z.string().optional(),
        y: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "JWKS", description: "RFC 7517 key set; verify access tokens with the key whose kid matches" });

export const Health = z.strictObject({ status: z.literal("ok") }).meta({ id: "Health" });

export const Readiness = z
  .strictObject({
    status: z.enum(["ok", "unavailable"]),
    checks: z.record(z.string(), z.enum(["ok", "failing"])).meta({ example: { postgres: "ok", redis: "ok" } }),
  })
  .meta({ id: "Readiness" });

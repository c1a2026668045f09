import { z } from "zod";
import { baseEnv, ConfigError, envSchemas, loadConfig } from "@fixup/platform";
import { DEFAULT_IDENTITY_NUMBER_PATTERN } from "./domain/identity-number.js";
import { IDENTITY_KEYS_REQUIRED, parseIdentityKeys } from "./service/identity-keys.js";
import { OWASP_SCRYPT_LOG_N } from "./service/password-hasher.js";

export const usersEnv = baseEnv.extend({
  USERS_PORT: envSchemas.port(4001),
  USERS_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).default(30 * 86_400),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(50),
  /** How often suspensions whose `until` passed are lifted (UserUnsuspended); login lifts one on its own too. */
  SUSPENSION_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * log2 of scrypt's N for new password hashes (r=8, p=1). 17 is OWASP's recommendation, and production refuses less;
   * test runs lower it (each hash at 17 costs about a second of CPU and 128 MiB). Stored hashes carry their own N.
   */
  PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(14).max(20).default(OWASP_SCRYPT_LOG_N),
  // Avatar storage: S3 when a bucket is set, else files under MEDIA_DIR served at PUBLIC_BASE_URL/media.
  AVATAR_S3_BUCKET: z.string().optional(),
  AWS_REGION: z.string().default("us-east-1"),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  // Unset: the AWS SDK's default credential chain (shared config, instance or task role).
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  CLOUDFRONT_DOMAIN: z.string().optional(),
  CLOUDFRONT_KEY_PAIR_ID: z.string().optional(),
  CLOUDFRONT_PRIVATE_KEY: z.string().optional(),
  AVATAR_URL_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  MEDIA_DIR: z.string().default(".data/media"),
  // The public origin clients reach users through (the gateway): media URLs and mailed links start with it.
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:4000"),
  // Account e-mails: SMTP when SMTP_URL is set, else .eml files in MAIL_OUTBOX_DIR.
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().trim().min(3).default("Fixup <no-reply@fixup.local>"),
  MAIL_OUTBOX_DIR: z.string().default(".data/mail-outbox"),
  PASSWORD_RESET_MAX_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  PASSWORD_RESET_MAX_PER_IP: z.coerce.number().int().min(1).default(20),
  // Providers' identity numbers: AES-256-GCM keys "keyId:base64-of-32-bytes,…" (the first encrypts, all decrypt).
  // Unset outside production: a key generated into IDENTITY_KEY_FILE on first start; production refuses to start.
  IDENTITY_KEYS: z
    .string()
    .optional()
    .superRefine((raw, ctx) => {
      if (raw === undefined) return;
      const parsed = parseIdentityKeys(raw);
      if ("problems" in parsed) for (const message of parsed.problems) ctx.addIssue({ code: "custom", message });
    }),
  IDENTITY_KEY_FILE: z.string().default(".data/identity-keys"),
  // The accepted shape of an identity number (a regular expression's source), 11 digits by default.
  IDENTITY_NUMBER_PATTERN: z
    .string()
    .default(DEFAULT_IDENTITY_NUMBER_PATTERN)
    .superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch {
        ctx.addIssue({ code: "custom", message: "not a valid regular expression" });
      }
    }),
});
export type UsersConfig = z.infer<typeof usersEnv>;

export function loadUsersConfig(env: NodeJS.ProcessEnv = process.env): UsersConfig {
  const config = loadConfig(usersEnv, env);
  if (config.NODE_ENV === "production" && !config.IDENTITY_KEYS) throw new ConfigError([IDENTITY_KEYS_REQUIRED]);
  if (config.NODE_ENV === "production" && config.PASSWORD_SCRYPT_LOG_N < OWASP_SCRYPT_LOG_N) {
    throw new ConfigError([`PASSWORD_SCRYPT_LOG_N: at least ${OWASP_SCRYPT_LOG_N} in production (OWASP's scrypt cost)`]);
  }
  return config;
}

import { z } from "zod";

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses env with a zod object schema; every bad variable is named in the error so start-up fails loudly. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // An empty variable means "unset" (as in shell `FOO= cmd`), not the value "" (which z.coerce turns into 0).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`),
  );
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** express `trust proxy`: a hop count, or addresses, CIDR ranges and names (loopback, linklocal, uniquelocal). */
export type TrustProxy = number | string[];

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-f:.]+(\/\d{1,3})?$/i;

/**
 * TRUST_PROXY: which peers may report the client's address in X-Forwarded-For. A number trusts that many hops
 * (e.g. 2 for nginx → gateway → service); otherwise a comma-separated list of addresses, CIDR ranges or names.
 * `true` is refused: trusting every peer lets any client choose its own address and so its own rate-limit bucket.
 */
export const trustProxyEnv = z
  .string()
  .default("loopback")
  .transform((raw, ctx): TrustProxy => {
    const value = raw.trim();
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(",").map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((e) => !PROXY_NAMES.has(e) && !IPV4.test(e) && !(e.includes(":") && IPV6.test(e)));
    if (!entries.length || bad.length) {
      ctx.addIssue({ code: "custom", message: `expected a hop count or addresses/CIDRs/loopback|linklocal|uniquelocal, got ${bad.join(", ") || "nothing"}` });
      return z.NEVER;
    }
    return entries;
  });

/** Variables every process understands; services extend this. */
export const baseEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: logLevel,
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Interface to listen on: loopback for development, 0.0.0.0 in containers. */
  BIND_HOST: z.string().default("127.0.0.1"),
  TRUST_PROXY: trustProxyEnv,
  /** Distinct operation names kept as metric labels; later ones are counted as `other`. */
  METRICS_MAX_OPERATIONS: z.coerce.number().int().min(1).max(10_000).default(100),
});

/**
 * REQUIRE_VERIFIED_EMAIL: whether trading needs a confirmed e-mail address. Unset means on in production and off
 * otherwise, so `npm start` works without reading mail.
 */
export const requireVerifiedEmailEnv = z.enum(["true", "false", "1", "0"]).optional();
export function requiresVerifiedEmail(config: { NODE_ENV: string; REQUIRE_VERIFIED_EMAIL?: string | undefined }): boolean {
  if (config.REQUIRE_VERIFIED_EMAIL === undefined) return config.NODE_ENV === "production";
  return config.REQUIRE_VERIFIED_EMAIL === "true" || config.REQUIRE_VERIFIED_EMAIL === "1";
}

export const envSchemas = { port, requireVerifiedEmail: requireVerifiedEmailEnv };

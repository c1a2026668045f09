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

/** Variables every process understands; services extend this. */
export const baseEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: logLevel,
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Interface to listen on: loopback for development, 0.0.0.0 in containers. */
  BIND_HOST: z.string().default("127.0.0.1"),
});

export const envSchemas = { port };

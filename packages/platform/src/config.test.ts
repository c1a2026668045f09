import { describe, expect, test } from "vitest";
import { z } from "zod";
import { baseEnv, ConfigError, envSchemas, loadConfig, requiresVerifiedEmail } from "./config.js";

const schema = baseEnv.extend({
  PORT: envSchemas.port(4000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
});

const goodEnv: NodeJS.ProcessEnv = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/app" };

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig", () => {
  test("a minimal env parses with every default filled in", () => {
    expect(loadConfig(schema, goodEnv)).toEqual({
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      BIND_HOST: "127.0.0.1",
      PORT: 4000,
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/app",
      TRUST_PROXY: ["loopback"],
      METRICS_MAX_OPERATIONS: 100,
    });
  });

  test.each([
    { name: "NODE_ENV", env: { NODE_ENV: "production" }, expected: { NODE_ENV: "production" } },
    { name: "LOG_LEVEL", env: { LOG_LEVEL: "silent" }, expected: { LOG_LEVEL: "silent" } },
    { name: "PORT coerced from string", env: { PORT: "8080" }, expected: { PORT: 8080 } },
    { name: "PORT 0 (ephemeral)", env: { PORT: "0" }, expected: { PORT: 0 } },
    { name: "PORT upper bound", env: { PORT: "65535" }, expected: { PORT: 65535 } },
    { name: "redis:// URL", env: { REDIS_URL: "redis://127.0.0.1:6379" }, expected: { REDIS_URL: "redis://127.0.0.1:6379" } },
    { name: "rediss:// URL", env: { REDIS_URL: "rediss://cache:6380/1" }, expected: { REDIS_URL: "rediss://cache:6380/1" } },
    { name: "TRUST_PROXY hop count", env: { TRUST_PROXY: "2" }, expected: { TRUST_PROXY: 2 } },
    { name: "TRUST_PROXY list", env: { TRUST_PROXY: "loopback, 10.0.0.0/8,172.16.0.0/12, fd00::/8" }, expected: { TRUST_PROXY: ["loopback", "10.0.0.0/8", "172.16.0.0/12", "fd00::/8"] } },
    { name: "TRUST_PROXY single address", env: { TRUST_PROXY: "127.0.0.1" }, expected: { TRUST_PROXY: ["127.0.0.1"] } },
    { name: "METRICS_MAX_OPERATIONS", env: { METRICS_MAX_OPERATIONS: "25" }, expected: { METRICS_MAX_OPERATIONS: 25 } },
  ])("accepts a valid $name", ({ env, expected }) => {
    expect(loadConfig(schema, { ...goodEnv, ...env })).toMatchObject(expected);
  });

  test("ignores unrelated variables", () => {
    const config = loadConfig(schema, { ...goodEnv, PATH: "/usr/bin", HOME: "/root" });
    expect(config).not.toHaveProperty("PATH");
  });

  test.each([
    { variable: "REDIS_URL", value: "not-a-url" },
    { variable: "REDIS_URL", value: "http://127.0.0.1:6379" },
    { variable: "NODE_ENV", value: "staging" },
    { variable: "LOG_LEVEL", value: "loud" },
    { variable: "LOG_LEVEL", value: "INFO" },
    { variable: "PORT", value: "70000" },
    { variable: "PORT", value: "-1" },
    { variable: "PORT", value: "80.5" },
    { variable: "PORT", value: "http" },
    { variable: "DATABASE_URL", value: "mysql://127.0.0.1/app" },
    { variable: "TRUST_PROXY", value: "true" },
    { variable: "TRUST_PROXY", value: "nginx.internal" },
    { variable: "TRUST_PROXY", value: "loopback,*" },
    { variable: "METRICS_MAX_OPERATIONS", value: "0" },
  ])("rejects $variable=$value with a ConfigError naming the variable", ({ variable, value }) => {
    const error = configErrorOf({ ...goodEnv, [variable]: value });
    expect(error.name).toBe("ConfigError");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toContain(`- ${variable}: `);
  });

  test("a missing required variable is named", () => {
    const error = configErrorOf({});
    expect(error.issues).toEqual([expect.stringMatching(/^DATABASE_URL: /)]);
  });

  test("every bad variable is reported at once", () => {
    const error = configErrorOf({ NODE_ENV: "staging", LOG_LEVEL: "loud", PORT: "70000", REDIS_URL: "not-a-url" });
    const named = error.issues.map((issue) => issue.split(":")[0]).sort();
    expect(named).toEqual(["DATABASE_URL", "LOG_LEVEL", "NODE_ENV", "PORT", "REDIS_URL"]);
  });

  test("reads process.env when no env is given", () => {
    // vitest.config sets LOG_LEVEL=silent for the test processes.
    expect(loadConfig(baseEnv.pick({ LOG_LEVEL: true })).LOG_LEVEL).toBe(process.env.LOG_LEVEL ?? "info");
  });
});

describe("REQUIRE_VERIFIED_EMAIL", () => {
  const schema = baseEnv.pick({ NODE_ENV: true }).extend({ REQUIRE_VERIFIED_EMAIL: envSchemas.requireVerifiedEmail });
  test.each<{ env: Record<string, string>; required: boolean }>([
    { env: {}, required: false },
    { env: { NODE_ENV: "test" }, required: false },
    { env: { NODE_ENV: "production" }, required: true },
    { env: { NODE_ENV: "production", REQUIRE_VERIFIED_EMAIL: "false" }, required: false },
    { env: { NODE_ENV: "development", REQUIRE_VERIFIED_EMAIL: "true" }, required: true },
    { env: { REQUIRE_VERIFIED_EMAIL: "1" }, required: true },
  ])("$env → $required", ({ env, required }) => expect(requiresVerifiedEmail(loadConfig(schema, env))).toBe(required));

  test("anything else is refused at start-up", () => {
    expect(() => loadConfig(schema, { REQUIRE_VERIFIED_EMAIL: "yes" })).toThrow(ConfigError);
  });
});

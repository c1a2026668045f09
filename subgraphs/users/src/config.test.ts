import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { loadUsersConfig } from "./config.js";

const env = { USERS_DATABASE_URL: "postgresql://localhost/users", IDENTITY_KEYS: `k1:${randomBytes(32).toString("base64")}` };

describe("PASSWORD_SCRYPT_LOG_N (the scrypt cost of new password hashes)", () => {
  test.each([
    { case: "default everywhere", extra: {}, logN: 17 },
    { case: "default in production", extra: { NODE_ENV: "production" }, logN: 17 },
    { case: "lowered outside production (test runs)", extra: { NODE_ENV: "test", PASSWORD_SCRYPT_LOG_N: "14" }, logN: 14 },
    { case: "raised in production", extra: { NODE_ENV: "production", PASSWORD_SCRYPT_LOG_N: "18" }, logN: 18 },
  ])("$case → 2^$logN", ({ extra, logN }) => {
    expect(loadUsersConfig({ ...env, ...extra }).PASSWORD_SCRYPT_LOG_N).toBe(logN);
  });

  test.each([
    { case: "below OWASP's cost in production", extra: { NODE_ENV: "production", PASSWORD_SCRYPT_LOG_N: "16" }, message: /PASSWORD_SCRYPT_LOG_N: at least 17 in production/ },
    { case: "below 2^14 anywhere", extra: { NODE_ENV: "test", PASSWORD_SCRYPT_LOG_N: "10" }, message: /PASSWORD_SCRYPT_LOG_N/ },
    { case: "not a number", extra: { PASSWORD_SCRYPT_LOG_N: "lots" }, message: /PASSWORD_SCRYPT_LOG_N/ },
  ])("refused: $case", ({ extra, message }) => {
    expect(() => loadUsersConfig({ ...env, ...extra })).toThrow(message);
  });
});

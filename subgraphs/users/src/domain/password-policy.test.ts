import { describe, expect, test } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from "./password-policy.js";

const EMAIL = "alice@example.com";

describe("passwordProblem", () => {
  test("limits are 8 and 256", () => {
    expect([PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH]).toEqual([8, 256]);
  });

  test.each([
    { case: "7 chars", password: "a".repeat(7), problem: "must be at least 8 characters" },
    { case: "empty", password: "", problem: "must be at least 8 characters" },
    { case: "8 chars", password: "a".repeat(8), problem: null },
    { case: "256 chars", password: "a".repeat(256), problem: null },
    { case: "257 chars", password: "a".repeat(257), problem: "must be at most 256 characters" },
    // 4 emoji are 8 UTF-16 units but only 4 code points.
    { case: "4 emoji (4 code points, 8 UTF-16 units)", password: "😀😀😀😀", problem: "must be at least 8 characters" },
    { case: "8 emoji", password: "😀".repeat(8), problem: null },
    // 256 emoji are 512 UTF-16 units, still 256 code points.
    { case: "256 emoji", password: "😀".repeat(256), problem: null },
    { case: "257 emoji", password: "😀".repeat(257), problem: "must be at most 256 characters" },
    { case: "same as email", password: EMAIL, problem: "must not be the same as the email" },
    { case: "email in other case", password: "ALICE@Example.COM", problem: "must not be the same as the email" },
    { case: "email with whitespace", password: `  ${EMAIL}\t`, problem: "must not be the same as the email" },
    { case: "contains the email", password: `${EMAIL}!`, problem: null },
  ])("$case → $problem", ({ password, problem }) => {
    expect(passwordProblem(password, EMAIL)).toBe(problem);
  });

  test("compares against an email given with odd case and whitespace", () => {
    expect(passwordProblem("alice@example.com", "  Alice@Example.com ")).toBe("must not be the same as the email");
  });
});

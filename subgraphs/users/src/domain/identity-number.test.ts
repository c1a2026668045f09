import { describe, expect, test } from "vitest";
import {
  accessReasonProblem,
  canRevealIdentityNumber,
  canSeeIdentityPreview,
  DEFAULT_IDENTITY_NUMBER_PATTERN,
  identityNumberProblem,
  identityPreview,
  identityRequirement,
  isProvider,
} from "./identity-number.js";
import type { Role } from "./generated/roles.js";

const pattern = new RegExp(DEFAULT_IDENTITY_NUMBER_PATTERN);

describe("identityNumberProblem (default pattern: 11 digits)", () => {
  test.each([
    { value: "12345678901", problem: null },
    { value: "00000000000", problem: null },
    { value: "1234567890", problem: "is not a valid identity number" },
    { value: "123456789012", problem: "is not a valid identity number" },
    { value: "1234567890a", problem: "is not a valid identity number" },
    { value: "123-456-789", problem: "is not a valid identity number" },
    { value: "１２３４５６７８９０１", problem: "is not a valid identity number" },
    { value: "", problem: "is required" },
    { value: "1".repeat(65), problem: "is too long" },
  ])("$value → $problem", ({ value, problem }) => expect(identityNumberProblem(value, pattern)).toBe(problem));

  test("another configured pattern", () => {
    expect(identityNumberProblem("AB123456", /^[A-Z]{2}[0-9]{6}$/)).toBeNull();
    expect(identityNumberProblem("12345678901", /^[A-Z]{2}[0-9]{6}$/)).toBe("is not a valid identity number");
  });
});

describe("identityPreview: all but the last four masked, same length", () => {
  test.each([
    { value: "12345678901", preview: "•••••••8901" },
    { value: "AB123456", preview: "••••3456" },
    { value: "12345", preview: "•2345" },
    { value: "1234", preview: "•234" },
    { value: "1", preview: "•" },
  ])("$value → $preview", ({ value, preview }) => {
    expect(identityPreview(value)).toBe(preview);
    expect([...identityPreview(value)]).toHaveLength(value.length);
  });
});

describe("who sees what", () => {
  test.each<{ case: string; viewer: { userId: string; roles: Role[] } | null; preview: boolean; full: boolean }>([
    { case: "the provider themself", viewer: { userId: "p", roles: ["PROVIDER"] }, preview: true, full: false },
    { case: "an admin", viewer: { userId: "a", roles: ["ADMIN"] }, preview: true, full: true },
    { case: "a moderator", viewer: { userId: "m", roles: ["MODERATOR"] }, preview: true, full: false },
    { case: "another provider", viewer: { userId: "x", roles: ["PROVIDER"] }, preview: false, full: false },
    { case: "a customer", viewer: { userId: "c", roles: ["CUSTOMER"] }, preview: false, full: false },
    { case: "anonymous", viewer: null, preview: false, full: false },
  ])("$case: preview $preview, full number $full", ({ viewer, preview, full }) => {
    expect(canSeeIdentityPreview(viewer, "p")).toBe(preview);
    expect(viewer ? canRevealIdentityNumber(viewer) : false).toBe(full);
  });

  test("isProvider follows the role", () => {
    expect(isProvider(["CUSTOMER", "PROVIDER"])).toBe(true);
    expect(isProvider(["CUSTOMER", "ADMIN"])).toBe(false);
  });
});

describe("accessReasonProblem: 10..500 characters after trimming", () => {
  test.each([
    { reason: "fraud case #4411", problem: null },
    { reason: "x".repeat(10), problem: null },
    { reason: "x".repeat(500), problem: null },
    { reason: `   ${"x".repeat(9)}   `, problem: "must be at least 10 characters" },
    { reason: "", problem: "must be at least 10 characters" },
    { reason: "x".repeat(501), problem: "must be at most 500 characters" },
  ])("$reason.length chars → $problem", ({ reason, problem }) => expect(accessReasonProblem(reason)).toBe(problem));
});

describe("identityRequirement", () => {
  test.each<{ case: string; current: Role[]; next: Role[]; onFile: boolean; given: boolean; kind: string }>([
    { case: "customer registers without a number", current: [], next: ["CUSTOMER"], onFile: false, given: false, kind: "ok" },
    { case: "customer registers with a number", current: [], next: ["CUSTOMER"], onFile: false, given: true, kind: "not-a-provider" },
    { case: "provider registers with a number", current: [], next: ["PROVIDER"], onFile: false, given: true, kind: "ok" },
    { case: "provider registers without one", current: [], next: ["CUSTOMER", "PROVIDER"], onFile: false, given: false, kind: "required" },
    { case: "customer becomes provider without one", current: ["CUSTOMER"], next: ["PROVIDER"], onFile: false, given: false, kind: "required" },
    { case: "customer becomes provider with one", current: ["CUSTOMER"], next: ["PROVIDER"], onFile: false, given: true, kind: "ok" },
    { case: "former provider with one on file comes back", current: ["CUSTOMER"], next: ["PROVIDER"], onFile: true, given: false, kind: "ok" },
    { case: "provider from before identity numbers keeps working", current: ["PROVIDER"], next: ["PROVIDER"], onFile: false, given: false, kind: "ok" },
    { case: "provider from before identity numbers adds one", current: ["PROVIDER"], next: ["PROVIDER"], onFile: false, given: true, kind: "ok" },
    { case: "provider replaces the number on file", current: ["PROVIDER"], next: ["PROVIDER"], onFile: true, given: true, kind: "already-on-file" },
    { case: "provider becomes customer and sends a number", current: ["PROVIDER"], next: ["CUSTOMER"], onFile: true, given: true, kind: "not-a-provider" },
  ])("$case → $kind", ({ current, next, onFile, given, kind }) => {
    expect(identityRequirement(current, next, onFile, given).kind).toBe(kind);
  });
});

import { describe, expect, test } from "vitest";
import type { Role } from "./generated/roles.js";
import { canSee, canSeeHiding, hideReasonProblem, isHidden } from "./moderation.js";

const at = new Date("2026-12-02T00:00:00.000Z");

describe("who sees a hidden message", () => {
  test.each<[string, { hiddenAt?: Date | null }, Role[], boolean]>([
    ["a visible message, a customer", { hiddenAt: null }, ["CUSTOMER"], true],
    ["a visible message without the field", {}, ["PROVIDER"], true],
    ["a hidden message, a customer", { hiddenAt: at }, ["CUSTOMER"], false],
    ["a hidden message, a provider", { hiddenAt: at }, ["PROVIDER"], false],
    ["a hidden message, nobody's roles", { hiddenAt: at }, [], false],
    ["a hidden message, a moderator", { hiddenAt: at }, ["MODERATOR"], true],
    ["a hidden message, an admin who is also a customer", { hiddenAt: at }, ["CUSTOMER", "ADMIN"], true],
  ])("%s", (_name, message, roles, expected) => {
    expect(canSee(message, roles)).toBe(expected);
    expect(isHidden(message)).toBe(!!message.hiddenAt);
  });
});

test.each<[Role[], boolean]>([
  [["CUSTOMER"], false],
  [["PROVIDER"], false],
  [[], false],
  [["MODERATOR"], true],
  [["CUSTOMER", "ADMIN"], true],
])("when and why a message was hidden: %j → %s", (roles, expected) => {
  expect(canSeeHiding(roles)).toBe(expected);
});

test.each<[string, string | null]>([
  ["spam", null],
  ["  abc  ", null],
  ["x".repeat(500), null],
  ["ab", "must hold 3..500 characters"],
  ["   ", "must hold 3..500 characters"],
  ["x".repeat(501), "must hold 3..500 characters"],
])("hideReasonProblem(%j)", (reason, expected) => {
  expect(hideReasonProblem(reason)).toBe(expected);
});

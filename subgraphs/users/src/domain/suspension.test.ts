import { describe, expect, test } from "vitest";
import { isActive, suspensionInputProblems, suspensionRefusal } from "./suspension.js";
import type { Role } from "./generated/roles.js";

const now = new Date("2026-12-02T12:00:00.000Z");
const later = new Date(now.getTime() + 1000);
const earlier = new Date(now.getTime() - 1000);

describe("suspensionRefusal", () => {
  const actor = (roles: Role[]) => ({ userId: "actor", roles });
  const target = (roles: Role[], id = "target") => ({ id, roles });
  test.each<[string, Role[], Role[], string | null]>([
    ["a customer cannot suspend", ["CUSTOMER"], ["CUSTOMER"], "NOT_STAFF"],
    ["a provider cannot suspend", ["PROVIDER"], ["CUSTOMER"], "NOT_STAFF"],
    ["a moderator suspends a customer", ["MODERATOR"], ["CUSTOMER"], null],
    ["a moderator suspends a provider", ["MODERATOR", "CUSTOMER"], ["PROVIDER"], null],
    ["a moderator cannot suspend another moderator", ["MODERATOR"], ["MODERATOR"], "STAFF_TARGET"],
    ["a moderator cannot suspend an admin", ["MODERATOR"], ["ADMIN"], "STAFF_TARGET"],
    ["an admin suspends a moderator", ["ADMIN"], ["MODERATOR", "CUSTOMER"], null],
    ["an admin suspends another admin", ["ADMIN"], ["ADMIN"], null],
    ["an admin suspends a customer", ["ADMIN"], ["CUSTOMER"], null],
  ])("%s", (_name, actorRoles, targetRoles, expected) => {
    expect(suspensionRefusal(actor(actorRoles), target(targetRoles))).toBe(expected);
  });

  test.each<Role[]>([["MODERATOR"], ["ADMIN"]])("nobody suspends themself (%s)", (role) => {
    expect(suspensionRefusal(actor([role]), target([role], "actor"))).toBe("SELF");
  });
});

describe("suspensionInputProblems", () => {
  test.each<[string, { reason: string; until: Date | null }, Record<string, string>]>([
    ["a reason and no end", { reason: "spam", until: null }, {}],
    ["a reason and an end ahead", { reason: "abuse", until: later }, {}],
    ["a reason of 3 characters after trimming", { reason: "  abc  ", until: null }, {}],
    ["a reason of 500 characters", { reason: "x".repeat(500), until: null }, {}],
    ["a reason too short once trimmed", { reason: "  ab ", until: null }, { reason: "must hold 3..500 characters" }],
    ["a reason too long", { reason: "x".repeat(501), until: null }, { reason: "must hold 3..500 characters" }],
    ["an end now", { reason: "spam", until: now }, { until: "must be in the future" }],
    ["an end past", { reason: "", until: earlier }, { reason: "must hold 3..500 characters", until: "must be in the future" }],
  ])("%s", (_name, input, expected) => {
    expect(suspensionInputProblems(input, now)).toEqual(expected);
  });
});

describe("isActive", () => {
  test.each<[string, { until: Date | null } | null, boolean]>([
    ["no suspension", null, false],
    ["until lifted", { until: null }, true],
    ["ending later", { until: later }, true],
    ["ending now (ended)", { until: now }, false],
    ["ended", { until: earlier }, false],
  ])("%s", (_name, suspension, expected) => {
    expect(isActive(suspension, now)).toBe(expected);
  });
});

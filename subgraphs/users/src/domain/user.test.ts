import { describe, expect, test } from "vitest";
import type { Role } from "./generated/roles.js";
import { canSeeEmail, initialRoles, nextRoles, normalizeEmail, type User } from "./user.js";

const owner: User = {
  id: "u1",
  email: "owner@example.com",
  name: "Owner",
  roles: ["CUSTOMER"],
  avatarKey: null,
  bio: null,
  emailVerifiedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe("canSeeEmail", () => {
  test.each<{ case: string; viewer: { userId: string; roles: Role[] } | null; visible: boolean }>([
    { case: "self", viewer: { userId: "u1", roles: ["CUSTOMER"] }, visible: true },
    { case: "self with no roles", viewer: { userId: "u1", roles: [] }, visible: true },
    { case: "admin", viewer: { userId: "u2", roles: ["ADMIN"] }, visible: true },
    { case: "admin among other roles", viewer: { userId: "u2", roles: ["PROVIDER", "ADMIN"] }, visible: true },
    { case: "other customer", viewer: { userId: "u2", roles: ["CUSTOMER"] }, visible: false },
    { case: "other provider", viewer: { userId: "u2", roles: ["PROVIDER"] }, visible: false },
    { case: "anonymous", viewer: null, visible: false },
  ])("$case → $visible", ({ viewer, visible }) => {
    expect(canSeeEmail(viewer, owner)).toBe(visible);
  });
});

describe("initialRoles", () => {
  test.each<{ case: string; requested: Role[] | undefined; roles: Role[] }>([
    { case: "undefined", requested: undefined, roles: ["CUSTOMER"] },
    { case: "empty", requested: [], roles: ["CUSTOMER"] },
    { case: "CUSTOMER", requested: ["CUSTOMER"], roles: ["CUSTOMER"] },
    { case: "PROVIDER kept", requested: ["PROVIDER"], roles: ["PROVIDER"] },
    { case: "duplicates removed", requested: ["PROVIDER", "PROVIDER", "CUSTOMER", "PROVIDER"], roles: ["PROVIDER", "CUSTOMER"] },
  ])("$case → $roles", ({ requested, roles }) => {
    expect(initialRoles(requested)).toEqual(roles);
  });
});

describe("nextRoles", () => {
  test.each<{ case: string; current: Role[]; requested: Role[]; roles: Role[] }>([
    { case: "switch customer to provider", current: ["CUSTOMER"], requested: ["PROVIDER"], roles: ["PROVIDER"] },
    { case: "add provider", current: ["CUSTOMER"], requested: ["CUSTOMER", "PROVIDER"], roles: ["CUSTOMER", "PROVIDER"] },
    { case: "ADMIN kept when present", current: ["ADMIN", "CUSTOMER"], requested: ["PROVIDER"], roles: ["ADMIN", "PROVIDER"] },
    { case: "ADMIN kept even if not requested", current: ["ADMIN"], requested: ["CUSTOMER"], roles: ["ADMIN", "CUSTOMER"] },
    { case: "ADMIN requested by admin not duplicated", current: ["ADMIN"], requested: ["ADMIN", "CUSTOMER"], roles: ["ADMIN", "CUSTOMER"] },
    { case: "ADMIN never granted", current: ["CUSTOMER"], requested: ["ADMIN"], roles: [] },
    { case: "ADMIN never granted alongside others", current: ["CUSTOMER"], requested: ["ADMIN", "PROVIDER"], roles: ["PROVIDER"] },
    { case: "duplicates removed", current: ["CUSTOMER"], requested: ["PROVIDER", "PROVIDER"], roles: ["PROVIDER"] },
  ])("$case → $roles", ({ current, requested, roles }) => {
    expect(nextRoles(current, requested)).toEqual(roles);
  });
});

describe("normalizeEmail", () => {
  test.each([
    { raw: "Alice@Example.COM", email: "alice@example.com" },
    { raw: "  bob@example.com\n", email: "bob@example.com" },
  ])("$raw → $email", ({ raw, email }) => {
    expect(normalizeEmail(raw)).toBe(email);
  });
});

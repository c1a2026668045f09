import { describe, expect, test } from "vitest";
import { roleChange, type RoleChange, type RoleChangeKind } from "./role-change.js";
import type { Role } from "./generated/roles.js";

const admin = { userId: "admin", roles: ["ADMIN"] as Role[] };

describe("roleChange", () => {
  test.each<[string, RoleChangeKind, { userId: string; roles: Role[] }, { id: string; roles: Role[] }, Role, RoleChange]>([
    ["an admin grants MODERATOR", "GRANT", admin, { id: "u", roles: ["CUSTOMER"] }, "MODERATOR", { ok: true, changed: true, roles: ["CUSTOMER", "MODERATOR"] }],
    ["an admin grants ADMIN", "GRANT", admin, { id: "u", roles: ["PROVIDER"] }, "ADMIN", { ok: true, changed: true, roles: ["PROVIDER", "ADMIN"] }],
    ["granting a held role changes nothing", "GRANT", admin, { id: "u", roles: ["MODERATOR"] }, "MODERATOR", { ok: true, changed: false }],
    ["an admin revokes MODERATOR", "REVOKE", admin, { id: "u", roles: ["CUSTOMER", "MODERATOR"] }, "MODERATOR", { ok: true, changed: true, roles: ["CUSTOMER"] }],
    ["revoking a role not held changes nothing", "REVOKE", admin, { id: "u", roles: ["CUSTOMER"] }, "ADMIN", { ok: true, changed: false }],
    ["the last role stays", "REVOKE", admin, { id: "u", roles: ["MODERATOR"] }, "MODERATOR", { ok: false, refusal: "LAST_ROLE" }],
    ["an admin cannot grant to themself", "GRANT", admin, { id: "admin", roles: ["ADMIN"] }, "MODERATOR", { ok: false, refusal: "SELF" }],
    ["an admin cannot revoke from themself", "REVOKE", { userId: "admin", roles: ["ADMIN", "CUSTOMER"] }, { id: "admin", roles: ["ADMIN", "CUSTOMER"] }, "ADMIN", { ok: false, refusal: "SELF" }],
    ["a moderator cannot grant", "GRANT", { userId: "m", roles: ["MODERATOR"] }, { id: "u", roles: ["CUSTOMER"] }, "MODERATOR", { ok: false, refusal: "NOT_ADMIN" }],
    ["a moderator cannot grant to themself", "GRANT", { userId: "m", roles: ["MODERATOR"] }, { id: "m", roles: ["MODERATOR"] }, "ADMIN", { ok: false, refusal: "NOT_ADMIN" }],
    ["a customer cannot revoke", "REVOKE", { userId: "c", roles: ["CUSTOMER"] }, { id: "u", roles: ["CUSTOMER", "PROVIDER"] }, "PROVIDER", { ok: false, refusal: "NOT_ADMIN" }],
  ])("%s", (_name, kind, actor, target, role, expected) => {
    expect(roleChange(kind, actor, target, role)).toEqual(expected);
  });
});

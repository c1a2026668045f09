import { isAdmin } from "./access.js";
import type { Role } from "./generated/roles.js";

export type RoleChangeKind = "GRANT" | "REVOKE";

export type RoleChangeRefusal =
  /** Only an ADMIN grants and revokes roles. */
  | "NOT_ADMIN"
  /** Nobody grants a role to, or revokes one from, themself. */
  | "SELF"
  /** An account keeps at least one role. */
  | "LAST_ROLE";

export type RoleChange =
  | { ok: true; changed: false }
  | { ok: true; changed: true; roles: Role[] }
  | { ok: false; refusal: RoleChangeRefusal };

/**
 * What grantRole / revokeRole do to `target`'s roles. Granting a role already held and revoking one not held change
 * nothing (idempotent, no audit entry).
 */
export function roleChange(
  kind: RoleChangeKind,
  actor: { userId: string; roles: readonly Role[] },
  target: { id: string; roles: readonly Role[] },
  role: Role,
): RoleChange {
  if (!isAdmin(actor.roles)) return { ok: false, refusal: "NOT_ADMIN" };
  if (actor.userId === target.id) return { ok: false, refusal: "SELF" };
  const has = target.roles.includes(role);
  if (kind === "GRANT") return has ? { ok: true, changed: false } : { ok: true, changed: true, roles: [...target.roles, role] };
  if (!has) return { ok: true, changed: false };
  const roles = target.roles.filter((r) => r !== role);
  if (roles.length === 0) return { ok: false, refusal: "LAST_ROLE" };
  return { ok: true, changed: true, roles };
}

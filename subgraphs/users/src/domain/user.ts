import { hasStaffRole, ROLES, STAFF_ROLES, type Role } from "./generated/roles.js";

/** Roles only an ADMIN grants (grantRole): the staff roles. updateMe keeps them and never adds them. */
export const GRANTED_ROLES: readonly Role[] = STAFF_ROLES;
/** What an account chooses for itself (register, updateMe): every role but the granted ones. */
export const SELF_ASSIGNABLE_ROLES = ROLES.filter((r): r is Exclude<Role, (typeof STAFF_ROLES)[number]> => !GRANTED_ROLES.includes(r));

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  avatarKey: string | null;
  /** Provider profile text; null until written. */
  bio: string | null;
  /** When the user proved they read mail at `email`; null until then. */
  emailVerifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** A tombstone: the account was deleted; only its id and creation time remain. */
  deleted?: boolean;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** Email is personal data: only its owner and staff see it. */
export function canSeeEmail(viewer: { userId: string; roles: readonly Role[] } | null, user: User): boolean {
  return !user.deleted && !!viewer && (viewer.userId === user.id || hasStaffRole(viewer.roles));
}

/** A new account with no roles requested is a customer; ADMIN is never self-assigned. */
export function initialRoles(requested: readonly Role[] | undefined): Role[] {
  const roles = [...new Set(requested ?? [])];
  return roles.length ? roles : ["CUSTOMER"];
}

/** updateMe may switch CUSTOMER/PROVIDER but must keep granted roles (ADMIN, MODERATOR) and never add them. */
export function nextRoles(current: readonly Role[], requested: readonly Role[]): Role[] {
  const kept = current.filter((r) => GRANTED_ROLES.includes(r));
  return [...new Set([...kept, ...requested.filter((r) => !GRANTED_ROLES.includes(r))])];
}

export const DELETED_ACCOUNT_NAME = "Deleted account";

/**
 * What other services' references to a deleted account resolve to: it satisfies the schema (a name, no roles) and says
 * it is deleted; nothing personal is left.
 */
export function tombstone(id: string, createdAt: Date): User {
  return { id, email: "", name: DELETED_ACCOUNT_NAME, roles: [], avatarKey: null, bio: null, emailVerifiedAt: null, createdAt, updatedAt: createdAt, deleted: true };
}

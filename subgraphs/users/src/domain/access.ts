// Who may see what of an account. The service decides it once per user it hands out (SeenUser); handlers only read
// the decision.
import { hasStaffRole, type Role } from "./generated/roles.js";
import { canSeeIdentityPreview } from "./identity-number.js";
import { canSeeEmail, type User } from "./user.js";

/** Someone looking at an account: a token's viewer, or the account a register/login/refresh was issued to. */
export interface Looker {
  userId: string;
  roles: readonly Role[];
}

/** Moderators and admins. */
export const isStaff = (roles: readonly Role[]): boolean => hasStaffRole(roles);
export const isAdmin = (roles: readonly Role[]): boolean => roles.includes("ADMIN");

/** The private side of an account, field by field: what one viewer may see. */
export interface PrivateFieldsShown {
  /** email, emailVerified: the account itself and staff. */
  email: boolean;
  /** identityNumberPreview: the account itself and staff. */
  identityPreview: boolean;
  /** suspended, suspendedUntil: the account itself and staff. */
  suspension: boolean;
  /** suspensionReason: staff only. */
  suspensionReason: boolean;
}

/** Nothing private of a deleted account is shown to anyone (nothing of it is left). */
export function privateFieldsShown(viewer: Looker | null, user: User): PrivateFieldsShown {
  const present = !user.deleted && viewer !== null;
  const selfOrStaff = present && (viewer.userId === user.id || isStaff(viewer.roles));
  return {
    email: canSeeEmail(viewer, user),
    identityPreview: !user.deleted && canSeeIdentityPreview(viewer, user.id),
    suspension: selfOrStaff,
    suspensionReason: present && isStaff(viewer.roles),
  };
}

/** A user as one viewer sees it. */
export interface SeenUser extends User {
  shown: PrivateFieldsShown;
}

export const seenBy = (viewer: Looker | null, user: User): SeenUser => ({ ...user, shown: privateFieldsShown(viewer, user) });

/** What register, login and refresh hand back: the account as seen by the one the tokens were issued to — itself. */
export const seenByItself = (user: User): SeenUser => seenBy({ userId: user.id, roles: user.roles }, user);

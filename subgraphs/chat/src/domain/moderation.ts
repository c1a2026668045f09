import type { Message } from "./conversation.js";
import { hasStaffRole, type Role } from "./generated/roles.js";

/** Moderators and admins: they hide messages and still see hidden ones. */
export const isStaff = hasStaffRole;

export const HIDE_REASON_MIN = 3;
export const HIDE_REASON_MAX = 500;

export const isHidden = (message: Pick<Message, "hiddenAt">): boolean => message.hiddenAt !== undefined && message.hiddenAt !== null;

/** A hidden message is omitted for everyone but staff (its sender and the other participant included). */
export const canSee = (message: Pick<Message, "hiddenAt">, viewerRoles: readonly Role[]): boolean => !isHidden(message) || isStaff(viewerRoles);

/** When and why a message was hidden is for staff only. */
export const canSeeHiding = (viewerRoles: readonly Role[]): boolean => isStaff(viewerRoles);

/** The reason a moderator gives: 3..500 characters once trimmed; null when fine. */
export function hideReasonProblem(reason: string): string | null {
  const length = reason.trim().length;
  return length < HIDE_REASON_MIN || length > HIDE_REASON_MAX ? `must hold ${HIDE_REASON_MIN}..${HIDE_REASON_MAX} characters` : null;
}

import { isAdmin, isStaff } from "./access.js";
import type { Role } from "./generated/roles.js";

/** The current suspension of an account. */
export interface Suspension {
  userId: string;
  reason: string;
  /** Null: until a moderator lifts it. */
  until: Date | null;
  suspendedBy: string;
  suspendedAt: Date;
}

export const SUSPENSION_REASON_MIN = 3;
export const SUSPENSION_REASON_MAX = 500;

/** A suspension holds while `until` is unset or still ahead. */
export const isActive = (suspension: Pick<Suspension, "until"> | null | undefined, now: Date): boolean =>
  !!suspension && (suspension.until === null || suspension.until.getTime() > now.getTime());

/** Why someone may not suspend (or unsuspend) an account. */
export type SuspensionRefusal =
  /** Only MODERATOR and ADMIN suspend. */
  | "NOT_STAFF"
  /** Nobody suspends (or lifts the suspension of) themself. */
  | "SELF"
  /** A moderator cannot suspend staff (a MODERATOR or an ADMIN); only an ADMIN can. */
  | "STAFF_TARGET";

/**
 * Who may suspend or lift the suspension of whom: staff act on ordinary accounts; only an ADMIN acts on staff; nobody
 * on themself. Null when allowed.
 */
export function suspensionRefusal(
  actor: { userId: string; roles: readonly Role[] },
  target: { id: string; roles: readonly Role[] },
): SuspensionRefusal | null {
  if (!isStaff(actor.roles)) return "NOT_STAFF";
  if (actor.userId === target.id) return "SELF";
  if (isStaff(target.roles) && !isAdmin(actor.roles)) return "STAFF_TARGET";
  return null;
}

/** Field problems of a suspension request: a reason of 3..500 characters (trimmed), `until` in the future or none. */
export function suspensionInputProblems(input: { reason: string; until: Date | null }, now: Date): Record<string, string> {
  const problems: Record<string, string> = {};
  const reason = input.reason.trim();
  if (reason.length < SUSPENSION_REASON_MIN || reason.length > SUSPENSION_REASON_MAX) {
    problems.reason = `must hold ${SUSPENSION_REASON_MIN}..${SUSPENSION_REASON_MAX} characters`;
  }
  if (input.until && input.until.getTime() <= now.getTime()) problems.until = "must be in the future";
  return problems;
}

import type { Role } from "./generated/roles.js";

export type ModerationActionName = "SUSPEND" | "UNSUSPEND" | "GRANT_ROLE" | "REVOKE_ROLE" | "RESOLVE_REPORT";

/** What each action records besides actor, subject and reason. */
export interface AuditDetails {
  role?: Role;
  until?: string | null;
  reportId?: string;
  resolution?: string;
  targetType?: string;
  targetId?: string;
  /** UNSUSPEND by the system: the suspension's `until` passed. */
  expired?: boolean;
}

export interface NewAuditEntry {
  /** Null: the system (an expired suspension). */
  actorId: string | null;
  action: ModerationActionName;
  subjectUserId: string | null;
  reason: string | null;
  details: AuditDetails;
  at: Date;
}

export interface AuditEntry extends NewAuditEntry {
  id: string;
}

import DataLoader from "dataloader";
import {
  AppError,
  ErrorCode,
  USER_SUSPENDED,
  USER_UNSUSPENDED,
  badInput,
  forbidden,
  notFound,
  outboxRow,
  pageRequest,
  parseInput,
  toConnection,
  type AccountRevocations,
  type Connection,
  type PageArgs,
  type Viewer,
} from "@fixup/platform";
import { isAdmin, isStaff, seenBy, type SeenUser } from "../domain/access.js";
import type { AuditEntry, NewAuditEntry } from "../domain/moderation-audit.js";
import { MAX_OPEN_REPORTS_PER_REPORTER, canResolve, isSelfReport, reportTargetOf, TARGET_KEYS, type Report } from "../domain/report.js";
import { roleChange, type RoleChangeKind } from "../domain/role-change.js";
import { isActive, suspensionInputProblems, suspensionRefusal, type Suspension, type SuspensionRefusal } from "../domain/suspension.js";
import type { User } from "../domain/user.js";
import type { ModerationRepository } from "../repository/moderation-repository.js";
import type { UserRepository } from "../repository/user-repository.js";
import {
  moderationLogInput,
  reportInput,
  reportsInput,
  resolveReportInput,
  roleInput,
  suspendInput,
  userIdInput,
} from "./moderation-inputs.js";

/** `extensions.reason` of the FORBIDDEN that login and refreshToken answer for a suspended account. */
export const ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED";

export interface ModerationServiceDeps {
  users: UserRepository;
  moderation: ModerationRepository;
  /** Access tokens issued up to a moment stop working in every subgraph at their next request. */
  revocations: Pick<AccountRevocations, "revoke">;
  now?: () => Date;
}

/** What a suspended account's `User` shows to itself and staff. */
export interface SuspensionView {
  suspended: boolean;
  until: Date | null;
  reason: string | null;
}

const NOT_SUSPENDED: SuspensionView = { suspended: false, until: null, reason: null };
const EXPIRED_SWEEP_BATCH = 100;
/** Compare-and-set attempts of a role change before giving up (only under a storm of concurrent changes). */
const ROLE_CHANGE_ATTEMPTS = 5;

const refusalError: Record<SuspensionRefusal, () => AppError> = {
  NOT_STAFF: () => forbidden("Only moderators and admins suspend accounts"),
  SELF: () => forbidden("You cannot suspend or unsuspend yourself"),
  STAFF_TARGET: () => forbidden("Only an admin suspends or unsuspends a moderator or an admin"),
};

const requireStaff = (actor: Viewer): void => {
  if (!isStaff(actor.roles)) throw forbidden("Moderators and admins only");
};
const requireAdmin = (actor: Viewer): void => {
  if (!isAdmin(actor.roles)) throw forbidden("Admins only");
};

/** Suspensions, role grants, reports and the moderation log (issue 13's users side). */
export class ModerationService {
  private readonly now: () => Date;

  constructor(private readonly deps: ModerationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ---- suspensions -------------------------------------------------------------------------------------------

  /**
   * Suspends an account (replacing a current suspension): refresh tokens revoked, access tokens refused from the next
   * request, UserSuspended published; login and refreshToken refuse it until lifted or `until` passes.
   */
  async suspendUser(actor: Viewer, raw: unknown): Promise<SeenUser> {
    requireStaff(actor);
    const input = parseInput(suspendInput, raw);
    const target = await this.target(input.id);
    this.authorize(actor, target);
    const now = this.now();
    const until = input.until ?? null;
    const problems = suspensionInputProblems({ reason: input.reason, until }, now);
    if (Object.keys(problems).length) throw badInput(problems);
    const reason = input.reason.trim();
    const suspension: Suspension = { userId: target.id, reason, until, suspendedBy: actor.userId, suspendedAt: now };
    const audit = this.audit(actor, "SUSPEND", target.id, reason, { until: until?.toISOString() ?? null }, now);
    const event = outboxRow(USER_SUSPENDED, { userId: target.id, until: until?.toISOString() ?? null });
    if (!(await this.deps.moderation.suspend(suspension, audit, event))) throw notFound("User");
    await this.deps.revocations.revoke(target.id, now);
    return seenBy(actor, target);
  }

  /** Lifts the suspension (UserUnsuspended); INVALID_STATE when the account is not suspended. */
  async unsuspendUser(actor: Viewer, raw: unknown): Promise<SeenUser> {
    requireStaff(actor);
    const { id } = parseInput(userIdInput, raw);
    const target = await this.target(id);
    this.authorize(actor, target);
    const now = this.now();
    const lifted = await this.deps.moderation.unsuspend(target.id, this.audit(actor, "UNSUSPEND", target.id, null, {}, now), outboxRow(USER_UNSUSPENDED, { userId: target.id }));
    if (!lifted) throw new AppError(ErrorCode.INVALID_STATE, "This account is not suspended");
    return seenBy(actor, target);
  }

  /**
   * login and refreshToken ask before issuing tokens: FORBIDDEN (reason ACCOUNT_SUSPENDED) while a suspension holds.
   * A suspension whose `until` passed is lifted here (UserUnsuspended), if the sweep has not done it yet.
   */
  async assertMaySignIn(userId: string): Promise<void> {
    const [suspension] = await this.deps.moderation.findSuspensions([userId]);
    if (!suspension) return;
    const now = this.now();
    if (isActive(suspension, now)) {
      const message = suspension.until ? `This account is suspended until ${suspension.until.toISOString()}` : "This account is suspended";
      throw new AppError(ErrorCode.FORBIDDEN, message, { reason: ACCOUNT_SUSPENDED });
    }
    await this.liftExpired(userId, now);
  }

  /** The periodic sweep: lifts every suspension whose `until` passed (UserUnsuspended each); how many it lifted. */
  async liftExpiredSuspensions(): Promise<number> {
    const now = this.now();
    let lifted = 0;
    for (const userId of await this.deps.moderation.expiredSuspensions(now, EXPIRED_SWEEP_BATCH)) {
      if (await this.liftExpired(userId, now)) lifted++;
    }
    return lifted;
  }

  /** Per request: the suspension shown on `User` (suspended, until, reason), batched. */
  createSuspensionLoader(): DataLoader<string, SuspensionView> {
    return new DataLoader(async (ids) => {
      const now = this.now();
      const byUser = new Map((await this.deps.moderation.findSuspensions(ids)).map((s) => [s.userId, s]));
      return ids.map((id) => {
        const s = byUser.get(id);
        return s && isActive(s, now) ? { suspended: true, until: s.until, reason: s.reason } : NOT_SUSPENDED;
      });
    });
  }

  // ---- roles -------------------------------------------------------------------------------------------------

  grantRole(actor: Viewer, raw: unknown): Promise<SeenUser> {
    return this.changeRole("GRANT", actor, raw);
  }

  revokeRole(actor: Viewer, raw: unknown): Promise<SeenUser> {
    return this.changeRole("REVOKE", actor, raw);
  }

  /**
   * ADMIN only, never on oneself; an account keeps one role. A change is audited and revokes the account's access
   * tokens (refresh tokens keep working), so its next request refreshes into a token with the new roles.
   */
  private async changeRole(kind: RoleChangeKind, actor: Viewer, raw: unknown): Promise<SeenUser> {
    requireAdmin(actor);
    const input = parseInput(roleInput, raw);
    for (let attempt = 0; attempt < ROLE_CHANGE_ATTEMPTS; attempt++) {
      const target = await this.target(input.userId);
      const change = roleChange(kind, actor, target, input.role);
      if (!change.ok) {
        if (change.refusal === "LAST_ROLE") throw new AppError(ErrorCode.INVALID_STATE, "An account keeps at least one role");
        if (change.refusal === "SELF") throw forbidden("You cannot change your own roles");
        throw forbidden("Admins only");
      }
      if (!change.changed) return seenBy(actor, target);
      const now = this.now();
      const audit = this.audit(actor, kind === "GRANT" ? "GRANT_ROLE" : "REVOKE_ROLE", target.id, null, { role: input.role }, now);
      if (await this.deps.moderation.setRoles(target.id, target.roles, change.roles, audit)) {
        await this.deps.revocations.revoke(target.id, now);
        return seenBy(actor, { ...target, roles: change.roles });
      }
      // The roles changed meanwhile: decide again on the fresh ones.
    }
    throw new AppError(ErrorCode.CONFLICT, "The account's roles are changing concurrently; try again");
  }

  // ---- reports -----------------------------------------------------------------------------------------------

  /**
   * Any signed-in user reports a user, review or message. One open report per reporter and target: reporting the same
   * target again while it is open returns the open report unchanged (idempotent).
   */
  async report(actor: Viewer, raw: unknown): Promise<Report> {
    const input = parseInput(reportInput, raw);
    const choice = reportTargetOf(input.target);
    if (!choice.ok) throw badInput({ target: choice.problem });
    const { target } = choice;
    if (isSelfReport(actor.userId, target)) throw badInput({ [`target.${TARGET_KEYS[target.type]}`]: "cannot be yourself" });
    if (target.type === "USER" && !(await this.deps.users.findById(target.id))) throw notFound("User");
    if ((await this.deps.moderation.countOpenReports(actor.userId)) >= MAX_OPEN_REPORTS_PER_REPORTER) {
      throw new AppError(ErrorCode.RATE_LIMITED, `At most ${MAX_OPEN_REPORTS_PER_REPORTER} of your reports can be open at once`);
    }
    const { report } = await this.deps.moderation.createReport({ reporterId: actor.userId, target, reason: input.reason, createdAt: this.now() });
    return report;
  }

  /** Staff only: the reports, oldest first (the queue's order), optionally of one status. */
  async reports(actor: Viewer, args: PageArgs & { status?: unknown }): Promise<Connection<Report>> {
    requireStaff(actor);
    const { status } = parseInput(reportsInput, { status: args.status });
    const page = pageRequest(args);
    const result = await this.deps.moderation.listReports(status ?? null, page);
    return toConnection(result.rows, page, result.totalCount, (r) => r, (r) => r);
  }

  /** Staff only: closes an OPEN report as RESOLVED or DISMISSED (audited); INVALID_STATE when already closed. */
  async resolveReport(actor: Viewer, raw: unknown): Promise<Report> {
    requireStaff(actor);
    const input = parseInput(resolveReportInput, raw);
    const report = await this.deps.moderation.findReport(input.id);
    if (!report) throw notFound("Report");
    if (!canResolve(report)) throw new AppError(ErrorCode.INVALID_STATE, `This report is already ${report.status}`);
    const now = this.now();
    const note = input.note || null;
    const audit = this.audit(
      actor,
      "RESOLVE_REPORT",
      report.target.type === "USER" ? report.target.id : null,
      note,
      { reportId: report.id, resolution: input.resolution, targetType: report.target.type, targetId: report.target.id },
      now,
    );
    const closed = await this.deps.moderation.resolveReport(report.id, { status: input.resolution, resolvedBy: actor.userId, note, at: now }, audit);
    if (!closed) throw new AppError(ErrorCode.INVALID_STATE, "This report was handled meanwhile");
    return closed;
  }

  // ---- the log -----------------------------------------------------------------------------------------------

  /** ADMIN only: the moderation log, newest first, optionally about one account. */
  async moderationLog(actor: Viewer, args: PageArgs & { subjectUserId?: unknown }): Promise<Connection<AuditEntry>> {
    requireAdmin(actor);
    const { subjectUserId } = parseInput(moderationLogInput, { subjectUserId: args.subjectUserId });
    const page = pageRequest(args);
    const result = await this.deps.moderation.listAudit(subjectUserId ?? null, page);
    return toConnection(result.rows, page, result.totalCount, (e) => ({ createdAt: e.at, id: e.id }), (e) => e);
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private async target(id: string): Promise<User> {
    const user = await this.deps.users.findById(id);
    if (!user) throw notFound("User");
    return user;
  }

  private authorize(actor: Viewer, target: User): void {
    const refusal = suspensionRefusal(actor, target);
    if (refusal) throw refusalError[refusal]();
  }

  private audit(actor: Viewer, action: NewAuditEntry["action"], subjectUserId: string | null, reason: string | null, details: NewAuditEntry["details"], at: Date): NewAuditEntry {
    return { actorId: actor.userId, action, subjectUserId, reason, details, at };
  }

  private liftExpired(userId: string, now: Date): Promise<boolean> {
    const audit: NewAuditEntry = { actorId: null, action: "UNSUSPEND", subjectUserId: userId, reason: "suspension ended", details: { expired: true }, at: now };
    return this.deps.moderation.unsuspend(userId, audit, outboxRow(USER_UNSUSPENDED, { userId }), now);
  }
}

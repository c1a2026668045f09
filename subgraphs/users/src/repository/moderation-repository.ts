import { afterCursorWhere, uuidsOnly, type OutboxRow, type PageRequest } from "@fixup/platform";
import type { AuditDetails, AuditEntry, NewAuditEntry } from "../domain/moderation-audit.js";
import { openReportKey, type Report, type ReportStatus, type ReportTarget } from "../domain/report.js";
import type { Suspension } from "../domain/suspension.js";
import type { Role } from "../domain/generated/roles.js";
import type { Prisma } from "../generated/prisma/client.js";
import { isUniqueViolation, type UsersPrisma } from "./prisma.js";

export interface NewReport {
  reporterId: string;
  target: ReportTarget;
  reason: string;
  createdAt: Date;
}

export interface ReportClosing {
  status: Exclude<ReportStatus, "OPEN">;
  resolvedBy: string;
  note: string | null;
  at: Date;
}

export interface Page<T> {
  rows: T[];
  totalCount: number;
}

/**
 * users' moderation storage: suspensions, reports and the audit log. Every change writes its audit entry (and its
 * integration event, where there is one) in its own transaction. Ids that are not uuids match nothing.
 */
export interface ModerationRepository {
  findSuspensions(userIds: readonly string[]): Promise<Suspension[]>;
  /**
   * One transaction: the suspension (replacing the account's current one), every live refresh token of the account
   * revoked at `suspendedAt`, the audit entry and the event. False when the account does not exist.
   */
  suspend(suspension: Suspension, audit: NewAuditEntry, event: OutboxRow): Promise<boolean>;
  /**
   * Deletes the account's suspension with the audit entry and the event, in one transaction. With `expiredBy`, only a
   * suspension whose `until` is at or before it. False when there was none to delete.
   */
  unsuspend(userId: string, audit: NewAuditEntry, event: OutboxRow, expiredBy?: Date): Promise<boolean>;
  /** Accounts whose suspension ended (`until` at or before `now`), at most `limit`, earliest first. */
  expiredSuspensions(now: Date, limit: number): Promise<string[]>;
  /**
   * Compare-and-set with the audit entry, in one transaction: the account's roles become `next` only while they are
   * still exactly `expected`. False when they changed meanwhile or the account is gone (nothing is written).
   */
  setRoles(userId: string, expected: readonly Role[], next: readonly Role[], audit: NewAuditEntry): Promise<boolean>;
  /** An OPEN report; or, when the reporter already has one open on this target, that one (`created: false`). */
  createReport(report: NewReport): Promise<{ report: Report; created: boolean }>;
  countOpenReports(reporterId: string): Promise<number>;
  findReport(id: string): Promise<Report | null>;
  /** Oldest first by (createdAt, id) — the queue's order; `status` null lists all. */
  listReports(status: ReportStatus | null, page: PageRequest): Promise<Page<Report>>;
  /** Closes the report if it is OPEN, with the audit entry, in one transaction; null when it is not open (or absent). */
  resolveReport(id: string, closing: ReportClosing, audit: NewAuditEntry): Promise<Report | null>;
  /** Newest first by (at, id); `subjectUserId` null lists every entry. */
  listAudit(subjectUserId: string | null, page: PageRequest): Promise<Page<AuditEntry>>;
}

type ReportRow = Prisma.ReportGetPayload<object>;
type AuditRow = Prisma.ModerationAuditGetPayload<object>;

const toReport = (r: ReportRow): Report => ({
  id: r.id,
  reporterId: r.reporterId,
  target: { type: r.targetType, id: r.targetId },
  reason: r.reason,
  status: r.status,
  createdAt: r.createdAt,
  resolvedAt: r.resolvedAt,
  resolvedBy: r.resolvedBy,
  resolutionNote: r.resolutionNote,
});

const toAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  actorId: r.actorId,
  action: r.action,
  subjectUserId: r.subjectUserId,
  reason: r.reason,
  details: (r.details ?? {}) as AuditDetails,
  at: r.at,
});

const auditData = (a: NewAuditEntry): Prisma.ModerationAuditCreateInput => ({
  actorId: a.actorId,
  action: a.action,
  subjectUserId: a.subjectUserId,
  reason: a.reason,
  details: a.details as Prisma.InputJsonObject,
  at: a.at,
});

const isUuid = (id: string) => uuidsOnly([id]).length === 1;

export class PrismaModerationRepository implements ModerationRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async findSuspensions(userIds: readonly string[]): Promise<Suspension[]> {
    const valid = uuidsOnly(userIds);
    if (!valid.length) return [];
    const rows = await this.prisma.accountSuspension.findMany({ where: { userId: { in: valid } } });
    return rows.map(({ userId, reason, until, suspendedBy, suspendedAt }) => ({ userId, reason, until, suspendedBy, suspendedAt }));
  }

  async suspend(s: Suspension, audit: NewAuditEntry, event: OutboxRow): Promise<boolean> {
    if (!isUuid(s.userId)) return false;
    return this.prisma.$transaction(async (tx) => {
      // Locks the account: a concurrent deletion or role change waits for this transaction (and vice versa).
      const [user] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM users WHERE id = ${s.userId}::uuid FOR UPDATE`;
      if (!user) return false;
      const data = { reason: s.reason, until: s.until, suspendedBy: s.suspendedBy, suspendedAt: s.suspendedAt };
      await tx.accountSuspension.upsert({ where: { userId: s.userId }, create: { userId: s.userId, ...data }, update: data });
      await tx.refreshToken.updateMany({ where: { userId: s.userId, revokedAt: null }, data: { revokedAt: s.suspendedAt } });
      await tx.moderationAudit.create({ data: auditData(audit) });
      await tx.outboxEvent.create({ data: event });
      return true;
    });
  }

  async unsuspend(userId: string, audit: NewAuditEntry, event: OutboxRow, expiredBy?: Date): Promise<boolean> {
    if (!isUuid(userId)) return false;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.accountSuspension.deleteMany({
        where: { userId, ...(expiredBy ? { until: { lte: expiredBy } } : {}) },
      });
      if (count !== 1) return false;
      await tx.moderationAudit.create({ data: auditData(audit) });
      await tx.outboxEvent.create({ data: event });
      return true;
    });
  }

  async expiredSuspensions(now: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.accountSuspension.findMany({
      where: { until: { lte: now } },
      orderBy: { until: "asc" },
      take: limit,
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }

  async setRoles(userId: string, expected: readonly Role[], next: readonly Role[], audit: NewAuditEntry): Promise<boolean> {
    if (!isUuid(userId)) return false;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.user.updateMany({ where: { id: userId, roles: { equals: [...expected] } }, data: { roles: [...next] } });
      if (count !== 1) return false;
      await tx.moderationAudit.create({ data: auditData(audit) });
      return true;
    });
  }

  async createReport(report: NewReport): Promise<{ report: Report; created: boolean }> {
    const openKey = openReportKey(report.reporterId, report.target);
    const existing = await this.prisma.report.findUnique({ where: { openKey } });
    if (existing) return { report: toReport(existing), created: false };
    try {
      const row = await this.prisma.report.create({
        data: {
          reporterId: report.reporterId,
          targetType: report.target.type,
          targetId: report.target.id,
          reason: report.reason,
          openKey,
          createdAt: report.createdAt,
        },
      });
      return { report: toReport(row), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A parallel identical report won: it is the one.
      return { report: toReport(await this.prisma.report.findUniqueOrThrow({ where: { openKey } })), created: false };
    }
  }

  countOpenReports(reporterId: string): Promise<number> {
    if (!isUuid(reporterId)) return Promise.resolve(0);
    return this.prisma.report.count({ where: { reporterId, status: "OPEN" } });
  }

  async findReport(id: string): Promise<Report | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.report.findUnique({ where: { id } });
    return row ? toReport(row) : null;
  }

  async listReports(status: ReportStatus | null, page: PageRequest): Promise<Page<Report>> {
    const where = status ? { status } : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.report.findMany({
        where: { ...where, ...afterCursorWhere(page.after) },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: page.take + 1,
      }),
      this.prisma.report.count({ where }),
    ]);
    return { rows: rows.map(toReport), totalCount };
  }

  async resolveReport(id: string, closing: ReportClosing, audit: NewAuditEntry): Promise<Report | null> {
    if (!isUuid(id)) return null;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.report.updateMany({
        where: { id, status: "OPEN" },
        data: { status: closing.status, openKey: null, resolvedAt: closing.at, resolvedBy: closing.resolvedBy, resolutionNote: closing.note },
      });
      if (count !== 1) return null;
      await tx.moderationAudit.create({ data: auditData(audit) });
      return toReport(await tx.report.findUniqueOrThrow({ where: { id } }));
    });
  }

  async listAudit(subjectUserId: string | null, page: PageRequest): Promise<Page<AuditEntry>> {
    if (subjectUserId !== null && !isUuid(subjectUserId)) return { rows: [], totalCount: 0 };
    const where = subjectUserId ? { subjectUserId } : {};
    const before = page.after
      ? { OR: [{ at: { lt: page.after.createdAt } }, { at: page.after.createdAt, id: { lt: page.after.id } }] }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.moderationAudit.findMany({
        where: { AND: [where, before] },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: page.take + 1,
      }),
      this.prisma.moderationAudit.count({ where }),
    ]);
    return { rows: rows.map(toAudit), totalCount };
  }
}

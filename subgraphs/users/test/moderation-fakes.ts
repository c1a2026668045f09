// In-memory ModerationRepository with the Prisma one's semantics (held to them by
// moderation-repository.contract.test.ts): suspensions follow their user (foreign key, cascade), a suspension revokes
// the account's live refresh tokens, and every change lands with its audit entry and outbox row.
import { randomUUID } from "node:crypto";
import { uuidsOnly, type OutboxRow, type PageRequest } from "@fixup/platform";
import type { AuditEntry, NewAuditEntry } from "../src/domain/moderation-audit.js";
import { openReportKey, type Report, type ReportStatus } from "../src/domain/report.js";
import type { Suspension } from "../src/domain/suspension.js";
import type { Role } from "../src/domain/generated/roles.js";
import type { ModerationRepository, NewReport, Page, ReportClosing } from "../src/repository/moderation-repository.js";
import type { FakeRefreshTokenRepository, FakeUserRepository } from "./fakes.js";

const byTimeThenId = <T extends { id: string }>(time: (row: T) => Date) => (a: T, b: T) =>
  time(a).getTime() - time(b).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class FakeModerationRepository implements ModerationRepository {
  readonly suspensions = new Map<string, Suspension>();
  readonly reports = new Map<string, Report>();
  readonly audit: AuditEntry[] = [];

  constructor(
    private readonly users: FakeUserRepository,
    private readonly refreshTokens?: FakeRefreshTokenRepository,
  ) {
    users.onDelete((userId) => this.suspensions.delete(userId));
  }

  /** users' outbox (shared with the user fake: one table). */
  get outbox(): OutboxRow[] {
    return this.users.outbox;
  }

  async findSuspensions(userIds: readonly string[]): Promise<Suspension[]> {
    return uuidsOnly(userIds).flatMap((id) => {
      const s = this.suspensions.get(id);
      return s ? [{ ...s }] : [];
    });
  }

  async suspend(s: Suspension, audit: NewAuditEntry, event: OutboxRow): Promise<boolean> {
    const [id] = uuidsOnly([s.userId]);
    if (id === undefined || !this.users.rows.has(id)) return false;
    this.suspensions.set(id, { ...s, userId: id });
    for (const row of this.refreshTokens?.rows ?? []) if (row.userId === id && !row.revokedAt) row.revokedAt = s.suspendedAt;
    this.record(audit);
    this.outbox.push(event);
    return true;
  }

  async unsuspend(userId: string, audit: NewAuditEntry, event: OutboxRow, expiredBy?: Date): Promise<boolean> {
    const [id] = uuidsOnly([userId]);
    const current = id === undefined ? undefined : this.suspensions.get(id);
    if (!current || id === undefined) return false;
    if (expiredBy && (current.until === null || current.until.getTime() > expiredBy.getTime())) return false;
    this.suspensions.delete(id);
    this.record(audit);
    this.outbox.push(event);
    return true;
  }

  async expiredSuspensions(now: Date, limit: number): Promise<string[]> {
    return [...this.suspensions.values()]
      .filter((s) => s.until !== null && s.until.getTime() <= now.getTime())
      .sort((a, b) => (a.until as Date).getTime() - (b.until as Date).getTime())
      .slice(0, limit)
      .map((s) => s.userId);
  }

  async setRoles(userId: string, expected: readonly Role[], next: readonly Role[], audit: NewAuditEntry): Promise<boolean> {
    const user = await this.users.findById(userId);
    if (!user || user.roles.length !== expected.length || user.roles.some((r, i) => r !== expected[i])) return false;
    await this.users.update(user.id, { roles: [...next] });
    this.record(audit);
    return true;
  }

  async createReport(report: NewReport): Promise<{ report: Report; created: boolean }> {
    const key = openReportKey(report.reporterId, report.target);
    const open = [...this.reports.values()].find((r) => r.status === "OPEN" && openReportKey(r.reporterId, r.target) === key);
    if (open) return { report: { ...open }, created: false };
    const row: Report = {
      id: randomUUID(),
      reporterId: report.reporterId,
      target: { ...report.target },
      reason: report.reason,
      status: "OPEN",
      createdAt: report.createdAt,
      resolvedAt: null,
      resolvedBy: null,
      resolutionNote: null,
    };
    this.reports.set(row.id, row);
    return { report: { ...row }, created: true };
  }

  async countOpenReports(reporterId: string): Promise<number> {
    return [...this.reports.values()].filter((r) => r.reporterId === reporterId && r.status === "OPEN").length;
  }

  async findReport(id: string): Promise<Report | null> {
    const [key] = uuidsOnly([id]);
    const row = key === undefined ? undefined : this.reports.get(key);
    return row ? { ...row } : null;
  }

  async listReports(status: ReportStatus | null, page: PageRequest): Promise<Page<Report>> {
    const all = [...this.reports.values()].filter((r) => !status || r.status === status);
    const after = page.after;
    const rows = all
      .filter((r) => !after || r.createdAt > after.createdAt || (r.createdAt.getTime() === after.createdAt.getTime() && r.id > after.id))
      .sort(byTimeThenId((r) => r.createdAt))
      .slice(0, page.take + 1);
    return { rows: rows.map((r) => ({ ...r })), totalCount: all.length };
  }

  async resolveReport(id: string, closing: ReportClosing, audit: NewAuditEntry): Promise<Report | null> {
    const [key] = uuidsOnly([id]);
    const row = key === undefined ? undefined : this.reports.get(key);
    if (!row || row.status !== "OPEN") return null;
    Object.assign(row, { status: closing.status, resolvedAt: closing.at, resolvedBy: closing.resolvedBy, resolutionNote: closing.note });
    this.record(audit);
    return { ...row };
  }

  async listAudit(subjectUserId: string | null, page: PageRequest): Promise<Page<AuditEntry>> {
    const all = this.audit.filter((e) => subjectUserId === null || e.subjectUserId === subjectUserId);
    const after = page.after;
    const rows = all
      .filter((e) => !after || e.at < after.createdAt || (e.at.getTime() === after.createdAt.getTime() && e.id < after.id))
      .sort(byTimeThenId((e: AuditEntry) => e.at))
      .reverse()
      .slice(0, page.take + 1);
    return { rows: rows.map((e) => ({ ...e })), totalCount: all.length };
  }

  private record(entry: NewAuditEntry): void {
    this.audit.push({ id: randomUUID(), ...entry, details: { ...entry.details } });
  }
}

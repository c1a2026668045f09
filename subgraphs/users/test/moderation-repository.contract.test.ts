import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow, USER_SUSPENDED, USER_UNSUSPENDED, type OutboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type { NewAuditEntry } from "../src/domain/moderation-audit.js";
import type { Report } from "../src/domain/report.js";
import type { Suspension } from "../src/domain/suspension.js";
import { PrismaModerationRepository, type ModerationRepository } from "../src/repository/moderation-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaRefreshTokenRepository, type RefreshTokenRepository } from "../src/repository/refresh-token-repository.js";
import { PrismaUserRepository, type UserRepository } from "../src/repository/user-repository.js";
import { FakeRefreshTokenRepository, FakeUserRepository } from "./fakes.js";
import { FakeModerationRepository } from "./moderation-fakes.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see user-repository.contract.test.ts). Hooks stand in for what the interface
// cannot show: the outbox rows and audit entries written so far.
interface Subject {
  users: UserRepository;
  tokens: RefreshTokenRepository;
  moderation: ModerationRepository;
  outbox(): Promise<Array<Pick<OutboxRow, "type" | "payload">>>;
  audit(): Promise<Array<Pick<NewAuditEntry, "action" | "subjectUserId" | "actorId">>>;
}

const database = usePrismaDatabase("users_moderation_contract", migrationsDir, (url) => createPrisma(url, 6));

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  {
    name: "PrismaModerationRepository (real Postgres)",
    create: async () => {
      const prisma = database.prisma;
      await prisma.$executeRaw`TRUNCATE users, outbox_events, reports, moderation_audit CASCADE`;
      return {
        users: new PrismaUserRepository(prisma),
        tokens: new PrismaRefreshTokenRepository(prisma),
        moderation: new PrismaModerationRepository(prisma),
        outbox: async () => (await prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } })).map(({ type, payload }) => ({ type, payload: payload as OutboxRow["payload"] })),
        audit: async () =>
          (await prisma.moderationAudit.findMany({ orderBy: [{ at: "asc" }, { id: "asc" }] })).map(({ action, subjectUserId, actorId }) => ({ action, subjectUserId, actorId })),
      };
    },
  },
  {
    name: "FakeModerationRepository",
    create: async () => {
      const users = new FakeUserRepository();
      const tokens = new FakeRefreshTokenRepository(users);
      const moderation = new FakeModerationRepository(users, tokens);
      return {
        users,
        tokens,
        moderation,
        outbox: async () => users.outbox.map(({ type, payload }) => ({ type, payload })),
        audit: async () => [...moderation.audit].sort((a, b) => a.at.getTime() - b.at.getTime()).map(({ action, subjectUserId, actorId }) => ({ action, subjectUserId, actorId })),
      };
    },
  },
];

let seq = 0;
const T0 = new Date("2026-12-02T10:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const MOD = "0f0f0f0f-0000-4000-8000-000000000001";
const audit = (action: NewAuditEntry["action"], subjectUserId: string | null, when = T0): NewAuditEntry => ({
  actorId: MOD,
  action,
  subjectUserId,
  reason: "why",
  details: {},
  at: when,
});
const suspension = (userId: string, until: Date | null, suspendedAt = T0): Suspension => ({ userId, reason: "spam", until, suspendedBy: MOD, suspendedAt });
const suspended = (userId: string, until: Date | null) => outboxRow(USER_SUSPENDED, { userId, until: until?.toISOString() ?? null });
const unsuspended = (userId: string) => outboxRow(USER_UNSUSPENDED, { userId });

describe.each(implementations)("ModerationRepository contract: $name", ({ create }) => {
  async function setup() {
    const subject = await create();
    const user = await subject.users.create({ email: `m${++seq}@example.com`, name: "Mo", passwordHash: "x", roles: ["CUSTOMER"] });
    return { ...subject, user };
  }

  test("suspend: the suspension, the account's live refresh tokens revoked, the audit entry and the event; a new one replaces it", async () => {
    const { moderation, tokens, user, outbox, audit: entries } = await setup();
    await tokens.create({ userId: user.id, familyId: randomUUID(), tokenHash: `h${++seq}`, expiresAt: at(600) });
    expect(await moderation.suspend(suspension(user.id, at(60)), audit("SUSPEND", user.id), suspended(user.id, at(60)))).toBe(true);
    expect(await moderation.findSuspensions([user.id, "junk", randomUUID()])).toEqual([suspension(user.id, at(60))]);
    expect((await tokens.findByHash(`h${seq}`))?.revokedAt).toEqual(T0);
    expect(await moderation.suspend(suspension(user.id, null, at(1)), audit("SUSPEND", user.id, at(1)), suspended(user.id, null))).toBe(true);
    expect(await moderation.findSuspensions([user.id])).toEqual([suspension(user.id, null, at(1))]);
    expect(await outbox()).toEqual([
      { type: USER_SUSPENDED, payload: { userId: user.id, until: at(60).toISOString() } },
      { type: USER_SUSPENDED, payload: { userId: user.id, until: null } },
    ]);
    expect(await entries()).toEqual([
      { action: "SUSPEND", subjectUserId: user.id, actorId: MOD },
      { action: "SUSPEND", subjectUserId: user.id, actorId: MOD },
    ]);
  });

  test("suspend an unknown or malformed account: false, nothing written", async () => {
    const { moderation, outbox, audit: entries } = await setup();
    for (const id of [randomUUID(), "junk"]) expect(await moderation.suspend(suspension(id, null), audit("SUSPEND", id), suspended(id, null))).toBe(false);
    expect(await outbox()).toEqual([]);
    expect(await entries()).toEqual([]);
  });

  test("unsuspend deletes the suspension with its audit entry and event; false (nothing written) when there is none", async () => {
    const { moderation, user, outbox, audit: entries } = await setup();
    expect(await moderation.unsuspend(user.id, audit("UNSUSPEND", user.id), unsuspended(user.id))).toBe(false);
    await moderation.suspend(suspension(user.id, null), audit("SUSPEND", user.id), suspended(user.id, null));
    expect(await moderation.unsuspend(user.id, audit("UNSUSPEND", user.id, at(1)), unsuspended(user.id))).toBe(true);
    expect(await moderation.findSuspensions([user.id])).toEqual([]);
    expect((await outbox()).map((e) => e.type)).toEqual([USER_SUSPENDED, USER_UNSUSPENDED]);
    expect((await entries()).map((e) => e.action)).toEqual(["SUSPEND", "UNSUSPEND"]);
  });

  test("expiredBy: only a suspension whose until passed is lifted; expiredSuspensions lists those, earliest first", async () => {
    const { moderation, users, user } = await setup();
    const other = await users.create({ email: `m${++seq}@example.com`, name: "Other", passwordHash: "x", roles: ["CUSTOMER"] });
    const forever = await users.create({ email: `m${++seq}@example.com`, name: "Forever", passwordHash: "x", roles: ["CUSTOMER"] });
    await moderation.suspend(suspension(user.id, at(30)), audit("SUSPEND", user.id), suspended(user.id, at(30)));
    await moderation.suspend(suspension(other.id, at(10)), audit("SUSPEND", other.id), suspended(other.id, at(10)));
    await moderation.suspend(suspension(forever.id, null), audit("SUSPEND", forever.id), suspended(forever.id, null));
    expect(await moderation.expiredSuspensions(at(5), 10)).toEqual([]);
    expect(await moderation.expiredSuspensions(at(30), 10)).toEqual([other.id, user.id]);
    expect(await moderation.expiredSuspensions(at(30), 1)).toEqual([other.id]);
    expect(await moderation.unsuspend(user.id, audit("UNSUSPEND", user.id), unsuspended(user.id), at(29))).toBe(false);
    expect(await moderation.unsuspend(forever.id, audit("UNSUSPEND", forever.id), unsuspended(forever.id), at(999))).toBe(false);
    expect(await moderation.unsuspend(user.id, audit("UNSUSPEND", user.id), unsuspended(user.id), at(30))).toBe(true);
    expect((await moderation.findSuspensions([user.id, other.id, forever.id])).map((s) => s.userId).sort()).toEqual([other.id, forever.id].sort());
  });

  test("a deleted account's suspension goes with it", async () => {
    const { moderation, users, user } = await setup();
    await moderation.suspend(suspension(user.id, null), audit("SUSPEND", user.id), suspended(user.id, null));
    await users.delete(user.id, outboxRow("UserDeleted", { userId: user.id }));
    expect(await moderation.findSuspensions([user.id])).toEqual([]);
  });

  test("setRoles is a compare-and-set: the roles change with an audit entry only while they are as expected", async () => {
    const { moderation, users, user, audit: entries } = await setup();
    expect(await moderation.setRoles(user.id, ["PROVIDER"], ["PROVIDER", "MODERATOR"], audit("GRANT_ROLE", user.id))).toBe(false);
    expect(await moderation.setRoles(randomUUID(), ["CUSTOMER"], ["MODERATOR"], audit("GRANT_ROLE", null))).toBe(false);
    expect(await entries()).toEqual([]);
    expect(await moderation.setRoles(user.id, ["CUSTOMER"], ["CUSTOMER", "MODERATOR"], audit("GRANT_ROLE", user.id))).toBe(true);
    expect((await users.findById(user.id))?.roles).toEqual(["CUSTOMER", "MODERATOR"]);
    expect(await entries()).toEqual([{ action: "GRANT_ROLE", subjectUserId: user.id, actorId: MOD }]);
  });

  test("reports: one open report per reporter and target (the same one back); another reporter or target is a new one", async () => {
    const { moderation, user } = await setup();
    const target = { type: "REVIEW" as const, id: randomUUID() };
    const first = await moderation.createReport({ reporterId: user.id, target, reason: "rude", createdAt: at(1) });
    expect(first.created).toBe(true);
    expect(first.report).toMatchObject({ reporterId: user.id, target, reason: "rude", status: "OPEN", resolvedAt: null, resolvedBy: null, resolutionNote: null });
    const again = await moderation.createReport({ reporterId: user.id, target, reason: "still rude", createdAt: at(2) });
    expect(again).toEqual({ report: first.report, created: false });
    const parallel = await Promise.all([1, 2, 3].map(() => moderation.createReport({ reporterId: user.id, target: { type: "MESSAGE", id: target.id }, reason: "x", createdAt: at(3) })));
    expect(new Set(parallel.map((p) => p.report.id)).size).toBe(1);
    expect((await moderation.createReport({ reporterId: MOD, target, reason: "me too", createdAt: at(4) })).created).toBe(true);
    expect(await moderation.countOpenReports(user.id)).toBe(2);
    expect(await moderation.findReport(first.report.id)).toEqual(first.report);
    expect(await moderation.findReport("junk")).toBeNull();
  });

  test("resolveReport closes an open report once, with its audit entry; then the reporter may report the target again", async () => {
    const { moderation, user, audit: entries } = await setup();
    const target = { type: "USER" as const, id: randomUUID() };
    const { report } = await moderation.createReport({ reporterId: user.id, target, reason: "spam", createdAt: at(1) });
    const closing = { status: "DISMISSED" as const, resolvedBy: MOD, note: "fine", at: at(2) };
    const closed = await moderation.resolveReport(report.id, closing, audit("RESOLVE_REPORT", target.id));
    expect(closed).toEqual({ ...report, status: "DISMISSED", resolvedBy: MOD, resolvedAt: at(2), resolutionNote: "fine" });
    expect(await moderation.resolveReport(report.id, { ...closing, status: "RESOLVED" }, audit("RESOLVE_REPORT", target.id))).toBeNull();
    expect(await moderation.resolveReport(randomUUID(), closing, audit("RESOLVE_REPORT", null))).toBeNull();
    expect((await entries()).map((e) => e.action)).toEqual(["RESOLVE_REPORT"]);
    expect(await moderation.countOpenReports(user.id)).toBe(0);
    expect((await moderation.createReport({ reporterId: user.id, target, reason: "again", createdAt: at(3) })).created).toBe(true);
  });

  test("listReports: oldest first by (createdAt, id), by status or all; take + 1 rows; the cursor continues", async () => {
    const { moderation, user } = await setup();
    const made: Report[] = [];
    for (const minute of [3, 1, 1, 2]) {
      made.push((await moderation.createReport({ reporterId: user.id, target: { type: "REVIEW", id: randomUUID() }, reason: "r", createdAt: at(minute) })).report);
    }
    await moderation.resolveReport(made[0]?.id as string, { status: "RESOLVED", resolvedBy: MOD, note: null, at: at(5) }, audit("RESOLVE_REPORT", null));
    const order = [...made].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1)).map((r) => r.id);
    const all = await moderation.listReports(null, { take: 2, after: null });
    expect(all.totalCount).toBe(4);
    expect(all.rows.map((r) => r.id)).toEqual(order.slice(0, 3));
    const second = all.rows[1] as { createdAt: Date; id: string };
    const rest = await moderation.listReports(null, { take: 10, after: { createdAt: second.createdAt, id: second.id } });
    expect(rest.rows.map((r) => r.id)).toEqual(order.slice(2));
    const open = await moderation.listReports("OPEN", { take: 10, after: null });
    expect(open).toMatchObject({ totalCount: 3 });
    expect(open.rows.map((r) => r.id)).toEqual(order.filter((id) => id !== made[0]?.id));
    expect((await moderation.listReports("RESOLVED", { take: 10, after: null })).rows.map((r) => r.id)).toEqual([made[0]?.id]);
  });

  test("listAudit: newest first by (at, id), of one subject or all; the cursor continues", async () => {
    const { moderation, users, user } = await setup();
    const other = await users.create({ email: `m${++seq}@example.com`, name: "Other", passwordHash: "x", roles: ["CUSTOMER"] });
    await moderation.suspend(suspension(user.id, null), audit("SUSPEND", user.id, at(1)), suspended(user.id, null));
    await moderation.suspend(suspension(other.id, null), audit("SUSPEND", other.id, at(2)), suspended(other.id, null));
    await moderation.unsuspend(user.id, audit("UNSUSPEND", user.id, at(3)), unsuspended(user.id));
    const all = await moderation.listAudit(null, { take: 2, after: null });
    expect(all.totalCount).toBe(3);
    expect(all.rows.map((e) => [e.action, e.subjectUserId])).toEqual([["UNSUSPEND", user.id], ["SUSPEND", other.id], ["SUSPEND", user.id]]);
    const second = all.rows[1] as { at: Date; id: string };
    expect((await moderation.listAudit(null, { take: 5, after: { createdAt: second.at, id: second.id } })).rows.map((e) => e.subjectUserId)).toEqual([user.id]);
    const mine = await moderation.listAudit(user.id, { take: 5, after: null });
    expect(mine.totalCount).toBe(2);
    expect(mine.rows.map((e) => e.action)).toEqual(["UNSUSPEND", "SUSPEND"]);
    expect(mine.rows[0]).toMatchObject({ actorId: MOD, reason: "why", details: {}, at: at(3) });
    expect(await moderation.listAudit("junk", { take: 5, after: null })).toEqual({ rows: [], totalCount: 0 });
  });
});

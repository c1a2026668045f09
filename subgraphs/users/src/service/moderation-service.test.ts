import { describe, expect, test } from "vitest";
import { ErrorCode, USER_SUSPENDED, USER_UNSUSPENDED, type Role, type Viewer } from "@fixup/platform";
import { appError } from "@fixup/platform/testing";
import { AuthService } from "./auth-service.js";
import { createLoginLimiter } from "./login-limiter.js";
import { ACCOUNT_SUSPENDED, ModerationService } from "./moderation-service.js";
import { issuerAfterRevocations } from "./revocation-aware-issuer.js";
import { FakeClock, FakeRefreshTokenRepository, FakeUserRepository, fakeHasher, fakeTokenIssuer } from "../../test/fakes.js";
import { FakeModerationRepository } from "../../test/moderation-fakes.js";

const PASSWORD = "correct horse battery staple";

async function setup() {
  const clock = new FakeClock(new Date("2026-12-02T12:00:00.000Z"));
  const users = new FakeUserRepository(clock.now);
  const refreshTokens = new FakeRefreshTokenRepository(users);
  const repo = new FakeModerationRepository(users, refreshTokens);
  const revoked: Array<{ userId: string; at?: Date }> = [];
  const moderation = new ModerationService({ users, moderation: repo, revocations: { revoke: async (userId, at) => void revoked.push({ userId, at }) }, now: clock.now });
  const auth = new AuthService({
    users,
    refreshTokens,
    hasher: fakeHasher(),
    tokens: fakeTokenIssuer(),
    limiter: createLoginLimiter(null, { perAccount: 50, perIp: 500, windowSeconds: 900 }),
    refreshTtlSeconds: 3600,
    signInGate: (userId) => moderation.assertMaySignIn(userId),
    now: clock.now,
  });
  let n = 0;
  const account = async (roles: Role[]) => {
    const user = await users.create({ email: `u${++n}@example.com`, name: `U${n}`, passwordHash: `h:${PASSWORD}`, roles });
    const viewer: Viewer = { userId: user.id, roles };
    return { ...user, viewer };
  };
  const [admin, mod, alice, bob] = [await account(["ADMIN"]), await account(["MODERATOR"]), await account(["CUSTOMER"]), await account(["PROVIDER"])];
  return { clock, users, repo, revoked, moderation, auth, account, admin, mod, alice, bob };
}

describe("suspendUser / unsuspendUser", () => {
  test("a moderator suspends: sessions end (refresh tokens, access tokens), UserSuspended, audit; login and refresh refuse; unsuspend lets login back", async () => {
    const { moderation, auth, mod, alice, repo, revoked, clock } = await setup();
    const session = await auth.login({ email: alice.email, password: PASSWORD });
    const until = new Date(clock.now().getTime() + 3_600_000);
    await moderation.suspendUser(mod.viewer, { id: alice.id, reason: "  spam  ", until });
    expect(revoked).toEqual([{ userId: alice.id, at: clock.now() }]);
    expect(repo.outbox.map((e) => [e.type, e.payload])).toEqual([[USER_SUSPENDED, { userId: alice.id, until: until.toISOString() }]]);
    expect(repo.audit).toMatchObject([{ actorId: mod.id, action: "SUSPEND", subjectUserId: alice.id, reason: "spam", details: { until: until.toISOString() } }]);
    const login = await appError(auth.login({ email: alice.email, password: PASSWORD }));
    expect([login.code, login.reason]).toEqual([ErrorCode.FORBIDDEN, ACCOUNT_SUSPENDED]);
    const refresh = await appError(auth.refresh({ refreshToken: session.refreshToken }));
    expect([refresh.code, refresh.reason]).toEqual([ErrorCode.FORBIDDEN, ACCOUNT_SUSPENDED]);
    // a wrong password still says only "invalid credentials": the suspension is for the password's holder to learn
    expect((await appError(auth.login({ email: alice.email, password: "wrong one here" }))).code).toBe(ErrorCode.UNAUTHENTICATED);

    await moderation.unsuspendUser(mod.viewer, { id: alice.id });
    expect(repo.outbox.at(-1)).toMatchObject({ type: USER_UNSUSPENDED, payload: { userId: alice.id } });
    await expect(auth.login({ email: alice.email, password: PASSWORD })).resolves.toMatchObject({ user: { id: alice.id } });
    // the session the suspension ended stays ended
    expect((await appError(auth.refresh({ refreshToken: session.refreshToken }))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((await appError(moderation.unsuspendUser(mod.viewer, { id: alice.id }))).code).toBe(ErrorCode.INVALID_STATE);
  });

  test("when `until` passes, login works again and lifts it (UserUnsuspended once); the sweep lifts the others", async () => {
    const { moderation, auth, mod, alice, bob, repo, clock } = await setup();
    const soon = new Date(clock.now().getTime() + 60_000);
    await moderation.suspendUser(mod.viewer, { id: alice.id, reason: "cool off", until: soon });
    await moderation.suspendUser(mod.viewer, { id: bob.id, reason: "cool off", until: soon });
    expect(await moderation.liftExpiredSuspensions()).toBe(0);
    clock.advance(60);
    await expect(auth.login({ email: alice.email, password: PASSWORD })).resolves.toBeDefined();
    expect(await moderation.liftExpiredSuspensions()).toBe(1); // bob; alice was lifted by her login
    expect(await moderation.liftExpiredSuspensions()).toBe(0);
    expect(repo.outbox.filter((e) => e.type === USER_UNSUSPENDED).map((e) => e.payload)).toEqual([{ userId: alice.id }, { userId: bob.id }]);
    expect(repo.audit.filter((e) => e.action === "UNSUSPEND")).toMatchObject([
      { actorId: null, subjectUserId: alice.id, details: { expired: true } },
      { actorId: null, subjectUserId: bob.id, details: { expired: true } },
    ]);
  });

  test.each<[string, "admin" | "mod" | "alice", "admin" | "mod" | "alice" | "bob" | "self", string]>([
    ["a customer", "alice", "bob", ErrorCode.FORBIDDEN],
    ["a moderator on themself", "mod", "self", ErrorCode.FORBIDDEN],
    ["an admin on themself", "admin", "self", ErrorCode.FORBIDDEN],
    ["a moderator on an admin", "mod", "admin", ErrorCode.FORBIDDEN],
  ])("refused: %s", async (_name, who, whom, code) => {
    const s = await setup();
    const actor = s[who];
    const target = whom === "self" ? actor : s[whom];
    expect((await appError(s.moderation.suspendUser(actor.viewer, { id: target.id, reason: "because" }))).code).toBe(code);
    expect((await appError(s.moderation.unsuspendUser(actor.viewer, { id: target.id }))).code).toBe(code);
    expect(s.repo.suspensions.size).toBe(0);
  });

  test("an admin suspends a moderator; a moderator cannot lift it", async () => {
    const { moderation, admin, mod, account } = await setup();
    const otherMod = await account(["MODERATOR"]);
    await moderation.suspendUser(admin.viewer, { id: otherMod.id, reason: "abuse of power" });
    expect((await appError(moderation.unsuspendUser(mod.viewer, { id: otherMod.id }))).code).toBe(ErrorCode.FORBIDDEN);
    await expect(moderation.unsuspendUser(admin.viewer, { id: otherMod.id })).resolves.toMatchObject({ id: otherMod.id });
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ["a short reason", { reason: "no" }, ErrorCode.BAD_USER_INPUT, "reason"],
    ["a long reason", { reason: "x".repeat(501) }, ErrorCode.BAD_USER_INPUT, "reason"],
    ["an end in the past", { reason: "spam", until: new Date("2026-12-01T00:00:00Z") }, ErrorCode.BAD_USER_INPUT, "until"],
    ["an end that is no date", { reason: "spam", until: "soon" }, ErrorCode.BAD_USER_INPUT, "until"],
    ["a malformed id", { reason: "spam", id: "nope" }, ErrorCode.BAD_USER_INPUT, "id"],
  ])("bad input: %s", async (_name, input, code, field) => {
    const { moderation, mod, alice, repo } = await setup();
    const error = await appError(moderation.suspendUser(mod.viewer, { id: alice.id, ...input }));
    expect([error.code, Object.keys(error.fields ?? {})]).toEqual([code, [field]]);
    expect(repo.suspensions.size).toBe(0);
  });

  test("an unknown account is NOT_FOUND; suspended shows on the loader while it holds", async () => {
    const { moderation, mod, alice, clock } = await setup();
    expect((await appError(moderation.suspendUser(mod.viewer, { id: "00000000-0000-4000-8000-000000000000", reason: "spam" }))).code).toBe(ErrorCode.NOT_FOUND);
    const until = new Date(clock.now().getTime() + 1000);
    await moderation.suspendUser(mod.viewer, { id: alice.id, reason: "spam", until });
    expect(await moderation.createSuspensionLoader().load(alice.id)).toEqual({ suspended: true, until, reason: "spam" });
    clock.advance(1);
    expect(await moderation.createSuspensionLoader().load(alice.id)).toEqual({ suspended: false, until: null, reason: null });
  });
});

describe("grantRole / revokeRole", () => {
  test("an admin grants and revokes: audited, the account's access tokens revoked; repeats change nothing", async () => {
    const { moderation, admin, alice, users, repo, revoked } = await setup();
    await expect(moderation.grantRole(admin.viewer, { userId: alice.id, role: "MODERATOR" })).resolves.toMatchObject({ roles: ["CUSTOMER", "MODERATOR"] });
    await expect(moderation.grantRole(admin.viewer, { userId: alice.id, role: "MODERATOR" })).resolves.toMatchObject({ roles: ["CUSTOMER", "MODERATOR"] });
    await expect(moderation.revokeRole(admin.viewer, { userId: alice.id, role: "CUSTOMER" })).resolves.toMatchObject({ roles: ["MODERATOR"] });
    expect((await users.findById(alice.id))?.roles).toEqual(["MODERATOR"]);
    expect(repo.audit.map((e) => [e.action, e.details.role, e.actorId])).toEqual([["GRANT_ROLE", "MODERATOR", admin.id], ["REVOKE_ROLE", "CUSTOMER", admin.id]]);
    expect(revoked.map((r) => r.userId)).toEqual([alice.id, alice.id]);
    const last = await appError(moderation.revokeRole(admin.viewer, { userId: alice.id, role: "MODERATOR" }));
    expect(last.code).toBe(ErrorCode.INVALID_STATE);
  });

  test.each<[string, "admin" | "mod" | "alice", "self" | "bob", string]>([
    ["a moderator", "mod", "bob", ErrorCode.FORBIDDEN],
    ["a customer", "alice", "bob", ErrorCode.FORBIDDEN],
    ["an admin on themself", "admin", "self", ErrorCode.FORBIDDEN],
    ["a moderator on themself", "mod", "self", ErrorCode.FORBIDDEN],
  ])("refused: %s", async (_name, who, whom, code) => {
    const s = await setup();
    const actor = s[who];
    const target = whom === "self" ? actor : s.bob;
    for (const change of [s.moderation.grantRole.bind(s.moderation), s.moderation.revokeRole.bind(s.moderation)]) {
      expect((await appError(change(actor.viewer, { userId: target.id, role: "ADMIN" }))).code).toBe(code);
    }
    expect(s.repo.audit).toEqual([]);
  });

  test("bad role or id: BAD_USER_INPUT; unknown account: NOT_FOUND", async () => {
    const { moderation, admin, alice } = await setup();
    expect((await appError(moderation.grantRole(admin.viewer, { userId: alice.id, role: "KING" }))).fields).toEqual({ role: "must be a role" });
    expect((await appError(moderation.grantRole(admin.viewer, { userId: "x", role: "ADMIN" }))).fields).toEqual({ userId: "must be a valid id" });
    expect((await appError(moderation.grantRole(admin.viewer, { userId: "00000000-0000-4000-8000-000000000000", role: "ADMIN" }))).code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe("reports", () => {
  const REVIEW = "22222222-2222-4222-8222-222222222222";

  test("a user reports; the same open report comes back; staff list and resolve it (audited); a closed one stays closed", async () => {
    const { moderation, alice, bob, mod, admin, repo, clock } = await setup();
    const report = await moderation.report(alice.viewer, { target: { userId: bob.id }, reason: "  scam offers " });
    clock.advance(1);
    expect(report).toMatchObject({ reporterId: alice.id, target: { type: "USER", id: bob.id }, reason: "scam offers", status: "OPEN" });
    expect(await moderation.report(alice.viewer, { target: { userId: bob.id }, reason: "again" })).toEqual(report);
    await moderation.report(bob.viewer, { target: { reviewId: REVIEW }, reason: "lies" });
    const open = await moderation.reports(mod.viewer, { status: "OPEN" });
    expect(open.totalCount).toBe(2);
    expect(open.edges.map((e) => e.node.id)[0]).toBe(report.id);
    const closed = await moderation.resolveReport(mod.viewer, { id: report.id, resolution: "RESOLVED", note: "suspended" });
    expect(closed).toMatchObject({ status: "RESOLVED", resolvedBy: mod.id, resolutionNote: "suspended" });
    expect(repo.audit).toMatchObject([{ action: "RESOLVE_REPORT", actorId: mod.id, subjectUserId: bob.id, reason: "suspended", details: { reportId: report.id, resolution: "RESOLVED" } }]);
    expect((await appError(moderation.resolveReport(admin.viewer, { id: report.id, resolution: "DISMISSED" }))).code).toBe(ErrorCode.INVALID_STATE);
    expect((await moderation.reports(admin.viewer, { status: "RESOLVED" })).totalCount).toBe(1);
    expect((await moderation.reports(admin.viewer, {})).totalCount).toBe(2);
  });

  test.each<[string, Record<string, unknown>, Record<string, string>]>([
    ["no target", { target: {}, reason: "spam" }, { target: "must name exactly one of userId, reviewId, messageId" }],
    ["two targets", { target: { reviewId: REVIEW, messageId: REVIEW }, reason: "spam" }, { target: "must name exactly one of userId, reviewId, messageId" }],
    ["a malformed id", { target: { messageId: "m1" }, reason: "spam" }, { "target.messageId": "must be a valid id" }],
    ["a short reason", { target: { reviewId: REVIEW }, reason: " a " }, { reason: "must hold 3..1000 characters" }],
    ["no reason", { target: { reviewId: REVIEW } }, { reason: "is required" }],
  ])("bad input: %s", async (_name, input, fields) => {
    const { moderation, alice } = await setup();
    const error = await appError(moderation.report(alice.viewer, input));
    expect([error.code, error.fields]).toEqual([ErrorCode.BAD_USER_INPUT, fields]);
  });

  test("oneself: BAD_USER_INPUT; an unknown user: NOT_FOUND; too many open reports: RATE_LIMITED", async () => {
    const { moderation, alice } = await setup();
    expect((await appError(moderation.report(alice.viewer, { target: { userId: alice.id }, reason: "me" + "!" }))).fields).toEqual({ "target.userId": "cannot be yourself" });
    expect((await appError(moderation.report(alice.viewer, { target: { userId: REVIEW }, reason: "who?" }))).code).toBe(ErrorCode.NOT_FOUND);
    for (let i = 0; i < 20; i++) await moderation.report(alice.viewer, { target: { reviewId: `22222222-2222-4222-8222-${String(i).padStart(12, "0")}` }, reason: "spam" });
    expect((await appError(moderation.report(alice.viewer, { target: { reviewId: REVIEW }, reason: "spam" }))).code).toBe(ErrorCode.RATE_LIMITED);
  });

  test("only staff list and resolve; only admins read the log", async () => {
    const { moderation, alice, mod, admin, bob } = await setup();
    const report = await moderation.report(alice.viewer, { target: { userId: bob.id }, reason: "spam" });
    expect((await appError(moderation.reports(alice.viewer, {}))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await appError(moderation.resolveReport(bob.viewer, { id: report.id, resolution: "DISMISSED" }))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await appError(moderation.moderationLog(mod.viewer, {}))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await appError(moderation.resolveReport(mod.viewer, { id: REVIEW, resolution: "DISMISSED" }))).code).toBe(ErrorCode.NOT_FOUND);
    await moderation.suspendUser(mod.viewer, { id: bob.id, reason: "spam" });
    const log = await moderation.moderationLog(admin.viewer, { subjectUserId: bob.id });
    expect(log.edges.map((e) => e.node.action)).toEqual(["SUSPEND"]);
    expect((await moderation.moderationLog(admin.viewer, { subjectUserId: alice.id })).totalCount).toBe(0);
  });
});

describe("issuerAfterRevocations", () => {
  test.each<[string, number | null, number, number | null]>([
    ["no revocation: signs at once", null, 10_500, null],
    ["revoked in an earlier second: signs at once", 9, 10_500, null],
    ["revoked in this second: waits for the next", 10, 10_250, 750],
  ])("%s", async (_name, until, now, waited) => {
    let wait: number | null = null;
    const issuer = issuerAfterRevocations(fakeTokenIssuer(), { revokedUntil: async () => until }, async (ms) => void (wait = ms), () => now);
    await expect(issuer.sign({ id: "u", roles: [], emailVerifiedAt: null })).resolves.toBe("at:u");
    expect(wait).toBe(waited);
  });

  test("a revocation store that cannot answer does not stop signing", async () => {
    const issuer = issuerAfterRevocations(fakeTokenIssuer(), { revokedUntil: async () => Promise.reject(new Error("down")) });
    await expect(issuer.sign({ id: "u", roles: [], emailVerifiedAt: null })).resolves.toBe("at:u");
  });
});

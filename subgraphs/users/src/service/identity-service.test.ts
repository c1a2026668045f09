import { describe, expect, test } from "vitest";
import { ErrorCode, type Viewer } from "@fixup/platform";
import { appError } from "@fixup/platform/testing";
import { FakeClock, FakeRefreshTokenRepository, FakeUserRepository, fakeHasher, fakeTokenIssuer } from "../../test/fakes.js";
import { FakeIdentityRepository, TEST_KEY_A, TEST_KEY_B, testCipher, testIdentityService } from "../../test/identity-fakes.js";
import { AuthService } from "./auth-service.js";
import { createLoginLimiter } from "./login-limiter.js";
import { UserService } from "./user-service.js";

const PASSWORD = "correct horse battery staple";
const NUMBER = "12345678901";

function setup(keys = TEST_KEY_A) {
  const clock = new FakeClock();
  const users = new FakeUserRepository(clock.now);
  const identities = new FakeIdentityRepository(users, clock.now);
  const identity = testIdentityService(identities, keys);
  const auth = new AuthService({
    users,
    refreshTokens: new FakeRefreshTokenRepository(users),
    hasher: fakeHasher(),
    tokens: fakeTokenIssuer(),
    limiter: createLoginLimiter(null, { perAccount: 5, perIp: 50, windowSeconds: 900 }),
    refreshTtlSeconds: 3600,
    identity,
    now: clock.now,
  });
  const profiles = new UserService(users, identity);
  let n = 0;
  const register = (more: Record<string, unknown> = {}) =>
    auth.register({ email: `p${++n}@example.com`, password: PASSWORD, name: "Pat", ...more }).then((p) => p.user);
  const viewer = (user: { id: string; roles: Viewer["roles"] }): Viewer => ({ userId: user.id, roles: user.roles }) as Viewer;
  return { clock, users, identities, identity, auth, profiles, register, viewer };
}

describe("registration with an identity number", () => {
  test("a provider's number is stored encrypted under the active key, with its preview; never in clear", async () => {
    const { register, users, identity } = setup();
    const user = await register({ roles: ["PROVIDER"], identityNumber: ` ${NUMBER} ` });
    const stored = users.identities.get(user.id);
    expect(stored).toMatchObject({ userId: user.id, keyId: "a", preview: "•••••••8901" });
    expect(Buffer.from(stored?.ciphertext ?? []).toString("latin1")).not.toContain(NUMBER);
    expect(testCipher().decrypt(stored!, user.id)).toBe(NUMBER);
    expect(await identity.createPreviewLoader().load(user.id)).toBe("•••••••8901");
  });

  test.each<{ case: string; input: Record<string, unknown>; message: string }>([
    { case: "provider without a number", input: { roles: ["PROVIDER"] }, message: "is required for providers" },
    { case: "customer and provider without a number", input: { roles: ["CUSTOMER", "PROVIDER"] }, message: "is required for providers" },
    { case: "10 digits", input: { roles: ["PROVIDER"], identityNumber: "1234567890" }, message: "is not a valid identity number" },
    { case: "letters", input: { roles: ["PROVIDER"], identityNumber: "1234567890X" }, message: "is not a valid identity number" },
    { case: "not a string", input: { roles: ["PROVIDER"], identityNumber: 12345678901 }, message: "must be a string" },
    { case: "customer sends one", input: { roles: ["CUSTOMER"], identityNumber: NUMBER }, message: "only providers give an identity number" },
    { case: "default role sends one", input: { identityNumber: NUMBER }, message: "only providers give an identity number" },
  ])("$case → BAD_USER_INPUT fields.identityNumber, no account", async ({ input, message }) => {
    const { register, users } = setup();
    const error = await appError(register(input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ identityNumber: message });
    expect(users.rows.size).toBe(0);
  });

  test("a configured pattern replaces the default", async () => {
    const clock = new FakeClock();
    const users = new FakeUserRepository(clock.now);
    const identity = testIdentityService(new FakeIdentityRepository(users), TEST_KEY_A, "^[A-Z]{2}[0-9]{6}$");
    const prepared = identity.prepare({ currentRoles: [], nextRoles: ["PROVIDER"], hasOnFile: false, raw: "AB123456", ownerId: "0b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10" });
    expect(prepared?.preview).toBe("••••3456");
    expect(() => identity.prepare({ currentRoles: [], nextRoles: ["PROVIDER"], hasOnFile: false, raw: NUMBER, ownerId: "x" })).toThrow(/Invalid input/);
  });
});

describe("updateMe: bio, becoming a provider", () => {
  test("bio is trimmed, capped at 2,000 characters, cleared by empty or null", async () => {
    const { register, profiles, viewer } = setup();
    const user = await register();
    expect((await profiles.updateMe(viewer(user), { bio: "  Plumber since 1999.  " })).bio).toBe("Plumber since 1999.");
    const error = await appError(profiles.updateMe(viewer(user), { bio: "x".repeat(2001) }));
    expect(error.fields).toEqual({ bio: "must be at most 2000 characters" });
    expect((await profiles.updateMe(viewer(user), { bio: "x".repeat(2000) })).bio).toHaveLength(2000);
    expect((await profiles.updateMe(viewer(user), { bio: "   " })).bio).toBeNull();
    await profiles.updateMe(viewer(user), { bio: "again" });
    expect((await profiles.updateMe(viewer(user), { bio: null })).bio).toBeNull();
  });

  test("a customer becoming a provider gives a number; without one the roles stay", async () => {
    const { register, profiles, viewer, users } = setup();
    const user = await register();
    const refused = await appError(profiles.updateMe(viewer(user), { roles: ["CUSTOMER", "PROVIDER"] }));
    expect(refused).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, fields: { identityNumber: "is required for providers" } });
    expect((await users.findById(user.id))?.roles).toEqual(["CUSTOMER"]);
    const updated = await profiles.updateMe(viewer(user), { roles: ["CUSTOMER", "PROVIDER"], identityNumber: NUMBER });
    expect(updated.roles).toEqual(["CUSTOMER", "PROVIDER"]);
    expect(users.identities.get(user.id)?.preview).toBe("•••••••8901");
    // On file now: it is not replaced here; dropping and regaining PROVIDER needs no new one.
    const replace = await appError(profiles.updateMe(viewer(updated), { identityNumber: "98765432109" }));
    expect(replace.fields).toEqual({ identityNumber: "is already on file; it cannot be changed here" });
    await profiles.updateMe(viewer(updated), { roles: ["CUSTOMER"] });
    expect((await profiles.updateMe(viewer(updated), { roles: ["PROVIDER"] })).roles).toEqual(["PROVIDER"]);
    expect(testCipher().decrypt(users.identities.get(user.id)!, user.id)).toBe(NUMBER);
  });

  test("a provider from before identity numbers keeps working and may add one; a customer may not", async () => {
    const { users, profiles, viewer } = setup();
    const legacy = await users.create({ email: "old@example.com", name: "Old", passwordHash: "h:x", roles: ["PROVIDER"] });
    expect((await profiles.updateMe(viewer(legacy), { name: "Older" })).name).toBe("Older");
    await profiles.updateMe(viewer(legacy), { identityNumber: NUMBER });
    expect(users.identities.get(legacy.id)?.preview).toBe("•••••••8901");
    const customer = await users.create({ email: "c@example.com", name: "C", passwordHash: "h:x", roles: ["CUSTOMER"] });
    expect((await appError(profiles.updateMe(viewer(customer), { identityNumber: NUMBER }))).fields).toEqual({ identityNumber: "only providers give an identity number" });
  });
});

describe("reveal: ADMIN only, with a reason, audited", () => {
  test("an admin reads the full number; each read leaves who, whose, when, why", async () => {
    const { register, users, identity, identities, clock } = setup();
    const provider = await register({ roles: ["PROVIDER"], identityNumber: NUMBER });
    const admin = await users.create({ email: "a@example.com", name: "A", passwordHash: "h:x", roles: ["ADMIN"] });
    expect(await identity.reveal({ userId: admin.id, roles: ["ADMIN"] } as Viewer, provider.id, "  chargeback dispute #991  ")).toBe(NUMBER);
    expect(identities.access).toEqual([{ id: expect.any(String), adminId: admin.id, userId: provider.id, reason: "chargeback dispute #991", accessedAt: clock.now() }]);
  });

  test.each<{ case: string; roles: Viewer["roles"]; reason: string; target: "provider" | "customer" | "unknown"; code: string; field?: string }>([
    { case: "a moderator", roles: ["MODERATOR"], reason: "looking around here", target: "provider", code: ErrorCode.FORBIDDEN },
    { case: "the provider themself", roles: ["PROVIDER"], reason: "looking around here", target: "provider", code: ErrorCode.FORBIDDEN },
    { case: "a short reason", roles: ["ADMIN"], reason: "  because  ", target: "provider", code: ErrorCode.BAD_USER_INPUT, field: "reason" },
    { case: "a long reason", roles: ["ADMIN"], reason: "x".repeat(501), target: "provider", code: ErrorCode.BAD_USER_INPUT, field: "reason" },
    { case: "a customer's number", roles: ["ADMIN"], reason: "checking a report", target: "customer", code: ErrorCode.NOT_FOUND },
    { case: "no such account", roles: ["ADMIN"], reason: "checking a report", target: "unknown", code: ErrorCode.NOT_FOUND },
  ])("$case → $code, nothing audited", async ({ roles, reason, target, code, field }) => {
    const { register, identity, identities } = setup();
    const provider = await register({ roles: ["PROVIDER"], identityNumber: NUMBER });
    const customer = await register();
    const id = { provider: provider.id, customer: customer.id, unknown: "0b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10" }[target];
    const viewerId = roles.includes("PROVIDER") ? provider.id : "9b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10";
    const error = await appError(identity.reveal({ userId: viewerId, roles } as Viewer, id, reason));
    expect(error.code).toBe(code);
    if (field) expect(Object.keys(error.fields ?? {})).toEqual([field]);
    expect(identities.access).toEqual([]);
  });

  test("the access log: ADMIN only, newest first, per provider, paginated", async () => {
    const { register, identity, clock } = setup();
    const admin = { userId: "9b6c0f5e-4a43-4a5e-9f0e-6f3c1b2a7d10", roles: ["ADMIN"] } as Viewer;
    const [p1, p2] = [await register({ roles: ["PROVIDER"], identityNumber: NUMBER }), await register({ roles: ["PROVIDER"], identityNumber: "10987654321" })];
    for (const [i, p] of [p1, p2, p1].entries()) {
      clock.advance(60);
      await identity.reveal(admin, p!.id, `reason number ${i}`);
    }
    const all = await identity.accessLog(admin, {});
    expect(all.totalCount).toBe(3);
    expect(all.edges.map((e) => e.node.reason)).toEqual(["reason number 2", "reason number 1", "reason number 0"]);
    const first = await identity.accessLog(admin, { first: 2 });
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1]?.cursor });
    const rest = await identity.accessLog(admin, { first: 2, after: first.pageInfo.endCursor });
    expect(rest.edges.map((e) => e.node.reason)).toEqual(["reason number 0"]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect((await identity.accessLog(admin, { userId: p1!.id })).edges.map((e) => e.node.reason)).toEqual(["reason number 2", "reason number 0"]);
    expect((await appError(identity.accessLog({ ...admin, roles: ["MODERATOR"] } as Viewer, {}))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await appError(identity.accessLog(admin, { after: "junk" }))).code).toBe(ErrorCode.BAD_USER_INPUT);
  });
});

describe("rotate", () => {
  test("moves every value under an old key to the active one, in batches; idempotent; all still decrypt", async () => {
    const { register, users, identities } = setup(TEST_KEY_A);
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await register({ roles: ["PROVIDER"], identityNumber: `1000000000${i}` }));
    const rotated = testIdentityService(identities, `${TEST_KEY_B},${TEST_KEY_A}`);
    expect(await rotated.rotate(2)).toEqual({ reencrypted: 5, skipped: 0, activeKeyId: "b", byKey: { b: 5 } });
    expect(await rotated.rotate(2)).toEqual({ reencrypted: 0, skipped: 0, activeKeyId: "b", byKey: { b: 5 } });
    const onlyB = testCipher(TEST_KEY_B);
    people.forEach((p, i) => expect(onlyB.decrypt(users.identities.get(p.id)!, p.id)).toBe(`1000000000${i}`));
  });
});

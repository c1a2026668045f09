import { outboxRow } from "@fixup/platform";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { PrismaAccountTokenRepository } from "./account-token-repository.js";
import { createPrisma, type UsersPrisma } from "./prisma.js";
import { PrismaRefreshTokenRepository } from "./refresh-token-repository.js";
import { PrismaUserRepository } from "./user-repository.js";

let db: TestDatabase;
let prisma: UsersPrisma;
let repo: PrismaAccountTokenRepository;
beforeAll(async () => {
  db = await createTestDatabase("users_account_tokens", migrationsDir);
  prisma = createPrisma(db.url, 8);
  repo = new PrismaAccountTokenRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

let seq = 0;
const newUser = () =>
  new PrismaUserRepository(prisma).create({ email: `tok-${++seq}@example.com`, name: "Ann", passwordHash: "scrypt$old", roles: ["CUSTOMER"] });
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe("PrismaAccountTokenRepository (real Postgres)", () => {
  test("a new user is unverified; issue keeps only the newest token per purpose", async () => {
    const user = await newUser();
    expect(user.emailVerifiedAt).toBeNull();
    await repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `r1-${user.id}`, expiresAt: inAnHour() });
    await repo.issue({ userId: user.id, purpose: "EMAIL_VERIFICATION", tokenHash: `v1-${user.id}`, expiresAt: inAnHour() });
    await repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `r2-${user.id}`, expiresAt: inAnHour() });
    expect(await repo.findByHash(`r1-${user.id}`)).toBeNull();
    expect(await repo.findByHash(`v1-${user.id}`)).toMatchObject({ userId: user.id, purpose: "EMAIL_VERIFICATION", usedAt: null });
    const live = await repo.findByHash(`r2-${user.id}`);
    expect(live).toEqual({ id: expect.any(String), userId: user.id, purpose: "PASSWORD_RESET", expiresAt: expect.any(Date), usedAt: null });
  });

  test("concurrent issues leave exactly one live token", async () => {
    const user = await newUser();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `race${i}-${user.id}`, expiresAt: inAnHour() })),
    );
    expect(await prisma.accountToken.count({ where: { userId: user.id, purpose: "PASSWORD_RESET" } })).toBe(1);
  });

  test("verifyEmail is single use under concurrency and records the time once", async () => {
    const user = await newUser();
    await repo.issue({ userId: user.id, purpose: "EMAIL_VERIFICATION", tokenHash: `v-${user.id}`, expiresAt: inAnHour() });
    const token = await repo.findByHash(`v-${user.id}`);
    const at = new Date("2026-01-02T03:04:05.678Z");
    const results = await Promise.all(Array.from({ length: 5 }, () => repo.verifyEmail(token!.id, user.id, at)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await repo.findByHash(`v-${user.id}`))?.usedAt).toEqual(at);
    expect((await new PrismaUserRepository(prisma).findById(user.id))?.emailVerifiedAt).toEqual(at);

    // A later verification (new token) keeps the first time.
    await repo.issue({ userId: user.id, purpose: "EMAIL_VERIFICATION", tokenHash: `v2-${user.id}`, expiresAt: inAnHour() });
    const second = await repo.findByHash(`v2-${user.id}`);
    expect(await repo.verifyEmail(second!.id, user.id, new Date())).toBe(true);
    expect((await new PrismaUserRepository(prisma).findById(user.id))?.emailVerifiedAt).toEqual(at);
  });

  test.each([
    { case: "expired a moment ago", expiresInMs: -1, ok: false },
    { case: "expiring exactly now", expiresInMs: 0, ok: false },
    { case: "live", expiresInMs: 1_000, ok: true },
  ])("use at expiry: $case → $ok", async ({ expiresInMs, ok }) => {
    const user = await newUser();
    const at = new Date();
    await repo.issue({ userId: user.id, purpose: "EMAIL_VERIFICATION", tokenHash: `e-${user.id}`, expiresAt: new Date(at.getTime() + expiresInMs) });
    const token = await repo.findByHash(`e-${user.id}`);
    expect(await repo.verifyEmail(token!.id, user.id, at)).toBe(ok);
  });

  test("resetPassword: new hash, every refresh token revoked, e-mail verified, token used — in one go, once", async () => {
    const user = await newUser();
    const refreshTokens = new PrismaRefreshTokenRepository(prisma);
    for (const [i, familyId] of ["44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"].entries()) {
      await refreshTokens.create({ userId: user.id, familyId, tokenHash: `rt${i}-${user.id}`, expiresAt: inAnHour() });
    }
    await repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `p-${user.id}`, expiresAt: inAnHour() });
    const token = await repo.findByHash(`p-${user.id}`);
    const at = new Date();

    const results = await Promise.all(
      ["scrypt$new1", "scrypt$new2", "scrypt$new3"].map((passwordHash) => repo.resetPassword({ tokenId: token!.id, userId: user.id, passwordHash, at })),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await prisma.user.findUnique({ where: { id: user.id } });
    expect(row?.passwordHash).toMatch(/^scrypt\$new[123]$/);
    expect(row?.emailVerifiedAt).toEqual(at);
    expect(await prisma.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    expect((await repo.findByHash(`p-${user.id}`))?.usedAt).toEqual(at);
  });

  test("a used or expired reset token changes nothing", async () => {
    const user = await newUser();
    await new PrismaRefreshTokenRepository(prisma).create({
      userId: user.id,
      familyId: "66666666-6666-4666-8666-666666666666",
      tokenHash: `keep-${user.id}`,
      expiresAt: inAnHour(),
    });
    await repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `x-${user.id}`, expiresAt: new Date(Date.now() - 1) });
    const token = await repo.findByHash(`x-${user.id}`);
    expect(await repo.resetPassword({ tokenId: token!.id, userId: user.id, passwordHash: "scrypt$evil", at: new Date() })).toBe(false);
    const row = await prisma.user.findUnique({ where: { id: user.id } });
    expect(row).toMatchObject({ passwordHash: "scrypt$old", emailVerifiedAt: null });
    expect(await prisma.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(1);
  });

  test("deleting the user deletes their tokens (ON DELETE CASCADE)", async () => {
    const user = await newUser();
    await repo.issue({ userId: user.id, purpose: "PASSWORD_RESET", tokenHash: `c-${user.id}`, expiresAt: inAnHour() });
    await new PrismaUserRepository(prisma).delete(user.id, outboxRow("UserDeleted", { userId: user.id }));
    expect(await repo.findByHash(`c-${user.id}`)).toBeNull();
  });
});

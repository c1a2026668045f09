import { randomUUID } from "node:crypto";
import { outboxRow } from "@fixup/platform";
import { describe, expect, test } from "vitest";
import { migrationsDir } from "../app.js";
import { createPrisma } from "./prisma.js";
import { PrismaRefreshTokenRepository } from "./refresh-token-repository.js";
import { PrismaSigningKeyRepository } from "./signing-key-repository.js";
import { EmailTakenError, PrismaUserRepository } from "./user-repository.js";
import { usePrismaDatabase } from "../../../../test/support/database.js";

const database = usePrismaDatabase("users_repo", migrationsDir, (url) => createPrisma(url, 4));

const newUser = (email: string) => ({ email, name: "Ann", passwordHash: "scrypt$x", roles: ["CUSTOMER" as const] });

describe("PrismaUserRepository (real Postgres)", () => {
  test("create, find, update, delete; password hash never in public reads", async () => {
    const repo = new PrismaUserRepository(database.prisma);
    const created = await repo.create(newUser("repo-a@example.com"));
    expect(created).toMatchObject({ email: "repo-a@example.com", roles: ["CUSTOMER"], avatarKey: null });
    expect(created).not.toHaveProperty("passwordHash");
    expect(await repo.findById(created.id)).toEqual(created);
    expect((await repo.findByEmailWithPassword("repo-a@example.com"))?.passwordHash).toBe("scrypt$x");
    const updated = await repo.update(created.id, { name: "Annie", roles: ["CUSTOMER", "PROVIDER"] });
    expect(updated).toMatchObject({ name: "Annie", roles: ["CUSTOMER", "PROVIDER"] });
    await repo.setPasswordHash(created.id, "scrypt$y");
    expect((await repo.findByIdWithPassword(created.id))?.passwordHash).toBe("scrypt$y");
    const event = outboxRow("UserDeleted", { userId: created.id });
    expect(await repo.delete(created.id, event)).toBe(true);
    expect(await repo.findById(created.id)).toBeNull();
    // What stays: a tombstone with nothing personal, and the event in the outbox of the same transaction.
    expect(await repo.findTombstones([created.id, randomUUID()])).toEqual([
      expect.objectContaining({ id: created.id, name: "Deleted account", email: "", roles: [], createdAt: created.createdAt, deleted: true }),
    ]);
    expect(await database.prisma.outboxEvent.findMany({ where: { id: event.id } })).toEqual([expect.objectContaining({ type: "UserDeleted", payload: { userId: created.id } })]);
    // Deleting again (a concurrent second request) finds nothing and writes nothing.
    expect(await repo.delete(created.id, outboxRow("UserDeleted", { userId: created.id }))).toBe(false);
    expect(await database.prisma.outboxEvent.count()).toBe(1);
  });

  test("duplicate email → EmailTakenError, also under a concurrent race", async () => {
    const repo = new PrismaUserRepository(database.prisma);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => repo.create(newUser("race@example.com"))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EmailTakenError);
    }
  });

  test("swapAvatarKey changes the key only from the expected one (null included); two racers: one wins", async () => {
    const repo = new PrismaUserRepository(database.prisma);
    const user = await repo.create(newUser("swap@example.com"));
    expect(await repo.swapAvatarKey(user.id, "avatars/other", "avatars/a")).toBe(false);
    expect(await repo.swapAvatarKey(user.id, null, "avatars/a")).toBe(true);
    const race = await Promise.all([repo.swapAvatarKey(user.id, "avatars/a", "avatars/b"), repo.swapAvatarKey(user.id, "avatars/a", "avatars/c")]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(["avatars/b", "avatars/c"]).toContain((await repo.findById(user.id))?.avatarKey);
  });

  test("findByIds batches in one query and skips unknown ids", async () => {
    const repo = new PrismaUserRepository(database.prisma);
    const a = await repo.create(newUser("batch-a@example.com"));
    const b = await repo.create(newUser("batch-b@example.com"));
    const found = await repo.findByIds([a.id, b.id, "00000000-0000-0000-0000-000000000000"]);
    expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe("PrismaRefreshTokenRepository (real Postgres)", () => {
  test("rotate is single-use under concurrency; revokeFamily revokes all", async () => {
    const user = await new PrismaUserRepository(database.prisma).create(newUser("tokens@example.com"));
    const repo = new PrismaRefreshTokenRepository(database.prisma);
    const familyId = "11111111-1111-4111-8111-111111111111";
    await repo.create({ userId: user.id, familyId, tokenHash: "h0", expiresAt: new Date(Date.now() + 60_000) });
    const first = await repo.findByHash("h0");
    expect(first).toMatchObject({ familyId, usedAt: null, revokedAt: null });
    const now = new Date();
    const attempts = await Promise.all(
      ["h1", "h2", "h3"].map((h) => repo.rotate(first!.id, { userId: user.id, familyId, tokenHash: h, expiresAt: now }, now)),
    );
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(await database.prisma.refreshToken.count({ where: { familyId } })).toBe(2);
    await repo.revokeFamily(familyId, now);
    expect(await database.prisma.refreshToken.count({ where: { familyId, revokedAt: null } })).toBe(0);
  });

  test("revokeAllForUser keeps the named family", async () => {
    const user = await new PrismaUserRepository(database.prisma).create(newUser("keep@example.com"));
    const repo = new PrismaRefreshTokenRepository(database.prisma);
    const keep = "22222222-2222-4222-8222-222222222222";
    const drop = "33333333-3333-4333-8333-333333333333";
    const expiresAt = new Date(Date.now() + 60_000);
    await repo.create({ userId: user.id, familyId: keep, tokenHash: "k1", expiresAt });
    await repo.create({ userId: user.id, familyId: drop, tokenHash: "d1", expiresAt });
    await repo.revokeAllForUser(user.id, new Date(), keep);
    expect((await repo.findByHash("k1"))?.revokedAt).toBeNull();
    expect((await repo.findByHash("d1"))?.revokedAt).toBeInstanceOf(Date);
  });
});

describe("PrismaSigningKeyRepository (real Postgres)", () => {
  test("add is idempotent per kid and list returns newest first", async () => {
    const repo = new PrismaSigningKeyRepository(database.prisma);
    const key = { kid: "kid-1", alg: "ES256", privateJwk: { kty: "EC", d: "x" }, publicJwk: { kty: "EC", kid: "kid-1" } };
    await repo.add(key);
    await repo.add(key);
    await repo.add({ ...key, kid: "kid-2", publicJwk: { kty: "EC", kid: "kid-2" } });
    const listed = await repo.list();
    expect(listed.map((k) => k.kid)).toEqual(["kid-2", "kid-1"]);
    expect(listed[1]?.publicJwk).toEqual({ kty: "EC", kid: "kid-1" });
  });
});

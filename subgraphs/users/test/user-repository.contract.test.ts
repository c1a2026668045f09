import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow, type OutboxRow, USER_DELETED } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import { createPrisma } from "../src/repository/prisma.js";
import { EmailTakenError, PrismaUserRepository, type NewUser, type UserRepository } from "../src/repository/user-repository.js";
import { FakeUserRepository } from "./fakes.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see orders' order-repository.contract.test.ts). One hook stands in for what the
// interface cannot show: the outbox rows written so far (delete writes its event in the deletion's transaction).
interface Subject {
  users: UserRepository;
  outbox(): Promise<Array<Pick<OutboxRow, "id" | "type" | "payload">>>;
}

const database = usePrismaDatabase("users_contract", migrationsDir, (url) => createPrisma(url, 6));

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  {
    name: "PrismaUserRepository (real Postgres)",
    create: async () => {
      await database.prisma.$executeRaw`TRUNCATE users, deleted_users, outbox_events CASCADE`;
      return {
        users: new PrismaUserRepository(database.prisma),
        outbox: async () =>
          (await database.prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } })).map(({ id, type, payload }) => ({ id, type, payload: payload as OutboxRow["payload"] })),
      };
    },
  },
  {
    name: "FakeUserRepository",
    create: async () => {
      const users = new FakeUserRepository();
      return { users, outbox: async () => users.outbox.map(({ id, type, payload }) => ({ id, type, payload })) };
    },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let seq = 0;
const newUser = (more: Partial<NewUser> = {}): NewUser => ({ email: `u${++seq}@example.com`, name: "Ann", passwordHash: "scrypt$old", roles: ["CUSTOMER"], ...more });
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
const deleted = (userId: string) => outboxRow(USER_DELETED, { userId });

describe.each(implementations)("UserRepository contract: $name", ({ create }) => {
  test("create returns the public user (no password hash, unverified, no avatar); the finders agree", async () => {
    const { users } = await create();
    const input = newUser({ roles: ["PROVIDER", "CUSTOMER"] });
    const user = await users.create(input);
    expect(user).toEqual({
      id: expect.stringMatching(UUID), email: input.email, name: "Ann", roles: ["PROVIDER", "CUSTOMER"], avatarKey: null, bio: null, emailVerifiedAt: null,
      createdAt: expect.any(Date), updatedAt: expect.any(Date),
    });
    expect(await users.findById(user.id)).toEqual(user);
    expect(await users.findByIdWithPassword(user.id)).toEqual({ ...user, passwordHash: "scrypt$old" });
    expect(await users.findByEmailWithPassword(input.email)).toEqual({ ...user, passwordHash: "scrypt$old" });
    const other = await users.create(newUser());
    expect(byId(await users.findByIds([other.id, randomUUID(), user.id]))).toEqual(byId([user, other]));
    expect(await users.findByIds([])).toEqual([]);
    expect(await users.findByIds([user.id, user.id])).toEqual([user]);
    expect(await users.findById(randomUUID())).toBeNull();
    expect(await users.findByIdWithPassword(randomUUID())).toBeNull();
    expect(await users.findByEmailWithPassword("nobody@example.com")).toBeNull();
  });

  test("ids are uuids, compared as uuids: an id in upper case finds the same account (and answers its canonical id)", async () => {
    const { users } = await create();
    const user = await users.create(newUser());
    const shouted = user.id.toUpperCase();
    expect(await users.findById(shouted)).toEqual(user);
    expect(await users.findByIds([shouted])).toEqual([user]);
    expect(await users.findByIdWithPassword(shouted)).toMatchObject({ id: user.id });
    await users.delete(shouted, deleted(user.id));
    expect(await users.findTombstones([shouted])).toEqual([expect.objectContaining({ id: user.id, deleted: true })]);
  });

  test("a malformed id (a forged reference) matches nothing: no account, no tombstone, no error", async () => {
    const { users } = await create();
    const user = await users.create(newUser());
    expect(await users.findByIds([user.id, "junk"])).toEqual([user]);
    expect(await users.findById("junk")).toBeNull();
    expect(await users.findByIdWithPassword("junk")).toBeNull();
    expect(await users.findTombstones(["junk"])).toEqual([]);
  });

  test("an e-mail is taken as written (normalising it is the service's rule)", async () => {
    const { users } = await create();
    const first = await users.create(newUser({ email: "ann@example.com" }));
    await expect(users.create(newUser({ email: "ann@example.com" }))).rejects.toBeInstanceOf(EmailTakenError);
    expect(await users.findByEmailWithPassword("ANN@example.com")).toBeNull();
    const race = await Promise.allSettled(Array.from({ length: 4 }, () => users.create(newUser({ email: "race@example.com" }))));
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of race) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EmailTakenError);
    expect(await users.findByEmailWithPassword("ann@example.com")).toMatchObject({ id: first.id });
  });

  test("update changes name, roles and avatar; setPasswordHash the hash; an unknown user is an error", async () => {
    const { users } = await create();
    const user = await users.create(newUser());
    const updated = await users.update(user.id, { name: "Annie", roles: ["CUSTOMER", "PROVIDER"] });
    expect(updated).toEqual({ ...user, name: "Annie", roles: ["CUSTOMER", "PROVIDER"], updatedAt: expect.any(Date) });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    expect(await users.update(user.id, { avatarKey: "avatars/a" })).toMatchObject({ name: "Annie", avatarKey: "avatars/a" });
    // A key present but undefined is no change (as Prisma reads it), not a cleared column.
    expect(await users.update(user.id, { name: undefined, roles: undefined, avatarKey: undefined })).toMatchObject({ name: "Annie", roles: ["CUSTOMER", "PROVIDER"], avatarKey: "avatars/a" });
    await users.setPasswordHash(user.id, "scrypt$new");
    expect(await users.findByIdWithPassword(user.id)).toMatchObject({ name: "Annie", passwordHash: "scrypt$new" });
    await expect(users.update(randomUUID(), { name: "Ghost" })).rejects.toThrow();
    await expect(users.setPasswordHash(randomUUID(), "scrypt$x")).rejects.toThrow();
  });

  test("swapAvatarKey moves only from the expected key (null included); false for an unknown user", async () => {
    const { users } = await create();
    const user = await users.create(newUser());
    expect(await users.swapAvatarKey(user.id, "avatars/other", "avatars/a")).toBe(false);
    expect((await users.findById(user.id))?.avatarKey).toBeNull();
    expect(await users.swapAvatarKey(user.id, null, "avatars/a")).toBe(true);
    expect(await users.swapAvatarKey(user.id, null, "avatars/b")).toBe(false);
    const race = await Promise.all([users.swapAvatarKey(user.id, "avatars/a", "avatars/b"), users.swapAvatarKey(user.id, "avatars/a", "avatars/c")]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(["avatars/b", "avatars/c"]).toContain((await users.findById(user.id))?.avatarKey);
    expect(await users.swapAvatarKey(randomUUID(), null, "avatars/x")).toBe(false);
  });

  test("delete: the account goes, a tombstone stays, the event is written once; the e-mail is free again", async () => {
    const { users, outbox } = await create();
    const user = await users.create(newUser());
    const kept = await users.create(newUser());
    const event = deleted(user.id);
    expect(await users.delete(user.id, event)).toBe(true);
    expect(await users.findById(user.id)).toBeNull();
    expect(await users.findByIds([user.id, kept.id])).toEqual([kept]);
    expect(await users.findByEmailWithPassword(user.email)).toBeNull();
    expect(await users.findTombstones([user.id, kept.id, randomUUID()])).toEqual([
      { id: user.id, email: "", name: "Deleted account", roles: [], avatarKey: null, bio: null, emailVerifiedAt: null, createdAt: user.createdAt, updatedAt: user.createdAt, deleted: true },
    ]);
    expect(await users.delete(user.id, deleted(user.id))).toBe(false);
    expect(await users.delete(randomUUID(), deleted(randomUUID()))).toBe(false);
    expect(await outbox()).toEqual([{ id: event.id, type: USER_DELETED, payload: { userId: user.id } }]);
    expect(await users.create(newUser({ email: user.email }))).toMatchObject({ email: user.email });
    expect(await users.findTombstones([])).toEqual([]);
    expect(await users.findTombstones([user.id, user.id])).toHaveLength(1);
  });
});

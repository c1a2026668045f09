import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { pageRequest } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import { PrismaIdentityRepository, type IdentityRepository, type NewIdentity } from "../src/repository/identity-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaUserRepository, type UserRepository } from "../src/repository/user-repository.js";
import { FakeUserRepository } from "./fakes.js";
import { FakeIdentityRepository, testCipher, TEST_KEY_A, TEST_KEY_B } from "./identity-fakes.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// Identity numbers are written with their account (UserRepository.create/update) and read, audited and re-encrypted
// through IdentityRepository: both halves are held to one contract, against Postgres and the fakes.
interface Subject {
  users: UserRepository;
  identities: IdentityRepository;
}

const database = usePrismaDatabase("users_identity_contract", migrationsDir, (url) => createPrisma(url, 6));

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  {
    name: "Prisma (real Postgres)",
    create: async () => {
      await database.prisma.$executeRaw`TRUNCATE users, deleted_users, outbox_events, provider_identities, identity_access_log CASCADE`;
      return { users: new PrismaUserRepository(database.prisma), identities: new PrismaIdentityRepository(database.prisma) };
    },
  },
  {
    name: "fakes",
    create: async () => {
      const users = new FakeUserRepository();
      return { users, identities: new FakeIdentityRepository(users) };
    },
  },
];

let seq = 0;
const sealed = (ownerId: string, value = "12345678901", keys = TEST_KEY_A): NewIdentity => ({ ...testCipher(keys).encrypt(value, ownerId), preview: `•••${value.slice(-4)}` });
const newProvider = async (users: UserRepository, value = "12345678901", keys = TEST_KEY_A) => {
  const id = randomUUID();
  return users.create({ id, email: `p${++seq}@example.com`, name: "Pat", passwordHash: "h", roles: ["PROVIDER"], identity: sealed(id, value, keys) });
};
const bytes = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe.each(implementations)("IdentityRepository contract: $name", ({ create }) => {
  test("create with an identity stores it under the chosen id; previews come back in one batch", async () => {
    const { users, identities } = await create();
    const provider = await newProvider(users);
    const customer = await users.create({ email: `c${++seq}@example.com`, name: "C", passwordHash: "h", roles: ["CUSTOMER"] });
    expect(provider).toMatchObject({ roles: ["PROVIDER"], bio: null });
    expect(await identities.findPreviews([provider.id, customer.id, randomUUID(), "junk"])).toEqual([{ userId: provider.id, preview: "•••8901" }]);
    expect(await identities.findPreviews([])).toEqual([]);
  });

  test("readAudited returns the stored bytes and writes one audit record; none without a row", async () => {
    const { users, identities } = await create();
    const provider = await newProvider(users);
    const admin = randomUUID();
    const row = await identities.readAudited(provider.id.toUpperCase(), { adminId: admin, reason: "dispute #1 review" });
    expect(row).toMatchObject({ userId: provider.id, keyId: "a", preview: "•••8901", updatedAt: expect.any(Date) });
    expect(testCipher().decrypt(row!, provider.id)).toBe("12345678901");
    expect(await identities.readAudited(randomUUID(), { adminId: admin, reason: "nobody here at all" })).toBeNull();
    expect(await identities.readAudited("junk", { adminId: admin, reason: "nobody here at all" })).toBeNull();
    const log = await identities.listAccess({}, pageRequest({}));
    expect(log).toEqual({ rows: [{ id: expect.any(String), adminId: admin, userId: provider.id, reason: "dispute #1 review", accessedAt: expect.any(Date) }], totalCount: 1 });
  });

  test("update sets an identity for an account without one (and replaces one); bio is a column", async () => {
    const { users, identities } = await create();
    const user = await users.create({ email: `u${++seq}@example.com`, name: "U", passwordHash: "h", roles: ["CUSTOMER"] });
    const updated = await users.update(user.id, { roles: ["PROVIDER"], bio: "Fixes things", identity: sealed(user.id, "10987654321") });
    expect(updated).toMatchObject({ roles: ["PROVIDER"], bio: "Fixes things" });
    expect(await identities.findPreviews([user.id])).toEqual([{ userId: user.id, preview: "•••4321" }]);
    await users.update(user.id, { identity: sealed(user.id, "55555555555") });
    const row = await identities.readAudited(user.id, { adminId: randomUUID(), reason: "checking replacement" });
    expect(testCipher().decrypt(row!, user.id)).toBe("55555555555");
    expect((await users.update(user.id, { bio: null })).bio).toBeNull();
  });

  test("the identity goes with the account; its audit records stay", async () => {
    const { users, identities } = await create();
    const provider = await newProvider(users);
    await identities.readAudited(provider.id, { adminId: randomUUID(), reason: "before deletion" });
    await users.delete(provider.id, { id: randomUUID(), type: "UserDeleted", payload: { userId: provider.id } });
    expect(await identities.findPreviews([provider.id])).toEqual([]);
    expect(await identities.findNotUnderKey("zzz", 10)).toEqual([]);
    expect((await identities.listAccess({ userId: provider.id }, pageRequest({}))).totalCount).toBe(1);
  });

  test("listAccess: newest first (ties by id), per user, take + 1 rows, a cursor continues after the last", async () => {
    const { users, identities } = await create();
    const [p1, p2] = [await newProvider(users), await newProvider(users)];
    const admin = randomUUID();
    for (let i = 0; i < 4; i++) await identities.readAudited(i % 2 ? p2!.id : p1!.id, { adminId: admin, reason: `reason ${i}` });
    const all = await identities.listAccess({}, pageRequest({ first: 10 }));
    expect(all.totalCount).toBe(4);
    const order = [...all.rows].sort((a, b) => b.accessedAt.getTime() - a.accessedAt.getTime() || (a.id < b.id ? 1 : -1));
    expect(all.rows).toEqual(order);
    const page = await identities.listAccess({}, pageRequest({ first: 2 }));
    expect(page.rows).toEqual(all.rows.slice(0, 3));
    const last = all.rows[1]!;
    const next = await identities.listAccess({}, { take: 2, after: { createdAt: last.accessedAt, id: last.id } });
    expect(next.rows).toEqual(all.rows.slice(2, 4));
    const mine = await identities.listAccess({ userId: p1!.id.toUpperCase() }, pageRequest({}));
    expect(mine.totalCount).toBe(2);
    expect(mine.rows.map((r) => r.userId)).toEqual([p1!.id, p1!.id]);
    expect(await identities.listAccess({ userId: "junk" }, pageRequest({}))).toEqual({ rows: [], totalCount: 0 });
  });

  test("rotation primitives: rows not under a key, conditional replacement, counts per key", async () => {
    const { users, identities } = await create();
    const old = [await newProvider(users, "11111111111"), await newProvider(users, "22222222222"), await newProvider(users, "33333333333")];
    const current = await newProvider(users, "44444444444", TEST_KEY_B);
    expect(await identities.countByKey()).toEqual({ a: 3, b: 1 });
    const batch = await identities.findNotUnderKey("b", 2);
    expect(batch).toHaveLength(2);
    expect(batch.every((r) => r.keyId === "a")).toBe(true);
    expect((await identities.findNotUnderKey("b", 10)).map((r) => r.userId).sort()).toEqual(old.map((u) => u.id).sort());
    const target = batch[0]!;
    const next = testCipher(TEST_KEY_B).encrypt(testCipher().decrypt(target, target.userId), target.userId);
    expect(await identities.replaceEncryption(target.userId, "b", next)).toBe(false); // not under b (yet)
    expect(await identities.replaceEncryption(target.userId, "a", next)).toBe(true);
    expect(await identities.replaceEncryption(target.userId, "a", next)).toBe(false); // already moved
    expect(await identities.replaceEncryption(randomUUID(), "a", next)).toBe(false);
    const moved = await identities.readAudited(target.userId, { adminId: randomUUID(), reason: "after rotation" });
    expect(moved).toMatchObject({ keyId: "b", preview: target.preview });
    expect(bytes(moved!.ciphertext)).toBe(bytes(next.ciphertext));
    expect(await identities.countByKey()).toEqual({ a: 2, b: 2 });
    expect(current.id).toBeTruthy();
  });
});

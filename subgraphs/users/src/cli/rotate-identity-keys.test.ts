import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { PrismaIdentityRepository } from "../repository/identity-repository.js";
import { createPrisma, type UsersPrisma } from "../repository/prisma.js";
import { PrismaUserRepository } from "../repository/user-repository.js";
import { TEST_KEY_A, TEST_KEY_B, testCipher } from "../../test/identity-fakes.js";
import { identityPreview } from "../domain/identity-number.js";
import { rotateIdentityKeys } from "./rotate-identity-keys.js";

let db: TestDatabase;
let prisma: UsersPrisma;
beforeAll(async () => {
  db = await createTestDatabase("users_rotate", migrationsDir);
  prisma = createPrisma(db.url, 2);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const keys = (IDENTITY_KEYS: string) => ({ NODE_ENV: "production", IDENTITY_KEYS, IDENTITY_KEY_FILE: "/nonexistent/never-used" });

test("identity:rotate re-encrypts every row under an old key in batches, reports counts, and is idempotent", async () => {
  const users = new PrismaUserRepository(prisma);
  const numbers = Array.from({ length: 7 }, (_, i) => `2000000000${i}`);
  const ids: string[] = [];
  for (const [i, number] of numbers.entries()) {
    const id = randomUUID();
    // Five under the old key "a", two already under the new key "b".
    const cipher = testCipher(i < 5 ? TEST_KEY_A : TEST_KEY_B);
    await users.create({ id, email: `rot${i}@example.com`, name: "R", passwordHash: "h", roles: ["PROVIDER"], identity: { ...cipher.encrypt(number, id), preview: identityPreview(number) } });
    ids.push(id);
  }
  const rotated = await rotateIdentityKeys(db.url, keys(`${TEST_KEY_B},${TEST_KEY_A}`), 2);
  expect(rotated).toEqual({ reencrypted: 5, skipped: 0, activeKeyId: "b", byKey: { b: 7 } });
  expect(await rotateIdentityKeys(db.url, keys(`${TEST_KEY_B},${TEST_KEY_A}`), 2)).toEqual({ reencrypted: 0, skipped: 0, activeKeyId: "b", byKey: { b: 7 } });

  // The old key can go now: every number decrypts with the new key alone, previews unchanged.
  const identities = new PrismaIdentityRepository(prisma);
  const onlyB = testCipher(TEST_KEY_B);
  for (const [i, id] of ids.entries()) {
    const row = await identities.readAudited(id, { adminId: randomUUID(), reason: "rotation test check" });
    expect(row).toMatchObject({ keyId: "b", preview: identityPreview(numbers[i]!) });
    expect(onlyB.decrypt(row!, id)).toBe(numbers[i]);
  }
});

test("identity:rotate refuses bad keys before touching the database", async () => {
  await expect(rotateIdentityKeys(db.url, keys("b:short"))).rejects.toThrow(/IDENTITY_KEYS: key "b"/);
  await expect(rotateIdentityKeys(db.url, { NODE_ENV: "production", IDENTITY_KEY_FILE: "/nonexistent" })).rejects.toThrow(/IDENTITY_KEYS: required/);
});

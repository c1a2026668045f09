// 20261202010000_provider_identity on a database with today's schema and data: accounts (providers included) stay
// as they were, with no bio and no identity number on file (their preview is null until they add one).
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { applyMigrations } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { PrismaIdentityRepository } from "./identity-repository.js";
import { createPrisma } from "./prisma.js";
import { PrismaUserRepository } from "./user-repository.js";

const MIGRATION = "20261202010000_provider_identity";
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

test(`${MIGRATION} keeps existing accounts valid: no bio, no identity number`, async () => {
  const before = await mkdtemp(join(tmpdir(), "fixup-users-migrations-"));
  cleanup.push(() => rm(before, { recursive: true, force: true }));
  for (const name of (await readdir(migrationsDir)).filter((n) => n < MIGRATION)) {
    await cp(join(migrationsDir, name), join(before, name), { recursive: true });
  }
  const db: TestDatabase = await createTestDatabase("users_identity_migration", before);
  cleanup.push(db.drop);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanup.push(() => client.end());
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO users (id, email, name, password_hash, roles, updated_at) VALUES
       (gen_random_uuid(), 'old-provider@example.com', 'Old Provider', 'h', '{PROVIDER}', now()),
       (gen_random_uuid(), 'old-customer@example.com', 'Old Customer', 'h', '{CUSTOMER}', now())
     RETURNING id`,
  );

  expect(await applyMigrations(db.url, migrationsDir)).toContain(MIGRATION);

  const prisma = createPrisma(db.url, 2);
  cleanup.push(() => prisma.$disconnect());
  const users = await new PrismaUserRepository(prisma).findByIds(rows.map((r) => r.id));
  expect(users.map((u) => [u.name, u.roles, u.bio]).sort()).toEqual([
    ["Old Customer", ["CUSTOMER"], null],
    ["Old Provider", ["PROVIDER"], null],
  ]);
  expect(await new PrismaIdentityRepository(prisma).findPreviews(rows.map((r) => r.id))).toEqual([]);
});

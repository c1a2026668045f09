import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyMigrations, dropDatabase, ensureDatabase, readMigrations, withDatabase } from "./migrations.js";

const SERVER_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const A = { name: "20260101000000_a", sql: `CREATE TABLE "a" ("id" SERIAL PRIMARY KEY, "label" TEXT NOT NULL);\n` };
const B = { name: "20260102000000_b", sql: `CREATE TABLE "b" ("id" SERIAL PRIMARY KEY);\nINSERT INTO "a" ("label") VALUES ('seed');\n` };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const created: string[] = [];
const tempDirs: string[] = [];

/** A fresh, uniquely named database on the test server; dropped in afterAll. */
async function freshDatabase(): Promise<string> {
  const url = withDatabase(SERVER_URL, `fixup_test_migrations_${randomBytes(5).toString("hex")}`);
  created.push(url);
  await ensureDatabase(url);
  return url;
}

/** A temp migrations dir holding `<dir>/<name>/migration.sql` for each migration. */
async function migrationsDir(...migrations: { name: string; sql: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fixup-migrations-"));
  tempDirs.push(dir);
  for (const m of migrations) await writeMigration(dir, m);
  return dir;
}

async function writeMigration(dir: string, { name, sql }: { name: string; sql: string }): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, "migration.sql"), sql);
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}
const recorded = (url: string) =>
  query<MigrationRow>(
    url,
    `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
       FROM "_prisma_migrations" ORDER BY migration_name`,
  );

const tableExists = async (url: string, table: string) =>
  (await query<{ exists: boolean }>(url, `SELECT to_regclass('public."${table}"') IS NOT NULL AS exists`))[0]?.exists;

afterAll(async () => {
  await Promise.all(created.map((url) => dropDatabase(url)));
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("withDatabase", () => {
  test.each([
    ["postgresql://postgres@127.0.0.1:5432/postgres", "app", "postgresql://postgres@127.0.0.1:5432/app"],
    ["postgresql://u:p@db:5432/x?sslmode=disable", "y", "postgresql://u:p@db:5432/y?sslmode=disable"],
    ["postgres://db", "z", "postgres://db/z"],
  ])("%s + %s → %s", (url, database, expected) => {
    expect(withDatabase(url, database)).toBe(expected);
  });
});

describe("readMigrations", () => {
  test("reads migration dirs in name order with sha256 checksums, ignoring plain files", async () => {
    const dir = await migrationsDir(B, A);
    await writeFile(join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
    expect(await readMigrations(dir)).toEqual([
      { name: A.name, sql: A.sql, checksum: sha256(A.sql) },
      { name: B.name, sql: B.sql, checksum: sha256(B.sql) },
    ]);
  });
});

describe("ensureDatabase / dropDatabase", () => {
  const uniqueUrl = () => {
    const url = withDatabase(SERVER_URL, `fixup_test_ensure_${randomBytes(5).toString("hex")}`);
    created.push(url);
    return url;
  };
  const countOf = async (url: string) => {
    const name = new URL(url).pathname.slice(1);
    const rows = await query<{ n: string }>(SERVER_URL, `SELECT count(*) AS n FROM pg_database WHERE datname = '${name}'`);
    return Number(rows[0]?.n);
  };

  test("creates the database, tolerates repeats, and drops it (twice is fine)", async () => {
    const url = uniqueUrl();
    await ensureDatabase(url);
    await ensureDatabase(url);
    expect(await countOf(url)).toBe(1);
    await dropDatabase(url);
    expect(await countOf(url)).toBe(0);
    await dropDatabase(url);
  });

  // Two instances booting at once: the racing CREATE DATABASE fails with 23505 or 42P04, both tolerated.
  test("concurrent calls for the same database all succeed", async () => {
    const url = uniqueUrl();
    await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(await countOf(url)).toBe(1);
  });
});

describe("applyMigrations", () => {
  let url: string;
  let dir: string;

  beforeAll(async () => {
    url = await freshDatabase();
    dir = await migrationsDir(A, B);
  });

  test("applies pending migrations in order and records them like Prisma", async () => {
    const before = new Date();
    expect(await applyMigrations(url, dir)).toEqual([A.name, B.name]);

    const rows = await recorded(url);
    expect(rows).toEqual([
      expect.objectContaining({ migration_name: A.name, checksum: sha256(A.sql), rolled_back_at: null, applied_steps_count: 1 }),
      expect.objectContaining({ migration_name: B.name, checksum: sha256(B.sql), rolled_back_at: null, applied_steps_count: 1 }),
    ]);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5_000);
    }
    expect(await query<{ label: string }>(url, `SELECT label FROM "a"`)).toEqual([{ label: "seed" }]);
  });

  test("running again applies nothing", async () => {
    expect(await applyMigrations(url, dir)).toEqual([]);
    expect(await recorded(url)).toHaveLength(2);
    expect(await query(url, `SELECT label FROM "a"`)).toHaveLength(1);
  });

  test("a migration added later is applied on its own", async () => {
    const c = { name: "20260103000000_c", sql: `ALTER TABLE "b" ADD COLUMN "note" TEXT;` };
    const grown = await migrationsDir(A, B, c);
    expect(await applyMigrations(url, grown)).toEqual([c.name]);
    expect((await recorded(url)).map((r) => r.migration_name)).toEqual([A.name, B.name, c.name]);
  });

  test("editing an applied migration is refused", async () => {
    const edited = await migrationsDir(A, { ...B, sql: `${B.sql}-- harmless comment\n` });
    await expect(applyMigrations(url, edited)).rejects.toThrow(`Migration ${B.name} was modified after it was applied`);
    expect((await recorded(url)).find((r) => r.migration_name === B.name)?.checksum).toBe(sha256(B.sql));
  });

  test("the advisory lock is released after a failure", async () => {
    // The previous test threw while holding the lock; this call would hang if it had not been released.
    expect(await applyMigrations(url, dir)).toEqual([]);
  });
});

describe("a failing migration", () => {
  const bad = {
    name: "20260102000000_bad",
    // The first statement succeeds; the second fails, so only a rolled-back transaction leaves no trace.
    sql: `CREATE TABLE "partial" ("id" INT);\nINSERT INTO "missing_table" VALUES (1);\n`,
  };
  const later = { name: "20260103000000_later", sql: `CREATE TABLE "later" ("id" INT);` };
  let url: string;
  let error: unknown;

  beforeAll(async () => {
    url = await freshDatabase();
    const dir = await migrationsDir(A, bad, later);
    error = await applyMigrations(url, dir).then(
      () => undefined,
      (e: unknown) => e,
    );
  });

  test("throws naming the migration and the database error", () => {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`^Migration ${bad.name} failed: .*missing_table`));
  });

  test("keeps the migrations before it and records neither it nor the ones after", async () => {
    expect((await recorded(url)).map((r) => r.migration_name)).toEqual([A.name]);
  });

  test("leaves no partial table behind", async () => {
    expect(await tableExists(url, "a")).toBe(true);
    expect(await tableExists(url, "partial")).toBe(false);
    expect(await tableExists(url, "later")).toBe(false);
  });

  test("once fixed, it and the rest apply", async () => {
    const fixed = { ...bad, sql: `CREATE TABLE "partial" ("id" INT);\n` };
    const dir = await migrationsDir(A, fixed, later);
    expect(await applyMigrations(url, dir)).toEqual([fixed.name, later.name]);
  });
});

describe("concurrent runs", () => {
  test("two applyMigrations on a fresh database apply each migration exactly once", async () => {
    const url = await freshDatabase();
    // A slow first migration widens the window in which both runs would otherwise see it as pending.
    const slow = { ...A, sql: `SELECT pg_sleep(0.3);\n${A.sql}` };
    const dir = await migrationsDir(slow, B);

    const results = await Promise.all([applyMigrations(url, dir), applyMigrations(url, dir)]);

    expect(results.flat().sort()).toEqual([A.name, B.name]);
    expect(results).toContainEqual([A.name, B.name]);
    expect(results).toContainEqual([]);
    expect((await recorded(url)).map((r) => r.migration_name)).toEqual([A.name, B.name]);
    expect(await query(url, `SELECT label FROM "a"`)).toHaveLength(1);
  });
});

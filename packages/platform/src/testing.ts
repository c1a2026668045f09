import { randomBytes } from "node:crypto";
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from "./migrations.js";

export const TEST_SERVER_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A uniquely named, migrated database on the real server at DATABASE_URL; tests drop it when done. */
export async function createTestDatabase(service: string, migrationsDir: string): Promise<TestDatabase> {
  const url = withDatabase(TEST_SERVER_URL, `fixup_test_${service}_${randomBytes(5).toString("hex")}`);
  await ensureDatabase(url);
  await applyMigrations(url, migrationsDir);
  return { url, drop: () => dropDatabase(url) };
}

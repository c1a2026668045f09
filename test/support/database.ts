import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";

export interface PrismaTestDatabase<P> {
  readonly prisma: P;
  readonly url: string;
}

/**
 * A migrated database of its own for one test file and a Prisma client on it, created before the file's tests and
 * dropped after them (the lifecycle every repository test repeats).
 */
export function usePrismaDatabase<P extends { $disconnect(): Promise<void> }>(
  name: string,
  migrationsDir: string,
  connect: (url: string) => P,
): PrismaTestDatabase<P> {
  let db: TestDatabase | undefined;
  let prisma: P | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(name, migrationsDir);
    prisma = connect(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`test database ${name} is not ready (used outside a test?)`);
    return value;
  };
  return {
    get prisma() {
      return ready(prisma);
    },
    get url() {
      return ready(db).url;
    },
  };
}

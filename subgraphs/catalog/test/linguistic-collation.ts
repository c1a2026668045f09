import { beforeAll } from "vitest";
import { migrationsDir } from "../src/app.js";
import { createPrisma, type CatalogPrisma } from "../src/repository/prisma.js";
import { usePrismaDatabase, type PrismaTestDatabase } from "../../../test/support/database.js";

/**
 * Gives the catalog's text columns a linguistic collation, as on a server initialised with a language locale (the
 * postgres:15 image's default is en_US.utf8; this machine's is C): the catalog's order is the domain's
 * (compareByName), whatever the server's locale. A Postgres without ICU keeps its own collation.
 */
export async function useLinguisticCollation(prisma: CatalogPrisma): Promise<void> {
  const [icu] = await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM pg_collation WHERE collname = 'en-x-icu'`;
  if (!icu?.n) return;
  await prisma.$executeRaw`ALTER TABLE services
    ALTER COLUMN name TYPE text COLLATE "en-x-icu",
    ALTER COLUMN description TYPE text COLLATE "en-x-icu"`;
  await prisma.$executeRaw`ALTER TABLE categories ALTER COLUMN name TYPE text COLLATE "en-x-icu"`;
}

/**
 * The two databases a catalog contract suite runs on, each for the whole file: one as the test server made it, one
 * whose text columns sort linguistically.
 */
export function useCatalogDatabases(name: string): [PrismaTestDatabase<CatalogPrisma>, PrismaTestDatabase<CatalogPrisma>] {
  const plain = usePrismaDatabase(name, migrationsDir, (url) => createPrisma(url, 4));
  const linguistic = usePrismaDatabase(`${name}_icu`, migrationsDir, (url) => createPrisma(url, 4));
  beforeAll(() => useLinguisticCollation(linguistic.prisma));
  return [plain, linguistic];
}

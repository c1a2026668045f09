// `npm run db:check`: fails when a service's schema.prisma and its migrations would build different databases.
// Builds one scratch database from the schema and one from the migrations, then compares their catalogs.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { applyMigrations, dropDatabase, ensureDatabase, startThrowawayPostgres, withDatabase, type EmbeddedPostgres } from "@fixup/platform";
import { PRISMA_SERVICES } from "./prisma-env.js";
import { readSchema, sqlFromSchema } from "./schema-sql.js";

const CATALOG_QUERIES = {
  columns: `SELECT table_name || '.' || column_name || ' ' || udt_name || ' null=' || is_nullable
              || ' default=' || coalesce(column_default, '') || ' len=' || coalesce(character_maximum_length::text, '')
              || ' prec=' || coalesce(numeric_precision::text, '') || '/' || coalesce(datetime_precision::text, '') AS item
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  indexes: `SELECT indexdef AS item FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  constraints: `SELECT c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS item
                FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations'`,
  enums: `SELECT t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS item
          FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
} as const;

async function catalog(url: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const items = new Set<string>();
    for (const [kind, sql] of Object.entries(CATALOG_QUERIES)) {
      const { rows } = await client.query<{ item: string }>(sql);
      for (const row of rows) items.add(`${kind}: ${row.item}`);
    }
    return items;
  } finally {
    await client.end();
  }
}

async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Differences between the database schema.prisma describes and the one its migrations build; empty when in sync. */
export async function schemaDrift(schemaText: string, migrationsDir: string, serverUrl: string): Promise<string[]> {
  const suffix = randomBytes(4).toString("hex");
  const fromSchema = withDatabase(serverUrl, `fixup_dbcheck_schema_${suffix}`);
  const fromMigrations = withDatabase(serverUrl, `fixup_dbcheck_migr_${suffix}`);
  try {
    await Promise.all([ensureDatabase(fromSchema), ensureDatabase(fromMigrations)]);
    await runSql(fromSchema, await sqlFromSchema(schemaText, fromSchema));
    await applyMigrations(fromMigrations, migrationsDir);
    const [want, have] = await Promise.all([catalog(fromSchema), catalog(fromMigrations)]);
    return [
      ...[...want].filter((i) => !have.has(i)).map((i) => `missing from migrations: ${i}`),
      ...[...have].filter((i) => !want.has(i)).map((i) => `not in schema.prisma:   ${i}`),
    ].sort();
  } finally {
    await Promise.all([dropDatabase(fromSchema), dropDatabase(fromMigrations)]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Without DATABASE_URL the scratch databases go to a throwaway embedded server, like the test run's.
  const scratch = process.env.DATABASE_URL ? undefined : await startThrowawayPostgres();
  const server = process.env.DATABASE_URL ?? (scratch as EmbeddedPostgres).url;
  let failed = false;
  for (const service of PRISMA_SERVICES) {
    const drift = await schemaDrift(await readSchema(service), `prisma/${service}/migrations`, server);
    if (drift.length) {
      failed = true;
      console.error(`prisma/${service}: schema.prisma and migrations disagree (add a migration):\n  ${drift.join("\n  ")}`);
    } else {
      console.log(`prisma/${service}: schema and migrations agree`);
    }
  }
  await scratch?.stop();
  process.exit(failed ? 1 : 0);
}

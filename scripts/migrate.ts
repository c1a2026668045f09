// `npm run migrate -- <service>` (or `node dist/<service>/scripts/migrate.js <service>` in an image): creates the
// service's database if missing and applies its pending migrations, then exits. Deploys run it once, before the new
// version takes traffic; the services still apply migrations at start (a no-op then) for development.
import { fileURLToPath } from "node:url";
import { applyMigrations, ensureDatabase, withDatabase } from "@fixup/platform";

const MIGRATED = ["users", "catalog", "orders", "chat"] as const;

export async function migrate(service: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  if (!(MIGRATED as readonly string[]).includes(service)) throw new Error(`no migrations for "${service}" (one of ${MIGRATED.join(", ")})`);
  const url = env[`${service.toUpperCase()}_DATABASE_URL`] || (env.DATABASE_URL && withDatabase(env.DATABASE_URL, `fixup_${service}`));
  if (!url) throw new Error(`${service.toUpperCase()}_DATABASE_URL (or DATABASE_URL) is not set`);
  await ensureDatabase(url);
  return applyMigrations(url, fileURLToPath(new URL(`../prisma/${service}/migrations`, import.meta.url)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = process.argv[2] ?? process.env.SERVICE ?? "";
  const applied = await migrate(service);
  console.log(JSON.stringify({ service, applied }));
}

// `npm start`: the whole federation in one process. With DATABASE_URL/REDIS_URL it uses those servers (one
// database per service, created if missing); without, it embeds Postgres (PGlite) and in-process stand-ins.
import { createLogger, ensureDatabase, onShutdown, withDatabase } from "@fixup/platform";
import { loadUsersConfig, startUsersService } from "@fixup/users";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.js";

const logger = createLogger("fixup", process.env.LOG_LEVEL ?? "info");
const env = { ...process.env };
const embedded: EmbeddedPostgres[] = [];

async function databaseFor(service: string, embeddedPort: number): Promise<string> {
  const key = `${service.toUpperCase()}_DATABASE_URL`;
  const explicit = env[key];
  if (explicit) {
    await ensureDatabase(explicit);
    return explicit;
  }
  if (env.DATABASE_URL) {
    const url = withDatabase(env.DATABASE_URL, `fixup_${service}`);
    await ensureDatabase(url);
    return url;
  }
  const pg = await startEmbeddedPostgres(service, env.EMBEDDED_DATA_DIR ?? ".data/pglite", embeddedPort);
  embedded.push(pg);
  return pg.url;
}

try {
  if (!env.DATABASE_URL) logger.info("DATABASE_URL not set: using embedded Postgres (PGlite) under .data/pglite");
  if (!env.REDIS_URL) logger.info("REDIS_URL not set: using in-process stand-ins for Redis features (single instance)");
  env.USERS_DATABASE_URL = await databaseFor("users", 54301);

  const users = await startUsersService(loadUsersConfig(env), { logger: logger.child({ service: "users" }) });
  const gateway = await startGateway(
    loadGatewayConfig({ ...env, USERS_URL: env.USERS_URL ?? users.url }),
    logger.child({ service: "gateway" }),
  );
  logger.info(`Fixup is up: ${gateway.url}/graphql`);
  console.log(`\n  Fixup gateway: ${gateway.url}/graphql\n`);
  onShutdown(logger, [gateway.close, users.close, ...embedded.map((pg) => pg.stop)]);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
  await Promise.all(embedded.map((pg) => pg.stop().catch(() => undefined)));
  process.exit(1);
}

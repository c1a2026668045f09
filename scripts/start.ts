// `npm start`: the whole federation in one process. With DATABASE_URL/REDIS_URL it uses those servers (one
// database per service, created if missing); without, it embeds Postgres (PGlite) and in-process stand-ins.
import {
  createLogger,
  createPubSub,
  createRedis,
  ensureDatabase,
  memoryEventBus,
  onShutdown,
  redisEventBus,
  withDatabase,
  type RunningServer,
} from "@fixup/platform";
import { loadUsersConfig, startUsersService } from "@fixup/users";
import { loadCatalogConfig, startCatalogService } from "@fixup/catalog";
import { loadOrdersConfig, startOrdersService } from "@fixup/orders";
import { loadChatConfig, startChatService } from "@fixup/chat";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.js";
import { freePort } from "./free-port.js";

const logger = createLogger("fixup", process.env.LOG_LEVEL ?? "info");
const env = { ...process.env };
const embedded: EmbeddedPostgres[] = [];
const servers: RunningServer[] = [];
type Service = "users" | "catalog" | "orders" | "chat";

async function databaseFor(service: Service): Promise<string> {
  const explicit = env[`${service.toUpperCase()}_DATABASE_URL`];
  if (explicit) {
    await ensureDatabase(explicit);
    return explicit;
  }
  if (env.DATABASE_URL) {
    const url = withDatabase(env.DATABASE_URL, `fixup_${service}`);
    await ensureDatabase(url);
    return url;
  }
  // Port 0: the OS picks a free port, so a second checkout or a test run never collides.
  const pg = await startEmbeddedPostgres(service, env.EMBEDDED_DATA_DIR ?? ".data/pglite", 0);
  embedded.push(pg);
  return pg.url;
}

try {
  if (!env.DATABASE_URL) logger.info("DATABASE_URL not set: using embedded Postgres (PGlite) under .data/pglite");
  if (!env.REDIS_URL) logger.info("REDIS_URL not set: using in-process stand-ins for Redis features (single instance)");
  const redis = createRedis(env.REDIS_URL);
  const bus = redis ? redisEventBus(redis, { logger }) : memoryEventBus(logger);
  const pubsub = createPubSub(redis, logger);
  const [usersDb, catalogDb, ordersDb, chatDb] = await Promise.all(
    (["users", "catalog", "orders", "chat"] as const).map((service) => databaseFor(service)),
  );
  env.USERS_DATABASE_URL = usersDb;
  env.CATALOG_DATABASE_URL = catalogDb;
  env.ORDERS_DATABASE_URL = ordersDb;
  env.CHAT_DATABASE_URL = chatDb;

  // Users writes the gateway's address into media URLs and mailed links, so the gateway's port is fixed up front.
  if (env.GATEWAY_PORT === "0") env.GATEWAY_PORT = String(await freePort());
  env.PUBLIC_BASE_URL ??= `http://localhost:${env.GATEWAY_PORT ?? "4000"}`;
  const users = await startUsersService(loadUsersConfig(env), { logger: logger.child({ service: "users" }), redis, bus, pubsub });
  servers.push(users);
  env.USERS_URL ??= users.url;
  const [catalog, orders, chat] = await Promise.all([
    startCatalogService(loadCatalogConfig(env), { logger: logger.child({ service: "catalog" }), redis, bus }),
    startOrdersService(loadOrdersConfig(env), { logger: logger.child({ service: "orders" }), redis, bus, pubsub }),
    startChatService(loadChatConfig(env), { logger: logger.child({ service: "chat" }), redis, bus, pubsub }),
  ]);
  servers.push(catalog, orders, chat);
  const gateway = await startGateway(
    loadGatewayConfig({
      ...env,
      CATALOG_URL: env.CATALOG_URL ?? catalog.url,
      ORDERS_URL: env.ORDERS_URL ?? orders.url,
      CHAT_URL: env.CHAT_URL ?? chat.url,
    }),
    logger.child({ service: "gateway" }),
  );
  servers.push(gateway);
  logger.info(`Fixup is up: ${gateway.url}/graphql`);
  console.log(`\n  Fixup gateway: ${gateway.url}/graphql\n`);
  onShutdown(logger, [
    ...servers.reverse().map((s) => s.close),
    () => bus.close(),
    () => pubsub.close(),
    async () => void (await redis?.quit()),
    ...embedded.map((pg) => pg.stop),
  ]);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
  for (const s of servers.reverse()) await s.close().catch(() => undefined);
  await Promise.all(embedded.map((pg) => pg.stop().catch(() => undefined)));
  process.exit(1);
}

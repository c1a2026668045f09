// `npm start`: the whole federation in one process. With DATABASE_URL/REDIS_URL it uses those servers (one
// database per service, created if missing); without, it runs an embedded PostgreSQL server (one for all four
// services, data under .data/postgres) and in-process stand-ins for Redis.
import {
  createLogger,
  createPubSub,
  createRedis,
  ensureDatabase,
  EmbeddedPostgresError,
  embeddedPostgresFromEnv,
  memoryEventBus,
  onShutdown,
  redisEventBus,
  withDatabase,
  type EmbeddedPostgres,
  type RunningServer,
} from "@fixup/platform";
import { loadUsersConfig, startUsersService } from "@fixup/users";
import { loadCatalogConfig, startCatalogService } from "@fixup/catalog";
import { loadOrdersConfig, startOrdersService } from "@fixup/orders";
import { loadChatConfig, startChatService } from "@fixup/chat";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { freePort } from "./free-port.js";

const logger = createLogger("fixup", process.env.LOG_LEVEL ?? "info");
const env = { ...process.env };
let embedded: EmbeddedPostgres | undefined;
const servers: RunningServer[] = [];
type Service = "users" | "catalog" | "orders" | "chat";

async function databaseFor(service: Service, server: string | undefined): Promise<string> {
  const url = env[`${service.toUpperCase()}_DATABASE_URL`] ?? withDatabase(server as string, `fixup_${service}`);
  await ensureDatabase(url);
  return url;
}

const allExplicit = (["users", "catalog", "orders", "chat"] as const).every((s) => env[`${s.toUpperCase()}_DATABASE_URL`]);

try {
  if (!env.DATABASE_URL && !allExplicit) {
    embedded = await embeddedPostgresFromEnv(env, (message) => logger.info(message));
    env.DATABASE_URL = embedded.url;
  } else if (env.DATABASE_URL) {
    logger.info(`using the PostgreSQL server at ${new URL(env.DATABASE_URL).host} (DATABASE_URL)`);
  }
  if (!env.REDIS_URL) logger.info("REDIS_URL not set: using in-process stand-ins for Redis features (single instance)");
  const redis = createRedis(env.REDIS_URL);
  const bus = redis ? redisEventBus(redis, { logger }) : memoryEventBus(logger);
  const pubsub = createPubSub(redis, logger);
  const [usersDb, catalogDb, ordersDb, chatDb] = await Promise.all(
    (["users", "catalog", "orders", "chat"] as const).map((service) => databaseFor(service, env.DATABASE_URL)),
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
    async () => await embedded?.stop(),
  ]);
} catch (error) {
  // A problem with the embedded server's directory or port is the user's to fix: one plain line, no stack.
  if (error instanceof EmbeddedPostgresError) console.error(`npm start: ${error.message}`);
  else logger.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
  for (const s of servers.reverse()) await s.close().catch(() => undefined);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
}

import {
  applyMigrations,
  connectMessaging,
  createLogger,
  consumerName,
  createMetrics,
  eventStream,
  loadTypeDefs,
  onUserDeleted,
  startOutboxRelay,
  startSubgraphServer,
  subgraphSchema,
  type RunningServer,
  type ServiceOptions,
  type Subscription,
  usersTokenVerifier,
} from "@fixup/platform";
import type { CatalogConfig } from "./config.js";
import type { CatalogContext } from "./graphql/context.js";
import { resolvers } from "./graphql/resolvers.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaCategoryRepository } from "./repository/category-repository.js";
import { PrismaProviderServiceRepository } from "./repository/provider-service-repository.js";
import { PrismaServiceRepository } from "./repository/service-repository.js";
import { CatalogService } from "./service/catalog-service.js";

export const catalogTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/catalog/migrations", import.meta.url).pathname;

export type CatalogServiceOptions = ServiceOptions;

/** Wiring only: builds the catalog subgraph from config and starts it. */
export async function startCatalogService(config: CatalogConfig, options: CatalogServiceOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger("catalog", config.LOG_LEVEL);
  await applyMigrations(config.CATALOG_DATABASE_URL, migrationsDir);
  const prisma = createPrisma(config.CATALOG_DATABASE_URL, config.DB_POOL_SIZE, options.onQuery);
  const messaging = connectMessaging(config.REDIS_URL, logger, options);
  const { bus, redis } = messaging;
  if (!options.bus && !redis) logger.warn("REDIS_URL not set: integration events stay in this process (single instance only)");

  const catalog = new CatalogService(
    new PrismaServiceRepository(prisma),
    new PrismaProviderServiceRepository(prisma),
    new PrismaCategoryRepository(prisma),
  );
  let relay: ReturnType<typeof startOutboxRelay> | undefined;
  let usersEvents: Subscription | undefined;
  try {
    const seeded = await catalog.seed();
    if (seeded) logger.info({ seeded }, "seeded predefined services");
    relay = startOutboxRelay({ databaseUrl: config.CATALOG_DATABASE_URL, service: "catalog", bus, logger });
    usersEvents = bus.subscribe(eventStream("users"), "catalog", consumerName("catalog"), onUserDeleted((userId) => catalog.accountDeleted(userId), logger, "deleted account's services unassigned"));

    const closeAll = async () => {
      await usersEvents?.stop();
      await relay?.stop();
      await prisma.$disconnect();
      await messaging.close();
    };
    return await startSubgraphServer<CatalogContext>({
      name: "catalog",
      port: config.CATALOG_PORT,
      host: config.BIND_HOST,
      trustProxy: config.TRUST_PROXY,
      // Catalog's documented contract: a malformed id is an unknown one (null, NOT_FOUND).
      malformedIds: "AS_UNKNOWN",
      production: config.NODE_ENV === "production",
      logger,
      metrics: createMetrics("catalog", { maxOperations: config.METRICS_MAX_OPERATIONS }),
      schema: subgraphSchema(catalogTypeDefs, resolvers),
      verifier: usersTokenVerifier(config.USERS_URL, messaging.revocations, logger),
      readiness: [
        { name: "postgres", check: () => prisma.$queryRaw`SELECT 1` },
        ...messaging.readiness,
      ],
      context: (base) => ({ ...base, catalog, loaders: catalog.createLoaders() }),
      outbox: relay,
      onClose: closeAll,
    });
  } catch (error) {
    // Failed to start (port taken, seed failed): release what was opened so the process can exit cleanly.
    await usersEvents?.stop().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await prisma.$disconnect().catch(() => undefined);
    await messaging.close().catch(() => undefined);
    throw error;
  }
}

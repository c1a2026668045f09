import { loadTypeDefs, onUserDeleted, startService, subgraphSchema, type RunningServer, type ServiceOptions } from "@fixup/platform";
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

/** Wiring only: builds the catalog subgraph from config and starts it (the start-up sequence is the platform's). */
export async function startCatalogService(config: CatalogConfig, options: CatalogServiceOptions = {}): Promise<RunningServer> {
  return startService<ReturnType<typeof createPrisma>, CatalogContext>(
    { name: "catalog", config, databaseUrl: config.CATALOG_DATABASE_URL, port: config.CATALOG_PORT, migrationsDir, createPrisma, publishes: true, options },
    async ({ prisma, logger, messaging, consume, usersVerifier }) => {
      if (!options.bus && !messaging.redis) logger.warn("REDIS_URL not set: integration events stay in this process (single instance only)");
      const catalog = new CatalogService(
        new PrismaServiceRepository(prisma),
        new PrismaProviderServiceRepository(prisma),
        new PrismaCategoryRepository(prisma),
      );
      const seeded = await catalog.seed();
      if (seeded) logger.info({ seeded }, "seeded predefined services");
      consume("users", onUserDeleted((userId) => catalog.accountDeleted(userId), logger, "deleted account's services unassigned"));
      return {
        // Catalog's documented contract: a malformed id is an unknown one (null, NOT_FOUND).
        malformedIds: "AS_UNKNOWN",
        schema: subgraphSchema(catalogTypeDefs, resolvers),
        verifier: usersVerifier(config.USERS_URL),
        context: (base) => ({ ...base, catalog, loaders: catalog.createLoaders() }),
      };
    },
  );
}

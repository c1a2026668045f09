import {
  bestEffortPublisher,
  loadTypeDefs,
  requiresVerifiedEmail,
  startService,
  tradingGate,
  subgraphSchema,
  type RunningServer,
  type ServiceOptions,
} from "@fixup/platform";
import type { OrdersConfig } from "./config.js";
import type { OrdersContext } from "./graphql/context.js";
import { resolvers } from "./graphql/resolvers.js";
import { PrismaFeedRepository } from "./repository/feed-repository.js";
import { PrismaOrderRepository } from "./repository/order-repository.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaProviderServicesReadModel } from "./repository/read-model-repository.js";
import { catalogEventHandler, usersEventHandler } from "./service/event-handlers.js";
import { FeedService } from "./service/feed-service.js";
import { pubSubLiveEvents } from "./service/live-events.js";
import { OrderService } from "./service/order-service.js";

export const ordersTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/orders/migrations", import.meta.url).pathname;

export type OrdersServiceOptions = ServiceOptions;

/** Wiring only: builds the orders subgraph from config and starts it (the start-up sequence is the platform's). */
export async function startOrdersService(config: OrdersConfig, options: OrdersServiceOptions = {}): Promise<RunningServer> {
  return startService<ReturnType<typeof createPrisma>, OrdersContext>(
    { name: "orders", config, databaseUrl: config.ORDERS_DATABASE_URL, port: config.ORDERS_PORT, migrationsDir, createPrisma, publishes: true, options },
    ({ prisma, logger, messaging, metrics, consume, usersVerifier }) => {
      const { pubsub } = messaging;
      const live = pubSubLiveEvents(bestEffortPublisher(pubsub, logger, metrics.liveEventsDropped));
      const catalogEvents = consume("catalog", catalogEventHandler(new PrismaProviderServicesReadModel(prisma), logger));
      const orders = new OrderService(new PrismaOrderRepository(prisma), live, catalogEvents, tradingGate(requiresVerifiedEmail(config)));
      const feed = new FeedService(new PrismaFeedRepository(prisma), orders, catalogEvents);
      consume("users", usersEventHandler(orders, logger));
      return {
        schema: subgraphSchema(ordersTypeDefs, resolvers),
        verifier: usersVerifier(config.USERS_URL),
        subscriptions: true,
        context: (base) => ({ ...base, orders, pubsub, loaders: orders.createLoaders(base.viewer), feed, feedLoaders: feed.createLoaders() }),
      };
    },
  );
}

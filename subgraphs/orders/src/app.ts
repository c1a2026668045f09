import {
  applyMigrations,
  bestEffortPublisher,
  connectMessaging,
  consumerName,
  createLogger,
  createMetrics,
  eventStream,
  loadTypeDefs,
  onUserDeleted,
  startOutboxRelay,
  startSubgraphServer,
  subgraphSchema,
  type RunningServer,
  type ServiceOptions,
  usersTokenVerifier,
} from "@fixup/platform";
import type { OrdersConfig } from "./config.js";
import type { OrdersContext } from "./graphql/context.js";
import { resolvers } from "./graphql/resolvers.js";
import { PrismaFeedRepository } from "./repository/feed-repository.js";
import { PrismaOrderRepository } from "./repository/order-repository.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaProviderServicesReadModel } from "./repository/read-model-repository.js";
import { catalogEventHandler } from "./service/event-handlers.js";
import { FeedService } from "./service/feed-service.js";
import { pubSubLiveEvents } from "./service/live-events.js";
import { OrderService } from "./service/order-service.js";

export const ordersTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/orders/migrations", import.meta.url).pathname;

export type OrdersServiceOptions = ServiceOptions;

export async function startOrdersService(config: OrdersConfig, options: OrdersServiceOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger("orders", config.LOG_LEVEL);
  await applyMigrations(config.ORDERS_DATABASE_URL, migrationsDir);
  const prisma = createPrisma(config.ORDERS_DATABASE_URL, config.DB_POOL_SIZE, options.onQuery);
  const messaging = connectMessaging(config.REDIS_URL, logger, options);
  const { bus, pubsub } = messaging;
  const metrics = createMetrics("orders", { maxOperations: config.METRICS_MAX_OPERATIONS });
  const live = pubSubLiveEvents(bestEffortPublisher(pubsub, logger, metrics.liveEventsDropped));
  const relay = startOutboxRelay({ databaseUrl: config.ORDERS_DATABASE_URL, service: "orders", bus, logger });
  const catalogEvents = bus.subscribe(
    eventStream("catalog"),
    "orders",
    consumerName("orders"),
    catalogEventHandler(new PrismaProviderServicesReadModel(prisma), logger),
  );
  const orders = new OrderService(new PrismaOrderRepository(prisma), live, catalogEvents);
  const feed = new FeedService(new PrismaFeedRepository(prisma), orders, catalogEvents);
  const usersEvents = bus.subscribe(eventStream("users"), "orders", consumerName("orders"), onUserDeleted((userId) => orders.accountDeleted(userId), logger, "deleted account's orders and offers closed"));

  return startSubgraphServer<OrdersContext>({
    name: "orders",
    port: config.ORDERS_PORT,
    host: config.BIND_HOST,
    trustProxy: config.TRUST_PROXY,
    production: config.NODE_ENV === "production",
    logger,
    metrics,
    schema: subgraphSchema(ordersTypeDefs, resolvers),
    verifier: usersTokenVerifier(config.USERS_URL, messaging.revocations, logger),
    readiness: [
      { name: "postgres", check: () => prisma.$queryRaw`SELECT 1` },
      ...messaging.readiness,
    ],
    subscriptions: true,
    context: (base) => ({ ...base, orders, pubsub, loaders: orders.createLoaders(base.viewer), feed, feedLoaders: feed.createLoaders() }),
    outbox: relay,
    onClose: async () => {
      await catalogEvents.stop();
      await usersEvents.stop();
      await relay.stop();
      await prisma.$disconnect();
      await messaging.close();
    },
  });
}

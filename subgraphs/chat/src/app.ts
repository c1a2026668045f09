import {
  applyMigrations,
  bestEffortPublisher,
  connectMessaging,
  consumerName,
  createLogger,
  createMetrics,
  eventStream,
  loadTypeDefs,
  requiresVerifiedEmail,
  startSubgraphServer,
  subgraphSchema,
  type RunningServer,
  type ServiceOptions,
  usersTokenVerifier,
} from "@fixup/platform";
import type { ChatConfig } from "./config.js";
import type { ChatContext } from "./graphql/context.js";
import { resolvers } from "./graphql/resolvers.js";
import { PrismaChatRepository } from "./repository/chat-repository.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaOrderParticipantsReadModel } from "./repository/read-model-repository.js";
import { ChatService } from "./service/chat-service.js";
import { ordersEventHandler } from "./service/event-handlers.js";
import { pubSubLiveEvents } from "./service/live-events.js";

export const chatTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/chat/migrations", import.meta.url).pathname;

export type ChatServiceOptions = ServiceOptions;

/**
 * Chat publishes no integration events yet (its outbox table exists for when it does), so no outbox relay runs; it
 * consumes orders' events into the order-participants read model.
 */
export async function startChatService(config: ChatConfig, options: ChatServiceOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger("chat", config.LOG_LEVEL);
  await applyMigrations(config.CHAT_DATABASE_URL, migrationsDir);
  const prisma = createPrisma(config.CHAT_DATABASE_URL, config.DB_POOL_SIZE, options.onQuery);
  const messaging = connectMessaging(config.REDIS_URL, logger, options);
  const { bus, pubsub } = messaging;

  const metrics = createMetrics("chat", { maxOperations: config.METRICS_MAX_OPERATIONS });
  const live = pubSubLiveEvents(bestEffortPublisher(pubsub, logger, metrics.liveEventsDropped));
  const ordersEvents = bus.subscribe(
    eventStream("orders"),
    "chat",
    consumerName("chat"),
    ordersEventHandler(new PrismaOrderParticipantsReadModel(prisma), logger),
  );
  const chat = new ChatService(new PrismaChatRepository(prisma), live, ordersEvents, { requireVerifiedEmail: requiresVerifiedEmail(config) });

  try {
    return await startSubgraphServer<ChatContext>({
      name: "chat",
      port: config.CHAT_PORT,
      host: config.BIND_HOST,
      trustProxy: config.TRUST_PROXY,
      production: config.NODE_ENV === "production",
      logger,
      metrics,
      schema: subgraphSchema(chatTypeDefs, resolvers),
      verifier: usersTokenVerifier(config.USERS_URL, messaging.revocations, logger),
      readiness: [
        { name: "postgres", check: () => prisma.$queryRaw`SELECT 1` },
        ...messaging.readiness,
      ],
      subscriptions: true,
      context: (base) => ({ ...base, chat, pubsub, loaders: chat.createLoaders(base.viewer) }),
      onClose: async () => {
        await ordersEvents.stop();
        await prisma.$disconnect();
        await messaging.close();
      },
    });
  } catch (error) {
    // Port taken or the like: release what was opened, so a failed start leaves nothing running.
    await ordersEvents.stop();
    await prisma.$disconnect();
    await messaging.close();
    throw error;
  }
}

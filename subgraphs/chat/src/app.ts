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
 * consumes orders' events into the order-participants read model. The start-up sequence is the platform's.
 */
export async function startChatService(config: ChatConfig, options: ChatServiceOptions = {}): Promise<RunningServer> {
  return startService<ReturnType<typeof createPrisma>, ChatContext>(
    { name: "chat", config, databaseUrl: config.CHAT_DATABASE_URL, port: config.CHAT_PORT, migrationsDir, createPrisma, options },
    ({ prisma, logger, messaging, metrics, consume, usersVerifier }) => {
      const { pubsub } = messaging;
      const live = pubSubLiveEvents(bestEffortPublisher(pubsub, logger, metrics.liveEventsDropped));
      const ordersEvents = consume("orders", ordersEventHandler(new PrismaOrderParticipantsReadModel(prisma), logger));
      const chat = new ChatService(new PrismaChatRepository(prisma), live, ordersEvents, tradingGate(requiresVerifiedEmail(config)));
      return {
        schema: subgraphSchema(chatTypeDefs, resolvers),
        verifier: usersVerifier(config.USERS_URL),
        subscriptions: true,
        context: (base) => ({ ...base, chat, pubsub, loaders: chat.createLoaders(base.viewer) }),
      };
    },
  );
}

import { DateTimeResolver } from "graphql-scalars";
import { authenticated, optionalViewer } from "@fixup/platform";
import { isHidden } from "../domain/moderation.js";
import type { Resolvers } from "../generated/graphql.js";
import { liveTopics } from "../service/live-events.js";
import type { ChatContext } from "./context.js";

const user = (id: string) => ({ __typename: "User" as const, id });

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: {
    conversation: async (_p, { id }, ctx) => ctx.chat.getConversation(await authenticated(ctx), id, ctx.loaders),
    myConversations: async (_p, args, ctx) => ctx.chat.myConversations(await authenticated(ctx), args),
    message: async (_p, { id }, ctx) => ctx.chat.getMessage(await authenticated(ctx), id, ctx.loaders),
  },
  Mutation: {
    startConversation: async (_p, args, ctx) => ctx.chat.startConversation(await authenticated(ctx), args),
    sendMessage: async (_p, args, ctx) => ctx.chat.sendMessage(await authenticated(ctx), args, ctx.loaders),
    hideMessage: async (_p, args, ctx) => ctx.chat.hideMessage(await authenticated(ctx), args, ctx.loaders),
    markRead: async (_p, { conversationId }, ctx) => ctx.chat.markRead(await authenticated(ctx), conversationId, ctx.loaders),
  },
  Subscription: {
    messageAdded: {
      subscribe: async (_p, { conversationId }, ctx) => {
        const conversation = await ctx.chat.authorizeMessageFeed(await authenticated(ctx), conversationId, ctx.loaders);
        return ctx.pubsub.subscribe(liveTopics.messageAdded(conversation.id));
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: ChatContext) => {
        ctx.loaders = ctx.chat.createLoaders(ctx.viewer);
        return ctx.chat.getMessage(await authenticated(ctx), payload.id, ctx.loaders);
      },
    },
  },
  Order: {
    __resolveReference: (ref) => ({ id: ref.id }),
    conversations: async (o, _a, ctx) => {
      await authenticated(ctx);
      return ctx.chat.conversationsOfOrder(o.id, ctx.loaders);
    },
  },
  Conversation: {
    __resolveReference: async (ref, ctx) => ctx.chat.visibleConversation(await optionalViewer(ctx), ref.id, ctx.loaders),
    order: (c) => ({ __typename: "Order" as const, id: c.orderId }),
    customer: (c) => user(c.customerId),
    provider: (c) => user(c.providerId),
    messages: async (c, args, ctx) => ctx.chat.messagesOf(await authenticated(ctx), c, args),
    lastMessage: async (c, _a, ctx) => ctx.chat.lastMessageOf(await authenticated(ctx), c, ctx.loaders),
    unreadCount: async (c, _a, ctx) => ctx.chat.unreadCountOf(await authenticated(ctx), c, ctx.loaders),
  },
  Message: {
    __resolveReference: async (ref, ctx) => ctx.chat.visibleMessage(await optionalViewer(ctx), ref.id, ctx.loaders),
    conversation: async (m, _a, ctx) => ctx.chat.getConversation(await authenticated(ctx), m.conversationId, ctx.loaders),
    sender: (m) => user(m.senderId),
    // Only staff ever receive a hidden message; the details are theirs only.
    hidden: (m) => isHidden(m),
    hiddenReason: async (m, _a, ctx) => ctx.chat.hidingOf(await optionalViewer(ctx), m).reason,
    hiddenAt: async (m, _a, ctx) => ctx.chat.hidingOf(await optionalViewer(ctx), m).at,
  },
};

import { DateTimeResolver } from "graphql-scalars";
import { isStaffViewer, requireViewer } from "@fixup/platform";
import type { Resolvers } from "../generated/graphql.js";
import { liveTopics } from "../service/live-events.js";
import type { ChatContext } from "./context.js";

const actor = async (ctx: ChatContext) => requireViewer(await ctx.viewer());
/** For federation references: an anonymous or invalid token sees nothing rather than failing the whole fetch. */
const actorOrNull = (ctx: ChatContext) => ctx.viewer().catch(() => null);
const staff = async (ctx: ChatContext) => {
  const viewer = await actorOrNull(ctx);
  return !!viewer && isStaffViewer(viewer);
};
const user = (id: string) => ({ __typename: "User" as const, id });

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: {
    conversation: async (_p, { id }, ctx) => ctx.chat.getConversation(await actor(ctx), id, ctx.loaders),
    myConversations: async (_p, args, ctx) => ctx.chat.myConversations(await actor(ctx), args),
    message: async (_p, { id }, ctx) => ctx.chat.getMessage(await actor(ctx), id, ctx.loaders),
  },
  Mutation: {
    startConversation: async (_p, args, ctx) => ctx.chat.startConversation(await actor(ctx), args),
    sendMessage: async (_p, args, ctx) => ctx.chat.sendMessage(await actor(ctx), args, ctx.loaders),
    hideMessage: async (_p, args, ctx) => ctx.chat.hideMessage(await actor(ctx), args, ctx.loaders),
    markRead: async (_p, { conversationId }, ctx) => ctx.chat.markRead(await actor(ctx), conversationId, ctx.loaders),
  },
  Subscription: {
    messageAdded: {
      subscribe: async (_p, { conversationId }, ctx) => {
        const conversation = await ctx.chat.authorizeMessageFeed(await actor(ctx), conversationId, ctx.loaders);
        return ctx.pubsub.subscribe(liveTopics.messageAdded(conversation.id));
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: ChatContext) => {
        ctx.loaders = ctx.chat.createLoaders(ctx.viewer);
        return ctx.chat.getMessage(await actor(ctx), payload.id, ctx.loaders);
      },
    },
  },
  Order: {
    __resolveReference: (ref) => ({ id: ref.id }),
    conversations: async (o, _a, ctx) => {
      await actor(ctx);
      return ctx.chat.conversationsOfOrder(o.id, ctx.loaders);
    },
  },
  Conversation: {
    __resolveReference: async (ref, ctx) => ctx.chat.visibleConversation(await actorOrNull(ctx), ref.id, ctx.loaders),
    order: (c) => ({ __typename: "Order" as const, id: c.orderId }),
    customer: (c) => user(c.customerId),
    provider: (c) => user(c.providerId),
    messages: async (c, args, ctx) => ctx.chat.messagesOf(await actor(ctx), c, args),
    lastMessage: async (c, _a, ctx) => ctx.chat.lastMessageOf(await actor(ctx), c, ctx.loaders),
    unreadCount: async (c, _a, ctx) => ctx.chat.unreadCountOf(await actor(ctx), c, ctx.loaders),
  },
  Message: {
    __resolveReference: async (ref, ctx) => ctx.chat.visibleMessage(await actorOrNull(ctx), ref.id, ctx.loaders),
    conversation: async (m, _a, ctx) => ctx.chat.getConversation(await actor(ctx), m.conversationId, ctx.loaders),
    sender: (m) => user(m.senderId),
    // Only staff ever receive a hidden message; the details are theirs only.
    hidden: (m) => m.hiddenAt !== undefined && m.hiddenAt !== null,
    hiddenReason: async (m, _a, ctx) => ((await staff(ctx)) ? (m.hiddenReason ?? null) : null),
    hiddenAt: async (m, _a, ctx) => ((await staff(ctx)) ? (m.hiddenAt ?? null) : null),
  },
};

import type { Conversation, Message } from "../domain/conversation.js";
import type { Conversation as ConversationRow, Message as MessageRow } from "../generated/prisma/client.js";

export const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  orderId: r.orderId,
  customerId: r.customerId,
  providerId: r.providerId,
  createdAt: r.createdAt,
  lastActivityAt: r.lastActivityAt,
});

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversationId,
  senderId: r.senderId,
  body: r.body,
  createdAt: r.createdAt,
  hiddenAt: r.hiddenAt,
  hiddenReason: r.hiddenReason,
  hiddenBy: r.hiddenBy,
});

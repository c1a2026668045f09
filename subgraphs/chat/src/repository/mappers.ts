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
  ...hiddenFields(r),
});

/** The hidden marks exist on a hidden message only; a visible one carries none. */
export const hiddenFields = (r: { hiddenAt: Date | null; hiddenReason: string | null; hiddenBy: string | null }) =>
  r.hiddenAt === null ? {} : { hiddenAt: r.hiddenAt, hiddenReason: r.hiddenReason, hiddenBy: r.hiddenBy };

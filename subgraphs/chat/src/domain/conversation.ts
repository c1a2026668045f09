/** One customer ↔ provider thread about one order (at most one per provider per order). */
export interface Conversation {
  id: string;
  orderId: string;
  customerId: string;
  providerId: string;
  createdAt: Date;
  /** The latest message's time, or the creation time while there is none. */
  lastActivityAt: Date;
}

export interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  createdAt: Date;
  /** Set when a moderator hid the message (see moderation.ts); absent or null while it is visible. */
  hiddenAt?: Date | null;
  hiddenReason?: string | null;
  hiddenBy?: string | null;
}

/** Who takes part in an order, as chat learns it from orders' integration events. */
export interface OrderParticipants {
  orderId: string;
  customerId: string;
  /** Providers who have (or had) an offer on the order. */
  providerIds: readonly string[];
}

/** Only the two people in a conversation may see it, its messages and its existence. */
export const isParticipant = (conversation: Pick<Conversation, "customerId" | "providerId">, userId: string): boolean =>
  conversation.customerId === userId || conversation.providerId === userId;

/** The other side of a conversation for one of its participants. */
export const counterpartOf = (conversation: Pick<Conversation, "customerId" | "providerId">, userId: string): string =>
  conversation.customerId === userId ? conversation.providerId : conversation.customerId;

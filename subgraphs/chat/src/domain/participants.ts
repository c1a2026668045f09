import type { OrderParticipants } from "./conversation.js";

export type ConversationRefusal =
  /** The actor neither ordered nor offered: they must not learn the order exists. */
  | "NOT_PARTICIPANT"
  /** The customer must name the provider to talk to. */
  | "PROVIDER_REQUIRED"
  /** The named provider has no offer on the order. */
  | "NOT_OFFERING_PROVIDER"
  /** A provider may only open their own conversation with the customer. */
  | "OTHER_PROVIDER";

export type ConversationStart = { ok: true; customerId: string; providerId: string } | { ok: false; refusal: ConversationRefusal };

/**
 * Who may open the conversation between an order's customer and one of its offering providers: the customer (naming
 * the provider) or that provider (naming nobody or themself). `order` is null when chat has never heard of it.
 */
export function conversationStart(actorId: string, order: OrderParticipants | null, providerId: string | null): ConversationStart {
  if (!order) return { ok: false, refusal: "NOT_PARTICIPANT" };
  if (order.customerId === actorId) {
    if (!providerId) return { ok: false, refusal: "PROVIDER_REQUIRED" };
    if (!order.providerIds.includes(providerId)) return { ok: false, refusal: "NOT_OFFERING_PROVIDER" };
    return { ok: true, customerId: order.customerId, providerId };
  }
  if (!order.providerIds.includes(actorId)) return { ok: false, refusal: "NOT_PARTICIPANT" };
  if (providerId && providerId !== actorId) return { ok: false, refusal: "OTHER_PROVIDER" };
  return { ok: true, customerId: order.customerId, providerId: actorId };
}

/** The orders integration events chat consumes (payload fields it relies on). */
export const OrdersEvents = {
  OrderCreated: "OrderCreated",
  OfferSubmitted: "OfferSubmitted",
  OfferAccepted: "OfferAccepted",
} as const;

export type ParticipantFact =
  | { kind: "customer"; orderId: string; customerId: string }
  | { kind: "provider"; orderId: string; customerId: string; providerId: string };

const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/**
 * What an orders event says about who takes part in an order, or null when it says nothing chat needs (another
 * type) — "malformed" when it is a type chat needs but its payload lacks the fields.
 */
export function participantFact(type: string, payload: Record<string, unknown>): ParticipantFact | "malformed" | null {
  const { orderId, customerId, providerId } = payload;
  switch (type) {
    case OrdersEvents.OrderCreated:
      return str(orderId) && str(customerId) ? { kind: "customer", orderId, customerId } : "malformed";
    case OrdersEvents.OfferSubmitted:
    case OrdersEvents.OfferAccepted:
      return str(orderId) && str(customerId) && str(providerId) ? { kind: "provider", orderId, customerId, providerId } : "malformed";
    default:
      return null;
  }
}

import type { LivePublish } from "@fixup/platform";
import type { Offer, Order } from "../domain/order.js";

/** Topics of the orders subscriptions; payloads carry ids only, subscribers re-read what they may see. */
export const liveTopics = {
  offerSubmitted: (orderId: string) => `orders:offerSubmitted:${orderId}`,
  orderUpdated: (orderId: string) => `orders:orderUpdated:${orderId}`,
};

/** Fire-and-forget (best-effort, see platform live-publisher): a mutation never waits for, or fails on, these. */
export interface LiveEvents {
  offerSubmitted(offer: Offer): void;
  orderUpdated(order: Order): void;
}

/** Called after the transaction commits, so a subscriber never sees a change that was rolled back. */
export function pubSubLiveEvents(publish: LivePublish): LiveEvents {
  return {
    offerSubmitted: (offer) => publish("offerSubmitted", liveTopics.offerSubmitted(offer.orderId), { id: offer.id }),
    orderUpdated: (order) => publish("orderUpdated", liveTopics.orderUpdated(order.id), { id: order.id }),
  };
}

export const noLiveEvents: LiveEvents = { offerSubmitted: () => undefined, orderUpdated: () => undefined };

import type { PubSub } from "@fixup/platform";
import type { Offer, Order } from "../domain/order.js";

/** Topics of the orders subscriptions; payloads carry ids only, subscribers re-read what they may see. */
export const liveTopics = {
  offerSubmitted: (orderId: string) => `orders:offerSubmitted:${orderId}`,
  orderUpdated: (orderId: string) => `orders:orderUpdated:${orderId}`,
};

export interface LiveEvents {
  offerSubmitted(offer: Offer): Promise<void>;
  orderUpdated(order: Order): Promise<void>;
}

/** Published after the transaction commits, so a subscriber never sees a change that was rolled back. */
export function pubSubLiveEvents(pubsub: PubSub, onError: (error: unknown) => void): LiveEvents {
  const send = (topic: string, payload: { id: string }) => pubsub.publish(topic, payload).catch(onError);
  return {
    offerSubmitted: (offer) => send(liveTopics.offerSubmitted(offer.orderId), { id: offer.id }),
    orderUpdated: (order) => send(liveTopics.orderUpdated(order.id), { id: order.id }),
  };
}

export const noLiveEvents: LiveEvents = { offerSubmitted: async () => undefined, orderUpdated: async () => undefined };

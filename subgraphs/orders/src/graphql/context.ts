import type { PubSub, RequestContext } from "@fixup/platform";
import type { FeedLoaders, FeedService } from "../service/feed-service.js";
import type { OrderLoaders, OrderService } from "../service/order-service.js";

export interface OrdersContext extends RequestContext {
  orders: OrderService;
  /** Replaced per subscription event, so every event is read fresh rather than from a cache of the first one. */
  loaders: OrderLoaders;
  pubsub: PubSub;
  /** Service areas and the place-aware provider feed. */
  feed: FeedService;
  feedLoaders: FeedLoaders;
}

import type { PubSub, RequestContext } from "@fixup/platform";
import type { OrderLoaders, OrderService } from "../service/order-service.js";

export interface OrdersContext extends RequestContext {
  orders: OrderService;
  /** Replaced per subscription event, so every event is read fresh rather than from a cache of the first one. */
  loaders: OrderLoaders;
  pubsub: PubSub;
}

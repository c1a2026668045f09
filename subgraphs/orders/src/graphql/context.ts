import type { RequestContext } from "@fixup/platform";
import type { OrderLoaders, OrderService } from "../service/order-service.js";

export interface OrdersContext extends RequestContext {
  orders: OrderService;
  loaders: OrderLoaders;
}

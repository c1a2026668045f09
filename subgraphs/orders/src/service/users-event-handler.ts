import { z } from "zod";
import type { IntegrationEvent, Logger } from "@fixup/platform";
import type { OrderService } from "./order-service.js";

const userDeleted = z.object({ userId: z.uuid() });

/** users' events: a deleted account's open orders and pending offers go (see OrderService.accountDeleted). */
export function usersEventHandler(orders: OrderService, logger: Logger) {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type !== "UserDeleted") return;
    const payload = userDeleted.safeParse(event.payload);
    if (!payload.success) {
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed users event");
      return;
    }
    const outcome = await orders.accountDeleted(payload.data.userId);
    logger.info({ eventId: event.id, userId: payload.data.userId, ...outcome }, "deleted account's orders and offers closed");
  };
}

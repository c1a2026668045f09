import { z } from "zod";
import type { IntegrationEvent, Logger } from "@fixup/platform";
import type { CatalogService } from "./catalog-service.js";

const userDeleted = z.object({ userId: z.uuid() });

/** users' events: a deleted provider's service assignments go (see CatalogService.accountDeleted). */
export function usersEventHandler(catalog: CatalogService, logger: Logger) {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type !== "UserDeleted") return;
    const payload = userDeleted.safeParse(event.payload);
    if (!payload.success) {
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed users event");
      return;
    }
    const removed = await catalog.accountDeleted(payload.data.userId);
    logger.info({ eventId: event.id, userId: payload.data.userId, removed }, "deleted account's services unassigned");
  };
}

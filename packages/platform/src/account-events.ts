import { z } from "zod";
import type { EventHandler, IntegrationEvent } from "./events.js";
import type { Logger } from "./logger.js";

/** users' integration event when an account is deleted; every service that keeps something about accounts handles it. */
export const USER_DELETED = "UserDeleted";

const userDeleted = z.object({ userId: z.uuid() });

/**
 * A handler for users' stream that runs `apply(userId)` for each UserDeleted and ignores every other type. `apply` must
 * be safe to repeat (delivery is at least once). A malformed event is logged and skipped: throwing would retry it
 * forever and then dead-letter it, for nothing.
 */
export function onUserDeleted(apply: (userId: string) => Promise<Record<string, unknown> | number | void>, logger: Logger, what: string): EventHandler {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type !== USER_DELETED) return;
    const payload = userDeleted.safeParse(event.payload);
    if (!payload.success) {
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed users event");
      return;
    }
    const outcome = await apply(payload.data.userId);
    logger.info({ eventId: event.id, userId: payload.data.userId, outcome }, what);
  };
}

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

/** users' integration events when a moderator suspends an account and when the suspension ends (lifted or expired). */
export const USER_SUSPENDED = "UserSuspended";
export const USER_UNSUSPENDED = "UserUnsuspended";

const userSuspended = z.object({ userId: z.uuid(), until: z.iso.datetime({ offset: true }).nullable() });

export interface SuspensionHandlers {
  /** The account is suspended (`until` null: until lifted). Must be safe to repeat. */
  suspended(userId: string, until: Date | null): Promise<unknown>;
  /** The suspension was lifted. Must be safe to repeat. */
  unsuspended(userId: string): Promise<unknown>;
}

/**
 * A handler for users' stream: UserSuspended / UserUnsuspended go to `handlers`, every other type is ignored, a
 * malformed event is logged and skipped (as onUserDeleted). Combine with onUserDeleted through `allHandlers`.
 */
export function onUserSuspension(handlers: SuspensionHandlers, logger: Logger): EventHandler {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type !== USER_SUSPENDED && event.type !== USER_UNSUSPENDED) return;
    if (event.type === USER_SUSPENDED) {
      const payload = userSuspended.safeParse(event.payload);
      if (!payload.success) return malformed(logger, event);
      await handlers.suspended(payload.data.userId, payload.data.until ? new Date(payload.data.until) : null);
    } else {
      const payload = userDeleted.safeParse(event.payload);
      if (!payload.success) return malformed(logger, event);
      await handlers.unsuspended(payload.data.userId);
    }
    const userId = (event.payload as { userId: string }).userId;
    logger.info({ eventId: event.id, userId, type: event.type }, "account suspension applied");
  };
}

function malformed(logger: Logger, event: IntegrationEvent): void {
  logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed users event");
}

/** One consumer, several concerns: each handler sees every event of the stream, in order. */
export const allHandlers =
  (...handlers: EventHandler[]): EventHandler =>
  async (event) => {
    for (const handle of handlers) await handle(event);
  };

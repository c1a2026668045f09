import { z } from "zod";
import { allHandlers, onUserDeleted, onUserSuspension, type EventHandler, type IntegrationEvent, type Logger } from "@fixup/platform";
import type { ProviderServicesReadModel } from "../repository/read-model-repository.js";
import type { OrderService } from "./order-service.js";

const payloadSchema = z.object({ providerId: z.uuid(), serviceId: z.uuid() });
const serviceCreatedSchema = z.object({ serviceId: z.uuid() });
const eventId = z.uuid();

/**
 * Applies catalog's events to the provider → services read model; duplicates are no-ops. A malformed event is
 * logged and skipped: throwing would leave it unacknowledged and block every later event behind it.
 */
export function catalogEventHandler(readModel: ProviderServicesReadModel, logger: Logger) {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type === "ServiceCreated") {
      const created = serviceCreatedSchema.safeParse(event.payload);
      if (!created.success || !eventId.safeParse(event.id).success) {
        logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed catalog event");
        return;
      }
      await readModel.serviceCreated(event.id, created.data.serviceId);
      return;
    }
    if (event.type !== "ProviderServiceAssigned" && event.type !== "ProviderServiceUnassigned") return;
    const payload = payloadSchema.safeParse(event.payload);
    if (!payload.success || !eventId.safeParse(event.id).success) {
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed catalog event");
      return;
    }
    const { providerId, serviceId } = payload.data;
    const applied =
      event.type === "ProviderServiceAssigned"
        ? await readModel.assign(event.id, providerId, serviceId)
        : await readModel.unassign(event.id, providerId, serviceId);
    if (!applied) logger.debug({ eventId: event.id }, "duplicate catalog event ignored");
  };
}

/**
 * users' stream: a deleted account's orders and offers are closed; a suspension holds its open orders and pending
 * offers back (a read model, nothing cancelled) until users announces its end.
 */
export function usersEventHandler(orders: Pick<OrderService, "accountDeleted" | "accountSuspended" | "accountUnsuspended">, logger: Logger): EventHandler {
  return allHandlers(
    onUserDeleted((userId) => orders.accountDeleted(userId), logger, "deleted account's orders and offers closed"),
    onUserSuspension({ suspended: (userId, until) => orders.accountSuspended(userId, until), unsuspended: (userId) => orders.accountUnsuspended(userId) }, logger),
  );
}

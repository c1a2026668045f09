import type { IntegrationEvent, Logger } from "@fixup/platform";
import type { ProviderServicesReadModel } from "../repository/read-model-repository.js";

interface ProviderServicePayload {
  providerId: string;
  serviceId: string;
}

const isPayload = (p: Record<string, unknown>): p is Record<string, unknown> & ProviderServicePayload =>
  typeof p.providerId === "string" && typeof p.serviceId === "string";

/** Applies catalog's events to the provider → services read model; duplicates are no-ops. */
export function catalogEventHandler(readModel: ProviderServicesReadModel, logger: Logger) {
  return async (event: IntegrationEvent): Promise<void> => {
    if (event.type !== "ProviderServiceAssigned" && event.type !== "ProviderServiceUnassigned") return;
    if (!isPayload(event.payload)) {
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed catalog event");
      return;
    }
    const { providerId, serviceId } = event.payload;
    const applied =
      event.type === "ProviderServiceAssigned"
        ? await readModel.assign(event.id, providerId, serviceId)
        : await readModel.unassign(event.id, providerId, serviceId);
    if (!applied) logger.debug({ eventId: event.id }, "duplicate catalog event ignored");
  };
}

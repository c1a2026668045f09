import type { IntegrationEvent, Logger } from "@fixup/platform";
import { participantFact } from "../domain/events.js";
import type { OrderParticipantsReadModel } from "../repository/read-model-repository.js";

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Applies orders' events to the order-participants read model: OrderCreated names the customer, OfferSubmitted
 * (and OfferAccepted, for robustness) a provider. Duplicates are no-ops; other types are ignored.
 */
export function ordersEventHandler(readModel: OrderParticipantsReadModel, logger: Logger) {
  return async (event: IntegrationEvent): Promise<void> => {
    const fact = participantFact(event.type, event.payload);
    if (fact === null) return;
    if (fact === "malformed" || !EVENT_ID.test(event.id)) {
      // Retrying cannot fix a payload: log and let it be acknowledged.
      logger.warn({ eventId: event.id, type: event.type }, "ignoring malformed orders event");
      return;
    }
    const applied = await readModel.apply(event.id, fact);
    if (!applied) logger.debug({ eventId: event.id }, "duplicate orders event ignored");
  };
}

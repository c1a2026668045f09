import type { ParticipantFact } from "../domain/events.js";
import type { ChatPrisma } from "./prisma.js";

/** Orders facts chat needs for its own rules (who takes part in an order), applied exactly once per event. */
export interface OrderParticipantsReadModel {
  /** False when the event was applied before (a redelivery): nothing changes then. */
  apply(eventId: string, fact: ParticipantFact): Promise<boolean>;
}

export class PrismaOrderParticipantsReadModel implements OrderParticipantsReadModel {
  constructor(private readonly prisma: ChatPrisma) {}

  /**
   * One transaction: record the event id, then the facts. Every insert is `ON CONFLICT DO NOTHING`, so a duplicate is
   * told by the processed_events insert alone (a concurrent redelivery waits for the first and then inserts nothing),
   * and two different events racing on the same order never fail on each other's rows.
   */
  apply(eventId: string, fact: ParticipantFact): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.processedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
      if (count === 0) return false;
      // Every event carries the customer, so the order row exists whichever event arrives first.
      await tx.orderParticipant.createMany({ data: [{ orderId: fact.orderId, customerId: fact.customerId }], skipDuplicates: true });
      if (fact.kind === "provider") {
        await tx.orderProvider.createMany({ data: [{ orderId: fact.orderId, providerId: fact.providerId }], skipDuplicates: true });
      }
      return true;
    });
  }
}

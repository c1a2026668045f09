import type { OrdersPrisma } from "./prisma.js";
import { isUniqueViolation } from "./prisma.js";

/** Catalog facts orders needs for its own rules, applied exactly once per integration event. */
export interface ProviderServicesReadModel {
  assign(eventId: string, providerId: string, serviceId: string): Promise<boolean>;
  unassign(eventId: string, providerId: string, serviceId: string): Promise<boolean>;
  serviceCreated(eventId: string, serviceId: string): Promise<boolean>;
}

export class PrismaProviderServicesReadModel implements ProviderServicesReadModel {
  constructor(private readonly prisma: OrdersPrisma) {}

  assign(eventId: string, providerId: string, serviceId: string): Promise<boolean> {
    return this.once(eventId, async (tx) => {
      // ON CONFLICT DO NOTHING: a concurrent assign of the same pair by another event is not a failure of this one.
      await tx.providerService.createMany({ data: [{ providerId, serviceId }], skipDuplicates: true });
      // A service someone can be assigned to exists, whatever order the two events arrive in.
      await tx.knownService.createMany({ data: [{ serviceId }], skipDuplicates: true });
    });
  }

  serviceCreated(eventId: string, serviceId: string): Promise<boolean> {
    return this.once(eventId, async (tx) => {
      await tx.knownService.createMany({ data: [{ serviceId }], skipDuplicates: true });
    });
  }

  unassign(eventId: string, providerId: string, serviceId: string): Promise<boolean> {
    return this.once(eventId, async (tx) => {
      await tx.providerService.deleteMany({ where: { providerId, serviceId } });
    });
  }

  /** Records the event id in the same transaction as its effect: a redelivered event changes nothing. */
  private async once(eventId: string, apply: (tx: Parameters<Parameters<OrdersPrisma["$transaction"]>[0]>[0]) => Promise<void>): Promise<boolean> {
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.processedEvent.create({ data: { eventId } });
        await apply(tx);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

import type { OutboxRow } from "@fixup/platform";
import type { ProviderAssignment } from "../domain/provider.js";
import type { Service } from "../domain/service.js";
import { Prisma } from "../generated/prisma/client.js";
import { isForeignKeyViolation, type CatalogPrisma } from "./prisma.js";
import { catalogOrder } from "./service-repository.js";

export class ServiceNotFoundError extends Error {
  constructor() {
    super("service not found");
  }
}

export interface ProviderPageRequest {
  /** Rows to fetch per service (callers ask for one more than they show, to learn whether a next page exists). */
  limit: number;
  /** Strictly after this (createdAt, providerId) position. */
  after: { createdAt: Date; id: string } | null;
}

export interface ProviderPage {
  rows: ProviderAssignment[];
  /** Providers of the service in total, whatever the page. */
  totalCount: number;
}

export interface ProviderServiceRepository {
  /**
   * Records that the provider performs the service and, only if that is new, writes `event` to the outbox in the
   * same transaction. Returns whether anything changed. @throws ServiceNotFoundError
   */
  assign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean>;
  /** The reverse; an assignment that does not exist changes nothing and writes no event. @throws ServiceNotFoundError */
  unassign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean>;
  /** Services of many providers in one query, each provider's ordered by name. */
  servicesOfProviders(providerIds: readonly string[]): Promise<Array<{ providerId: string; service: Service }>>;
  /** One page of providers for each of many services, in one query, ordered by (createdAt, providerId). */
  providerPages(serviceIds: readonly string[], page: ProviderPageRequest): Promise<Map<string, ProviderPage>>;
}

interface ProviderServiceRow {
  provider_id: string;
  id: string;
  name: string;
  description: string | null;
  category_id: string;
  category: string;
  created_at: Date;
  updated_at: Date;
}

interface PageRow {
  service_id: string;
  total: number;
  provider_id: string | null;
  created_at: Date | null;
}

export class PrismaProviderServiceRepository implements ProviderServiceRepository {
  constructor(private readonly prisma: CatalogPrisma) {}

  async assign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        // ON CONFLICT DO NOTHING: of concurrent identical assigns exactly one inserts; the others wait for it to
        // commit, then see the conflict and report no change (and write no event).
        const { count } = await tx.providerService.createMany({ data: [{ providerId, serviceId }], skipDuplicates: true });
        if (count === 0) return false;
        // Stamped after the change holds its row lock, so events about one (provider, service) pair are ordered
        // as their transactions were.
        await tx.outboxEvent.create({ data: { ...event, occurredAt: new Date() } });
        return true;
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new ServiceNotFoundError();
      throw error;
    }
  }

  unassign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      // Concurrent deletes of one row serialize on its lock; only the first one counts it.
      const { count } = await tx.providerService.deleteMany({ where: { providerId, serviceId } });
      if (count === 0) {
        if ((await tx.service.count({ where: { id: serviceId } })) === 0) throw new ServiceNotFoundError();
        return false;
      }
      await tx.outboxEvent.create({ data: { ...event, occurredAt: new Date() } });
      return true;
    });
  }

  async servicesOfProviders(providerIds: readonly string[]): Promise<Array<{ providerId: string; service: Service }>> {
    if (providerIds.length === 0) return [];
    const rows = await this.prisma.$queryRaw<ProviderServiceRow[]>`
      SELECT ps.provider_id, s.id, s.name, s.description, s.category_id, c.name AS category, s.created_at, s.updated_at
      FROM provider_services ps JOIN services s ON s.id = ps.service_id JOIN categories c ON c.id = s.category_id
      WHERE ps.provider_id = ANY(${[...providerIds]}::uuid[])
      ORDER BY ${catalogOrder(Prisma.sql`s.name`)}`;
    return rows.map((r) => ({
      providerId: r.provider_id,
      service: {
        id: r.id, name: r.name, description: r.description, categoryId: r.category_id, category: r.category, createdAt: r.created_at, updatedAt: r.updated_at,
      },
    }));
  }

  async providerPages(serviceIds: readonly string[], page: ProviderPageRequest): Promise<Map<string, ProviderPage>> {
    const pages = new Map<string, ProviderPage>(serviceIds.map((id) => [id, { rows: [], totalCount: 0 }]));
    if (serviceIds.length === 0) return pages;
    const after = page.after
      ? Prisma.sql`AND (ps.created_at, ps.provider_id) > (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`
      : Prisma.empty;
    // A lateral seek per service walks the (service_id, created_at, provider_id) index: cost follows the page
    // size, not the number of providers.
    const rows = await this.prisma.$queryRaw<PageRow[]>`
      SELECT s.id AS service_id, c.total, p.provider_id, p.created_at
      FROM unnest(${[...serviceIds]}::uuid[]) AS s(id)
      CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM provider_services WHERE service_id = s.id) c
      LEFT JOIN LATERAL (
        SELECT ps.provider_id, ps.created_at FROM provider_services ps
        WHERE ps.service_id = s.id ${after}
        ORDER BY ps.created_at, ps.provider_id
        LIMIT ${page.limit}
      ) p ON true
      ORDER BY s.id, p.created_at, p.provider_id`;
    for (const row of rows) {
      const entry = pages.get(row.service_id) ?? { rows: [], totalCount: 0 };
      entry.totalCount = Number(row.total);
      if (row.provider_id && row.created_at) {
        entry.rows.push({ providerId: row.provider_id, serviceId: row.service_id, createdAt: row.created_at });
      }
      pages.set(row.service_id, entry);
    }
    return pages;
  }
}

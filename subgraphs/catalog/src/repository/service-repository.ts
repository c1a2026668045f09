import { outboxRow } from "@fixup/platform";
import { CatalogEvents } from "../domain/provider.js";
import type { PredefinedService, Service, ServiceDraft, ServiceFilter } from "../domain/service.js";
import { Prisma } from "../generated/prisma/client.js";
import { isRecordNotFound, isUniqueViolation, type CatalogPrisma } from "./prisma.js";

export class ServiceNameTakenError extends Error {
  constructor() {
    super("service name taken");
  }
}

export interface ServiceRepository {
  /** @throws ServiceNameTakenError */
  create(draft: ServiceDraft): Promise<Service>;
  /** Null when no service has this id. @throws ServiceNameTakenError */
  update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null>;
  /** One query for a whole batch (federation representations, loaders); unknown ids are skipped. */
  findByIds(ids: readonly string[]): Promise<Service[]>;
  /** Case-insensitive. */
  findByName(name: string): Promise<Service | null>;
  /** Ordered by name (case-insensitively). */
  list(filter: ServiceFilter): Promise<Service[]>;
  /** Inserts the predefined services missing by id and by name (case-insensitively); returns how many. */
  seed(services: readonly PredefinedService[]): Promise<number>;
}

interface ServiceRow {
  id: string;
  name: string;
  description: string | null;
  category: string;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: ServiceRow): Service => ({
  id: r.id,
  name: r.name,
  description: r.description,
  category: r.category,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const columns = { id: true, name: true, description: true, category: true, createdAt: true, updatedAt: true } as const;

/**
 * The domain's catalog order (compareByName) in SQL: code points, not the server's locale — a language collation
 * (postgres:15's default en_US.utf8) would sort "b-side" before "B-side" and differ from the domain.
 */
export const catalogOrder = (name: Prisma.Sql): Prisma.Sql => Prisma.sql`lower(${name}) COLLATE "C", ${name} COLLATE "C"`;

const serviceCreated = (serviceId: string) => outboxRow(CatalogEvents.ServiceCreated, { serviceId });

export class PrismaServiceRepository implements ServiceRepository {
  constructor(private readonly prisma: CatalogPrisma) {}

  /** The service and its ServiceCreated event commit together (other services learn what exists from it). */
  async create(draft: ServiceDraft): Promise<Service> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const service = await tx.service.create({ data: draft, select: columns });
        await tx.outboxEvent.create({ data: serviceCreated(service.id) });
        return service;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ServiceNameTakenError();
      throw error;
    }
  }

  async update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null> {
    try {
      return await this.prisma.service.update({ where: { id }, data: changes, select: columns });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ServiceNameTakenError();
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  findByIds(ids: readonly string[]): Promise<Service[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.service.findMany({ where: { id: { in: [...ids] } }, select: columns });
  }

  async findByName(name: string): Promise<Service | null> {
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`
      SELECT id, name, description, category, created_at, updated_at FROM services
      WHERE lower(name) = lower(${name}) ORDER BY name COLLATE "C" LIMIT 1`;
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async list(filter: ServiceFilter): Promise<Service[]> {
    // lower()/strpos() rather than ILIKE: a `%` or `_` in the user's search is a literal character.
    const conditions: Prisma.Sql[] = [];
    if (filter.category !== undefined) conditions.push(Prisma.sql`lower(category) = lower(${filter.category})`);
    if (filter.search !== undefined) {
      conditions.push(Prisma.sql`(strpos(lower(name), lower(${filter.search})) > 0
        OR strpos(lower(coalesce(description, '')), lower(${filter.search})) > 0)`);
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`
      SELECT id, name, description, category, created_at, updated_at FROM services ${where}
      ORDER BY ${catalogOrder(Prisma.sql`name`)}`;
    return rows.map(fromRow);
  }

  async seed(services: readonly PredefinedService[]): Promise<number> {
    if (services.length === 0) return 0;
    // One statement, safe when several instances start at once: rows that exist by id (even if an admin renamed
    // them since), by name, or by name in another case are left alone.
    // Each inserted service gets its ServiceCreated event in the same statement, so a seed is announced exactly once.
    return this.prisma.$executeRaw`
      WITH inserted AS (
        INSERT INTO services (id, name, description, category, created_at, updated_at)
        SELECT v.id, v.name, v.description, v.category, now(), now()
        FROM unnest(${services.map((s) => s.id)}::uuid[], ${services.map((s) => s.name)}::text[],
                    ${services.map((s) => s.description)}::text[], ${services.map((s) => s.category)}::text[])
             AS v(id, name, description, category)
        WHERE NOT EXISTS (SELECT 1 FROM services s WHERE lower(s.name) = lower(v.name))
        ON CONFLICT DO NOTHING
        RETURNING id
      )
      INSERT INTO outbox_events (id, type, payload)
      SELECT gen_random_uuid(), ${CatalogEvents.ServiceCreated}, jsonb_build_object('serviceId', id) FROM inserted`;
  }
}

import { outboxRow } from "@fixup/platform";
import { CatalogEvents } from "../domain/provider.js";
import { CATEGORY_WEIGHT, DESCRIPTION_SCORE } from "../domain/search.js";
import type { PredefinedService, Service, ServiceDraft, ServiceFilter } from "../domain/service.js";
import { Prisma } from "../generated/prisma/client.js";
import { CategoryNotFoundError } from "./category-repository.js";
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation, type CatalogPrisma } from "./prisma.js";

export class ServiceNameTakenError extends Error {
  constructor() {
    super("service name taken");
  }
}

export interface ServiceRepository {
  /** @throws ServiceNameTakenError, CategoryNotFoundError */
  create(draft: ServiceDraft): Promise<Service>;
  /** Null when no service has this id. @throws ServiceNameTakenError, CategoryNotFoundError */
  update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null>;
  /** One query for a batch (federation representations, loaders); unknown ids are skipped. */
  findByIds(ids: readonly string[]): Promise<Service[]>;
  /** Case-insensitive. */
  findByName(name: string): Promise<Service | null>;
  /**
   * Ordered by name (case-insensitively); with `search`, by rank (domain/search.ts) first. `categoryId` includes
   * the category's whole subtree.
   */
  list(filter: ServiceFilter): Promise<Service[]>;
  /** Services directly in any of these categories, in one query, by name. */
  inCategories(categoryIds: readonly string[]): Promise<Service[]>;
  /** Inserts the predefined services missing by id and by name (case-insensitively); returns how many. */
  seed(services: readonly PredefinedService[]): Promise<number>;
}

interface ServiceRow {
  id: string;
  name: string;
  description: string | null;
  category_id: string;
  category: string;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: ServiceRow): Service => ({
  id: r.id,
  name: r.name,
  description: r.description,
  categoryId: r.category_id,
  category: r.category,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SELECT = Prisma.sql`SELECT s.id, s.name, s.description, s.category_id, c.name AS category, s.created_at, s.updated_at
  FROM services s JOIN categories c ON c.id = s.category_id`;

const columns = {
  id: true, name: true, description: true, categoryId: true, createdAt: true, updatedAt: true, category: { select: { name: true } },
} as const;
const fromPrisma = (r: { id: string; name: string; description: string | null; categoryId: string; createdAt: Date; updatedAt: Date; category: { name: string } }): Service => ({
  ...r,
  category: r.category.name,
});

/**
 * The domain's catalog order (compareByName) in SQL: code points, not the server's locale — a language collation
 * (postgres:15's default en_US.utf8) would sort "b-side" before "B-side" and differ from the domain.
 */
export const catalogOrder = (name: Prisma.Sql): Prisma.Sql => Prisma.sql`lower(${name}) COLLATE "C", ${name} COLLATE "C"`;

/** ServiceCreated carries the category since the tree (consumers that only read serviceId are unaffected). */
const serviceCreated = (serviceId: string, categoryId: string) => outboxRow(CatalogEvents.ServiceCreated, { serviceId, categoryId });

function translate(error: unknown): unknown {
  if (isUniqueViolation(error)) return new ServiceNameTakenError();
  if (isForeignKeyViolation(error)) return new CategoryNotFoundError();
  return error;
}

export class PrismaServiceRepository implements ServiceRepository {
  constructor(private readonly prisma: CatalogPrisma) {}

  /** The service and its ServiceCreated event commit together (other services learn what exists from it). */
  async create(draft: ServiceDraft): Promise<Service> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const service = fromPrisma(await tx.service.create({ data: draft, select: columns }));
        await tx.outboxEvent.create({ data: serviceCreated(service.id, service.categoryId) });
        return service;
      });
    } catch (error) {
      throw translate(error);
    }
  }

  async update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null> {
    try {
      return fromPrisma(await this.prisma.service.update({ where: { id }, data: changes, select: columns }));
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw translate(error);
    }
  }

  async findByIds(ids: readonly string[]): Promise<Service[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`${SELECT} WHERE s.id = ANY(${[...ids]}::uuid[])`;
    return rows.map(fromRow);
  }

  async findByName(name: string): Promise<Service | null> {
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`
      ${SELECT} WHERE lower(s.name) = lower(${name}) ORDER BY s.name COLLATE "C" LIMIT 1`;
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async inCategories(categoryIds: readonly string[]): Promise<Service[]> {
    if (categoryIds.length === 0) return [];
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`
      ${SELECT} WHERE s.category_id = ANY(${[...categoryIds]}::uuid[]) ORDER BY ${catalogOrder(Prisma.sql`s.name`)}`;
    return rows.map(fromRow);
  }

  async list(filter: ServiceFilter): Promise<Service[]> {
    const conditions: Prisma.Sql[] = [];
    if (filter.category !== undefined) conditions.push(Prisma.sql`lower(c.name) = lower(${filter.category})`);
    if (filter.categoryId !== undefined) {
      conditions.push(Prisma.sql`s.category_id IN (
        WITH RECURSIVE subtree(id, depth) AS (
          SELECT id, 0 FROM categories WHERE id = ${filter.categoryId}::uuid
          UNION ALL
          SELECT k.id, subtree.depth + 1 FROM categories k JOIN subtree ON k.parent_id = subtree.id WHERE subtree.depth < 100
        ) SELECT id FROM subtree)`);
    }
    if (filter.search === undefined) {
      const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
      const rows = await this.prisma.$queryRaw<ServiceRow[]>`${SELECT} ${where} ORDER BY ${catalogOrder(Prisma.sql`s.name`)}`;
      return rows.map(fromRow);
    }
    return this.search(filter.search, conditions);
  }

  /**
   * domain/search.ts's searchRank in SQL: a literal substring of the name ranks 1 (strpos, so `%` and `_` are
   * literal characters); else the best of pg_trgm's similarity and word_similarity over the service's name and,
   * weighted, over its category's and ancestors' names; a literal substring of the description ranks
   * DESCRIPTION_SCORE. Trigram matches are pg_trgm's `%` and `<%` operators (default thresholds), which the GIN
   * indexes serve.
   */
  private async search(query: string, conditions: Prisma.Sql[]): Promise<Service[]> {
    const extra = conditions.length ? Prisma.sql`AND ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<ServiceRow[]>`
      WITH RECURSIVE q(text) AS (SELECT ${query}::text),
      matched AS (
        SELECT k.id, greatest(similarity(k.name, q.text), word_similarity(q.text, k.name)) AS score
        FROM categories k, q WHERE k.name % q.text OR q.text <% k.name
      ),
      -- every category below a matched one inherits its score (the best, when several ancestors match)
      spread(id, score, depth) AS (
        SELECT id, score, 0 FROM matched
        UNION ALL
        SELECT k.id, spread.score, spread.depth + 1 FROM categories k JOIN spread ON k.parent_id = spread.id WHERE spread.depth < 100
      ),
      by_category AS (SELECT id, max(score) AS score FROM spread GROUP BY id),
      ranked AS (
        SELECT s.id, greatest(
          CASE WHEN strpos(lower(s.name), lower(q.text)) > 0 THEN 1 ELSE 0 END,
          similarity(s.name, q.text), word_similarity(q.text, s.name),
          ${CATEGORY_WEIGHT}::real * coalesce(bc.score, 0),
          CASE WHEN strpos(lower(coalesce(s.description, '')), lower(q.text)) > 0 THEN ${DESCRIPTION_SCORE}::real ELSE 0 END
        ) AS rank
        FROM services s CROSS JOIN q LEFT JOIN by_category bc ON bc.id = s.category_id
        WHERE s.name % q.text OR q.text <% s.name OR bc.id IS NOT NULL
           OR strpos(lower(s.name), lower(q.text)) > 0 OR strpos(lower(coalesce(s.description, '')), lower(q.text)) > 0
      )
      ${SELECT} JOIN ranked r ON r.id = s.id
      WHERE true ${extra}
      ORDER BY r.rank DESC, ${catalogOrder(Prisma.sql`s.name`)}`;
    return rows.map(fromRow);
  }

  async seed(services: readonly PredefinedService[]): Promise<number> {
    if (services.length === 0) return 0;
    // One statement, safe when several instances start at once: rows that exist by id (even if an admin renamed
    // them since), by name, or by name in another case are left alone. A service whose category an admin deleted
    // is not seeded (the join drops it).
    // Each inserted service gets its ServiceCreated event in the same statement, so a seed is announced exactly once.
    return this.prisma.$executeRaw`
      WITH inserted AS (
        INSERT INTO services (id, name, description, category_id, created_at, updated_at)
        SELECT v.id, v.name, v.description, v.category_id, now(), now()
        FROM unnest(${services.map((s) => s.id)}::uuid[], ${services.map((s) => s.name)}::text[],
                    ${services.map((s) => s.description)}::text[], ${services.map((s) => s.categoryId)}::uuid[])
             AS v(id, name, description, category_id)
        JOIN categories c ON c.id = v.category_id
        WHERE NOT EXISTS (SELECT 1 FROM services s WHERE lower(s.name) = lower(v.name))
        ON CONFLICT DO NOTHING
        RETURNING id, category_id
      )
      INSERT INTO outbox_events (id, type, payload)
      SELECT gen_random_uuid(), ${CatalogEvents.ServiceCreated}, jsonb_build_object('serviceId', id, 'categoryId', category_id) FROM inserted`;
  }
}

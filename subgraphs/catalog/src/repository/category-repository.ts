import type { Category, CategoryDraft } from "../domain/category.js";
import { Prisma } from "../generated/prisma/client.js";
import { isForeignKeyViolation, isUniqueViolation, type CatalogPrisma } from "./prisma.js";
import { catalogOrder } from "./service-repository.js";

export class CategorySlugTakenError extends Error {
  constructor() {
    super("category slug taken");
  }
}

/** The parent (or, for a service, the category) named does not exist. */
export class CategoryNotFoundError extends Error {
  constructor() {
    super("category not found");
  }
}

/** A category that still has children or services cannot be deleted (the foreign keys restrict it). */
export class CategoryInUseError extends Error {
  constructor() {
    super("category in use");
  }
}

export interface CategoryUsage {
  children: number;
  services: number;
}

/**
 * Called inside the update's transaction, with the tree locked, when the parent changes: the new parent's ancestors
 * (nearest first). Throwing aborts the update.
 */
export type MoveCheck = (newParentId: string, ancestorsOfNewParent: string[]) => void;

export interface CategoryRepository {
  /** One query for a batch; unknown ids are skipped. */
  findByIds(ids: readonly string[]): Promise<Category[]>;
  findBySlug(slug: string): Promise<Category | null>;
  /** Case-insensitive; of several, the oldest. */
  findByName(name: string): Promise<Category | null>;
  /** Categories without a parent, by name. */
  roots(): Promise<Category[]>;
  /** Children of many categories in one query, each parent's by name. */
  childrenOf(parentIds: readonly string[]): Promise<Category[]>;
  /** Ancestors of a category, nearest first (empty for a root or an unknown id). */
  ancestorIds(id: string): Promise<string[]>;
  usage(id: string): Promise<CategoryUsage>;
  /** @throws CategorySlugTakenError, CategoryNotFoundError (unknown parent) */
  create(draft: CategoryDraft): Promise<Category>;
  /**
   * Null when no category has this id. A parent change runs `check` under a tree-wide lock, so two concurrent moves
   * cannot together close a cycle. @throws CategorySlugTakenError, CategoryNotFoundError (unknown parent)
   */
  update(id: string, changes: Partial<CategoryDraft>, check: MoveCheck): Promise<Category | null>;
  /** False when no category has this id. @throws CategoryInUseError */
  delete(id: string): Promise<boolean>;
}

interface CategoryRow {
  id: string;
  name: string;
  slug: string;
  parent_id: string | null;
  created_at: Date;
}

const fromRow = (r: CategoryRow): Category => ({ id: r.id, name: r.name, slug: r.slug, parentId: r.parent_id, createdAt: r.created_at });
const columns = { id: true, name: true, slug: true, parentId: true, createdAt: true } as const;

/** Serializes changes of the tree's shape (moves) in one database. */
const TREE_LOCK = 0x6361_7465;

export class PrismaCategoryRepository implements CategoryRepository {
  constructor(private readonly prisma: CatalogPrisma) {}

  findByIds(ids: readonly string[]): Promise<Category[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.category.findMany({ where: { id: { in: [...ids] } }, select: columns });
  }

  findBySlug(slug: string): Promise<Category | null> {
    return this.prisma.category.findUnique({ where: { slug }, select: columns });
  }

  async findByName(name: string): Promise<Category | null> {
    const rows = await this.prisma.$queryRaw<CategoryRow[]>`
      SELECT id, name, slug, parent_id, created_at FROM categories
      WHERE lower(name) = lower(${name}) ORDER BY created_at, id LIMIT 1`;
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async roots(): Promise<Category[]> {
    const rows = await this.prisma.$queryRaw<CategoryRow[]>`
      SELECT id, name, slug, parent_id, created_at FROM categories WHERE parent_id IS NULL
      ORDER BY ${catalogOrder(Prisma.sql`name`)}`;
    return rows.map(fromRow);
  }

  async childrenOf(parentIds: readonly string[]): Promise<Category[]> {
    if (parentIds.length === 0) return [];
    const rows = await this.prisma.$queryRaw<CategoryRow[]>`
      SELECT id, name, slug, parent_id, created_at FROM categories WHERE parent_id = ANY(${[...parentIds]}::uuid[])
      ORDER BY parent_id, ${catalogOrder(Prisma.sql`name`)}`;
    return rows.map(fromRow);
  }

  ancestorIds(id: string): Promise<string[]> {
    return ancestorsOf(this.prisma, id);
  }

  async usage(id: string): Promise<CategoryUsage> {
    const [row] = await this.prisma.$queryRaw<Array<{ children: number; services: number }>>`
      SELECT (SELECT count(*)::int FROM categories WHERE parent_id = ${id}::uuid) AS children,
             (SELECT count(*)::int FROM services WHERE category_id = ${id}::uuid) AS services`;
    return { children: row?.children ?? 0, services: row?.services ?? 0 };
  }

  async create(draft: CategoryDraft): Promise<Category> {
    try {
      return await this.prisma.category.create({ data: draft, select: columns });
    } catch (error) {
      throw translate(error);
    }
  }

  async update(id: string, changes: Partial<CategoryDraft>, check: MoveCheck): Promise<Category | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        if (changes.parentId !== undefined && changes.parentId !== null) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TREE_LOCK})`;
          if ((await tx.category.count({ where: { id } })) === 0) return null;
          check(changes.parentId, await ancestorsOf(tx, changes.parentId));
        }
        const { count } = await tx.category.updateMany({ where: { id }, data: changes });
        if (count === 0) return null;
        return tx.category.findUnique({ where: { id }, select: columns });
      });
    } catch (error) {
      throw translate(error);
    }
  }

  async delete(id: string): Promise<boolean> {
    try {
      const { count } = await this.prisma.category.deleteMany({ where: { id } });
      return count > 0;
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new CategoryInUseError();
      throw error;
    }
  }
}

type Queryable = Pick<CatalogPrisma, "$queryRaw">;

async function ancestorsOf(db: Queryable, id: string): Promise<string[]> {
  // Depth-bounded, so even a corrupted (cyclic) tree cannot loop forever.
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT c.id, c.parent_id, 0 FROM categories c WHERE c.id = ${id}::uuid
      UNION ALL
      SELECT p.id, p.parent_id, up.depth + 1 FROM categories p JOIN up ON p.id = up.parent_id WHERE up.depth < 100
    )
    SELECT id FROM up WHERE depth > 0 ORDER BY depth`;
  return rows.map((r) => r.id);
}

function translate(error: unknown): unknown {
  if (isUniqueViolation(error)) return new CategorySlugTakenError();
  if (isForeignKeyViolation(error)) return new CategoryNotFoundError();
  return error;
}

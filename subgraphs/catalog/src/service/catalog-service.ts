import { randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import {
  AppError,
  badInput,
  ErrorCode,
  conflict,
  forbidden,
  notFound,
  outboxRow,
  pageRequest,
  parseInput,
  toConnection,
  unauthenticated,
  type Connection,
  type PageArgs,
  type PageRequest,
  type Viewer,
} from "@fixup/platform";
import {
  deletionBlocker,
  OTHER_CATEGORY_ID,
  slugify,
  wouldCreateCycle,
  type Category,
  type CategoryDraft,
} from "../domain/category.js";
import { normalizeId } from "../domain/ids.js";
import {
  canManageCatalog,
  canOfferServices,
  CatalogEvents,
  providerServicePayload,
  type ProviderRef,
} from "../domain/provider.js";
import { PREDEFINED_SERVICES, type PredefinedService, type Service, type ServiceDraft } from "../domain/service.js";
import {
  CategoryInUseError,
  CategoryNotFoundError,
  CategorySlugTakenError,
  type CategoryRepository,
} from "../repository/category-repository.js";
import type { ProviderPage, ProviderServiceRepository } from "../repository/provider-service-repository.js";
import { ServiceNotFoundError } from "../repository/provider-service-repository.js";
import { ServiceNameTakenError, type ServiceRepository } from "../repository/service-repository.js";
import {
  categoryLookupInput,
  createCategoryInput,
  createServiceInput,
  serviceFilterInput,
  updateCategoryInput,
  updateServiceInput,
} from "./inputs.js";

export interface ProvidersKey {
  serviceId: string;
  page: PageRequest;
}

/** Per-request batch loaders: a whole `_entities` call or list costs one query per loader, whatever its length. */
export interface CatalogLoaders {
  serviceById: DataLoader<string, Service | null>;
  servicesOfProvider: DataLoader<string, Service[]>;
  providers: DataLoader<ProvidersKey, ProviderPage, string>;
  categoryById: DataLoader<string, Category | null>;
  childrenOf: DataLoader<string, Category[]>;
  servicesInCategory: DataLoader<string, Service[]>;
}

/** Thrown inside a move's transaction when the new parent lies below the category. */
class CycleError extends Error {}

const pageKey = (page: PageRequest) => `${page.take}|${page.after ? `${page.after.createdAt.toISOString()}|${page.after.id}` : ""}`;

const serviceNotFound = () => notFound("Service");
const nameTaken = (name: string) => conflict(`A service named "${name}" already exists`);
const categoryNotFound = () => notFound("Category");
const slugTaken = (field: string, slug: string) => badInput({ [field]: `is taken ("${slug}")` }, `A category with slug "${slug}" already exists`);
const unknownCategory = (field: string) => badInput({ [field]: "is not a known category" });

/** Groups rows by a key, keeping their order, answering in the order of `keys` ([] for a key without rows). */
function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return keys.map((key) => groups.get(normalizeId(key) ?? "") ?? []);
}

const validIds = (ids: readonly string[]) => [...new Set(ids.map(normalizeId).filter((id): id is string => id !== null))];

export class CatalogService {
  constructor(
    private readonly services: ServiceRepository,
    private readonly assignments: ProviderServiceRepository,
    private readonly categories: CategoryRepository,
  ) {}

  createLoaders(): CatalogLoaders {
    return {
      serviceById: new DataLoader(async (ids) => {
        // Malformed ids never reach Postgres; they resolve to null like unknown ones.
        const valid = [...new Set(ids.map(normalizeId).filter((id): id is string => id !== null))];
        const found = new Map((await this.services.findByIds(valid)).map((s) => [s.id, s]));
        return ids.map((id) => found.get(normalizeId(id) ?? "") ?? null);
      }),
      servicesOfProvider: new DataLoader(async (providerIds) => {
        const valid = [...new Set(providerIds.map(normalizeId).filter((id): id is string => id !== null))];
        const rows = await this.assignments.servicesOfProviders(valid);
        const byProvider = new Map<string, Service[]>();
        for (const { providerId, service } of rows) byProvider.set(providerId, [...(byProvider.get(providerId) ?? []), service]);
        return providerIds.map((id) => byProvider.get(normalizeId(id) ?? "") ?? []);
      }),
      providers: new DataLoader(
        async (keys) => {
          // Keys with the same page arguments (the usual case: one `providers(first:)` selection on a list of
          // services) share one query.
          const groups = new Map<string, { page: PageRequest; serviceIds: Set<string> }>();
          for (const key of keys) {
            const group = groups.get(pageKey(key.page)) ?? { page: key.page, serviceIds: new Set<string>() };
            group.serviceIds.add(key.serviceId);
            groups.set(pageKey(key.page), group);
          }
          const results = new Map<string, Map<string, ProviderPage>>();
          await Promise.all(
            [...groups].map(async ([k, { page, serviceIds }]) => {
              results.set(k, await this.assignments.providerPages([...serviceIds], { limit: page.take + 1, after: page.after }));
            }),
          );
          return keys.map((key) => results.get(pageKey(key.page))?.get(key.serviceId) ?? { rows: [], totalCount: 0 });
        },
        { cacheKeyFn: (key) => `${key.serviceId}|${pageKey(key.page)}` },
      ),
      categoryById: new DataLoader(async (ids) => {
        const found = new Map((await this.categories.findByIds(validIds(ids))).map((c) => [c.id, c]));
        return ids.map((id) => found.get(normalizeId(id) ?? "") ?? null);
      }),
      childrenOf: new DataLoader(async (ids) => groupBy(ids, await this.categories.childrenOf(validIds(ids)), (c) => c.parentId ?? "")),
      servicesInCategory: new DataLoader(async (ids) => groupBy(ids, await this.services.inCategories(validIds(ids)), (s) => s.categoryId)),
    };
  }

  /** Inserts the predefined services a fresh database lacks; never touches existing (possibly edited) rows. */
  seed(services: readonly PredefinedService[] = PREDEFINED_SERVICES): Promise<number> {
    return this.services.seed(services);
  }

  /** A malformed `categoryId` is an unknown one: no services. */
  async list(rawFilter: unknown): Promise<Service[]> {
    const filter = parseInput(serviceFilterInput, rawFilter);
    if (filter.categoryId === undefined) return this.services.list({ category: filter.category, search: filter.search });
    const categoryId = normalizeId(filter.categoryId);
    if (!categoryId) return [];
    return this.services.list({ category: filter.category, categoryId, search: filter.search });
  }

  /** Null for unknown and malformed ids alike. */
  async byId(loaders: CatalogLoaders, id: string): Promise<Service | null> {
    return loaders.serviceById.load(id);
  }

  servicesOf(loaders: CatalogLoaders, providerId: string): Promise<Service[]> {
    return loaders.servicesOfProvider.load(providerId);
  }

  async providers(loaders: CatalogLoaders, serviceId: string, args: PageArgs): Promise<Connection<ProviderRef>> {
    const page = pageRequest(args);
    if (page.after) {
      // The cursor's id goes to Postgres as a uuid: a forged one is an input error, not a database error.
      const id = normalizeId(page.after.id);
      if (!id) throw badInput({ after: "is not a valid cursor" });
      page.after = { createdAt: page.after.createdAt, id };
    }
    const result = await loaders.providers.load({ serviceId, page });
    return toConnection(
      result.rows,
      page,
      result.totalCount,
      (row) => ({ createdAt: row.createdAt, id: row.providerId }),
      (row) => ({ id: row.providerId }),
    );
  }

  async create(viewer: Viewer, raw: unknown, loaders?: CatalogLoaders): Promise<Service> {
    this.requireAdmin(viewer);
    const input = parseInput(createServiceInput, raw, "input");
    if (await this.services.findByName(input.name)) throw nameTaken(input.name);
    const categoryId = await this.resolveServiceCategory(input);
    try {
      const service = await this.services.create({ name: input.name, description: input.description, categoryId });
      loaders?.serviceById.prime(service.id, service);
      loaders?.servicesInCategory.clearAll();
      loaders?.childrenOf.clearAll(); // an unknown flat category name may have created a category
      return service;
    } catch (error) {
      if (error instanceof ServiceNameTakenError) throw nameTaken(input.name);
      if (error instanceof CategoryNotFoundError) throw unknownCategory("input.categoryId");
      throw error;
    }
  }

  async update(viewer: Viewer, rawId: string, raw: unknown, loaders?: CatalogLoaders): Promise<Service> {
    this.requireAdmin(viewer);
    const input = parseInput(updateServiceInput, raw, "input");
    const id = normalizeId(rawId);
    if (!id) throw serviceNotFound();
    if (input.name !== undefined) {
      const other = await this.services.findByName(input.name);
      if (other && other.id !== id) throw nameTaken(input.name);
    }
    // A flat category name may create a category: only for a service that exists.
    if (input.category !== undefined && (await this.services.findByIds([id])).length === 0) throw serviceNotFound();
    const categoryId = input.categoryId !== undefined || input.category !== undefined ? await this.resolveServiceCategory(input) : undefined;
    const changes: Partial<ServiceDraft> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(categoryId !== undefined ? { categoryId } : {}),
    };
    try {
      const service = Object.keys(changes).length
        ? await this.services.update(id, changes)
        : ((await this.services.findByIds([id]))[0] ?? null);
      if (!service) throw serviceNotFound();
      loaders?.serviceById.clearAll();
      loaders?.serviceById.prime(id, service);
      loaders?.servicesInCategory.clearAll();
      loaders?.childrenOf.clearAll();
      return service;
    } catch (error) {
      if (error instanceof ServiceNameTakenError) throw nameTaken(input.name ?? "");
      if (error instanceof CategoryNotFoundError) throw unknownCategory("input.categoryId");
      throw error;
    }
  }

  /**
   * A service's category: `categoryId` must name an existing category (BAD_USER_INPUT otherwise). The deprecated
   * flat `category` name resolves to the category of that name (any case); an unknown name becomes a new category
   * under "Other", so clients that still send names keep working.
   */
  private async resolveServiceCategory(input: { categoryId?: string; category?: string }): Promise<string> {
    if (input.categoryId !== undefined) {
      const id = normalizeId(input.categoryId);
      if (!id || (await this.categories.findByIds([id])).length === 0) throw unknownCategory("input.categoryId");
      return id;
    }
    const name = input.category ?? "";
    const base = `other-${slugify(name) || "category"}`.slice(0, 60);
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.categories.findByName(name);
      if (existing) return existing.id;
      const slug = attempt === 0 ? base : `${base.slice(0, 51)}-${randomUUID().slice(0, 8)}`;
      try {
        return (await this.categories.create({ name, slug, parentId: OTHER_CATEGORY_ID })).id;
      } catch (error) {
        if (error instanceof CategorySlugTakenError) continue;
        if (error instanceof CategoryNotFoundError) throw unknownCategory("input.category");
        throw error;
      }
    }
    throw conflict(`Could not file the category "${name}"; try again`);
  }

  // ---- the category tree

  /** The roots, by name. */
  rootCategories(): Promise<Category[]> {
    return this.categories.roots();
  }

  /** By id or by slug (exactly one); null when there is none (a malformed id is an unknown one). */
  async category(loaders: CatalogLoaders, raw: unknown): Promise<Category | null> {
    const args = parseInput(categoryLookupInput, raw);
    if (args.id !== undefined) return loaders.categoryById.load(args.id);
    return this.categories.findBySlug(args.slug ?? "");
  }

  categoryById(loaders: CatalogLoaders, id: string): Promise<Category | null> {
    return loaders.categoryById.load(id);
  }

  children(loaders: CatalogLoaders, categoryId: string): Promise<Category[]> {
    return loaders.childrenOf.load(categoryId);
  }

  servicesIn(loaders: CatalogLoaders, categoryId: string): Promise<Service[]> {
    return loaders.servicesInCategory.load(categoryId);
  }

  /** A service's category (never missing: the foreign key holds it). */
  async categoryOf(loaders: CatalogLoaders, service: Pick<Service, "categoryId">): Promise<Category> {
    const category = await loaders.categoryById.load(service.categoryId);
    if (!category) throw new Error(`service category ${service.categoryId} missing`);
    return category;
  }

  async createCategory(viewer: Viewer, raw: unknown, loaders?: CatalogLoaders): Promise<Category> {
    this.requireAdmin(viewer);
    const input = parseInput(createCategoryInput, raw, "input");
    const parentId = input.parentId === null ? null : this.knownId(input.parentId, "input.parentId");
    const draft: CategoryDraft = { name: input.name, slug: input.slug ?? slugify(input.name), parentId };
    if (!draft.slug) throw badInput({ "input.slug": "is required when the name has no letters or digits" });
    try {
      const category = await this.categories.create(draft);
      loaders?.childrenOf.clearAll();
      return category;
    } catch (error) {
      if (error instanceof CategorySlugTakenError) throw slugTaken("input.slug", draft.slug);
      if (error instanceof CategoryNotFoundError) throw unknownCategory("input.parentId");
      throw error;
    }
  }

  /** Renames, re-slugs or moves a category (with its subtree); a move under itself or a descendant is refused. */
  async updateCategory(viewer: Viewer, rawId: string, raw: unknown, loaders?: CatalogLoaders): Promise<Category> {
    this.requireAdmin(viewer);
    const input = parseInput(updateCategoryInput, raw, "input");
    const id = normalizeId(rawId);
    if (!id) throw categoryNotFound();
    const changes: Partial<CategoryDraft> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.parentId !== undefined ? { parentId: input.parentId === null ? null : this.knownId(input.parentId, "input.parentId") } : {}),
    };
    try {
      const category = await this.categories.update(id, changes, (newParentId, ancestors) => {
        if (wouldCreateCycle(id, newParentId, ancestors)) throw new CycleError();
      });
      if (!category) throw categoryNotFound();
      loaders?.categoryById.clearAll();
      loaders?.childrenOf.clearAll();
      return category;
    } catch (error) {
      if (error instanceof CycleError) {
        throw badInput({ "input.parentId": "would put the category under itself or one of its subcategories" }, "A category cannot move into its own subtree");
      }
      if (error instanceof CategorySlugTakenError) throw slugTaken("input.slug", changes.slug ?? "");
      if (error instanceof CategoryNotFoundError) throw unknownCategory("input.parentId");
      throw error;
    }
  }

  /** Only an empty category goes: INVALID_STATE while it has subcategories or services. Returns its id. */
  async deleteCategory(viewer: Viewer, rawId: string, loaders?: CatalogLoaders): Promise<string> {
    this.requireAdmin(viewer);
    const id = normalizeId(rawId);
    if (!id) throw categoryNotFound();
    const blocker = deletionBlocker(await this.categories.usage(id));
    const inUse = (why: string) => new AppError(ErrorCode.INVALID_STATE, `The category cannot be deleted: ${why}`);
    if (blocker) throw inUse(blocker);
    try {
      if (!(await this.categories.delete(id))) throw categoryNotFound();
    } catch (error) {
      // Something was added since the check.
      if (error instanceof CategoryInUseError) throw inUse("it is in use");
      throw error;
    }
    loaders?.categoryById.clearAll();
    loaders?.childrenOf.clearAll();
    return id;
  }

  /** A malformed id is an unknown one (catalog's contract): a BAD_USER_INPUT on `field`. */
  private knownId(raw: string, field: string): string {
    const id = normalizeId(raw);
    if (!id) throw unknownCategory(field);
    return id;
  }

  /** Idempotent: assigning a service the provider already performs changes nothing and publishes nothing. */
  assign(viewer: Viewer, serviceId: string, loaders?: CatalogLoaders): Promise<ProviderRef> {
    return this.changeAssignment(viewer, serviceId, "assign", loaders);
  }

  /** Idempotent like assign. */
  unassign(viewer: Viewer, serviceId: string, loaders?: CatalogLoaders): Promise<ProviderRef> {
    return this.changeAssignment(viewer, serviceId, "unassign", loaders);
  }

  private async changeAssignment(
    viewer: Viewer,
    rawServiceId: string,
    action: "assign" | "unassign",
    loaders?: CatalogLoaders,
  ): Promise<ProviderRef> {
    const provider = this.requireProvider(viewer);
    const serviceId = normalizeId(rawServiceId);
    if (!serviceId) throw serviceNotFound();
    const payload = providerServicePayload(provider, serviceId);
    try {
      if (action === "assign") {
        await this.assignments.assign(provider, serviceId, outboxRow(CatalogEvents.ProviderServiceAssigned, payload));
      } else {
        await this.assignments.unassign(provider, serviceId, outboxRow(CatalogEvents.ProviderServiceUnassigned, payload));
      }
    } catch (error) {
      if (error instanceof ServiceNotFoundError) throw serviceNotFound();
      throw error;
    }
    // Later fields of this request (another mutation's selection) must see the change.
    loaders?.servicesOfProvider.clearAll();
    loaders?.providers.clearAll();
    return { id: provider };
  }

  /**
   * A deleted account (users' UserDeleted) performs nothing any more: each of its assignments goes, announced like any
   * unassignment (so orders' read model follows). Safe to repeat.
   */
  async accountDeleted(userId: string): Promise<number> {
    const provider = normalizeId(userId);
    if (!provider) return 0;
    let removed = 0;
    for (const { service } of await this.assignments.servicesOfProviders([provider])) {
      const payload = providerServicePayload(provider, service.id);
      try {
        if (await this.assignments.unassign(provider, service.id, outboxRow(CatalogEvents.ProviderServiceUnassigned, payload))) removed++;
      } catch (error) {
        if (!(error instanceof ServiceNotFoundError)) throw error;
      }
    }
    return removed;
  }

  private requireAdmin(viewer: Viewer): Viewer {
    if (!canManageCatalog(viewer.roles)) throw forbidden("Only admins can change the catalog");
    return viewer;
  }

  /** The provider's own id, in canonical form. */
  private requireProvider(viewer: Viewer): string {
    if (!canOfferServices(viewer.roles)) throw forbidden("Only providers can choose the services they perform");
    const id = normalizeId(viewer.userId);
    if (!id) throw unauthenticated("Access token subject is not a user id");
    return id;
  }
}

// In-memory fakes for service unit tests. Semantics mirror the Prisma repositories (unique names, idempotent
// assignments that write an outbox row only on a real change, ordering) so the service can be tested without a
// database; the *.contract.test.ts suites beside this file hold both to the same cases. Every method call is
// recorded, so tests can assert how many round trips a batch cost.
import { outboxRow, type OutboxRow } from "@fixup/platform";
import { CatalogEvents, type ProviderAssignment } from "../src/domain/provider.js";
import { SEEDED_CATEGORIES, type Category, type CategoryDraft } from "../src/domain/category.js";
import { searchRank } from "../src/domain/search.js";
import { compareByName, type PredefinedService, type Service, type ServiceDraft, type ServiceFilter } from "../src/domain/service.js";
import {
  CategoryInUseError,
  CategoryNotFoundError,
  CategorySlugTakenError,
  type CategoryRepository,
  type CategoryUsage,
  type MoveCheck,
} from "../src/repository/category-repository.js";
import {
  ServiceNotFoundError,
  type ProviderPage,
  type ProviderPageRequest,
  type ProviderServiceRepository,
} from "../src/repository/provider-service-repository.js";
import { ServiceNameTakenError, type ServiceRepository } from "../src/repository/service-repository.js";

/** The SQL's `lower(a) = lower(b)`: no trimming (the service normalises labels before they get here). */
const sameLowerCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Prisma's reading of a change set: a key whose value is undefined is no change. */
const definedOnly = <T extends object>(changes: T): Partial<T> =>
  Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;

export type Calls = Array<{ method: string; args: unknown[] }>;

const hex = (n: number) => n.toString(16).padStart(12, "0");
export const fakeId = (n: number, prefix = "00000000-0000-4000-8000") => `${prefix}-${hex(n)}`;

/** Categories as stored; a service's row keeps its categoryId only (the name is read through the category). */
export class FakeCategoryRepository implements CategoryRepository {
  readonly rows = new Map<string, Category>();
  readonly calls: Calls = [];
  /** Set by the FakeServiceRepository sharing this tree: how many services a category holds. */
  servicesIn: (categoryId: string) => number = () => 0;
  private seq = 0;

  constructor(
    seeded: ReadonlyArray<Omit<Category, "createdAt">> = SEEDED_CATEGORIES,
    private readonly now: () => Date = () => new Date(),
  ) {
    const at = new Date(0);
    for (const c of seeded) this.rows.set(c.id, { ...c, createdAt: at });
  }

  async findByIds(ids: readonly string[]): Promise<Category[]> {
    this.calls.push({ method: "findByIds", args: [ids] });
    return [...new Set(ids)].flatMap((id) => (this.rows.has(id) ? [{ ...this.rows.get(id)! }] : []));
  }

  async findBySlug(slug: string): Promise<Category | null> {
    this.calls.push({ method: "findBySlug", args: [slug] });
    const row = [...this.rows.values()].find((c) => c.slug === slug);
    return row ? { ...row } : null;
  }

  async findByName(name: string): Promise<Category | null> {
    this.calls.push({ method: "findByName", args: [name] });
    const [row] = [...this.rows.values()]
      .filter((c) => sameLowerCase(c.name, name))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    return row ? { ...row } : null;
  }

  async roots(): Promise<Category[]> {
    this.calls.push({ method: "roots", args: [] });
    return [...this.rows.values()].filter((c) => c.parentId === null).sort(compareByName).map((c) => ({ ...c }));
  }

  async childrenOf(parentIds: readonly string[]): Promise<Category[]> {
    this.calls.push({ method: "childrenOf", args: [parentIds] });
    return [...this.rows.values()]
      .filter((c) => c.parentId !== null && parentIds.includes(c.parentId))
      .sort((a, b) => (a.parentId! < b.parentId! ? -1 : a.parentId! > b.parentId! ? 1 : compareByName(a, b)))
      .map((c) => ({ ...c }));
  }

  async ancestorIds(id: string): Promise<string[]> {
    this.calls.push({ method: "ancestorIds", args: [id] });
    return this.ancestors(id);
  }

  async usage(id: string): Promise<CategoryUsage> {
    this.calls.push({ method: "usage", args: [id] });
    return { children: [...this.rows.values()].filter((c) => c.parentId === id).length, services: this.servicesIn(id) };
  }

  async create(draft: CategoryDraft): Promise<Category> {
    this.calls.push({ method: "create", args: [draft] });
    if ([...this.rows.values()].some((c) => c.slug === draft.slug)) throw new CategorySlugTakenError();
    if (draft.parentId !== null && !this.rows.has(draft.parentId)) throw new CategoryNotFoundError();
    const category: Category = { id: fakeId(++this.seq, "ca000000-0000-4000-8000"), ...draft, createdAt: this.now() };
    this.rows.set(category.id, category);
    return { ...category };
  }

  async update(id: string, changes: Partial<CategoryDraft>, check: MoveCheck): Promise<Category | null> {
    this.calls.push({ method: "update", args: [id, changes] });
    const row = this.rows.get(id);
    if (!row) return null;
    if (changes.parentId !== undefined && changes.parentId !== null) {
      if (!this.rows.has(changes.parentId)) throw new CategoryNotFoundError();
      check(changes.parentId, this.ancestors(changes.parentId));
    }
    if (changes.slug !== undefined && [...this.rows.values()].some((c) => c.id !== id && c.slug === changes.slug)) {
      throw new CategorySlugTakenError();
    }
    Object.assign(row, definedOnly(changes));
    return { ...row };
  }

  async delete(id: string): Promise<boolean> {
    this.calls.push({ method: "delete", args: [id] });
    if (!this.rows.has(id)) return false;
    const usage = { children: [...this.rows.values()].filter((c) => c.parentId === id).length, services: this.servicesIn(id) };
    if (usage.children > 0 || usage.services > 0) throw new CategoryInUseError();
    this.rows.delete(id);
    return true;
  }

  /** Nearest first; bounded like the SQL. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let current = this.rows.get(id)?.parentId ?? null;
    while (current !== null && out.length < 100) {
      out.push(current);
      current = this.rows.get(current)?.parentId ?? null;
    }
    return out;
  }
}

type StoredService = Omit<Service, "category">;

export class FakeServiceRepository implements ServiceRepository {
  readonly rows = new Map<string, StoredService>();
  /** ServiceCreated for every service create or seed inserted, as the Prisma repository writes it with the row. */
  readonly outbox: OutboxRow[] = [];
  readonly calls: Calls = [];
  private seq = 0;

  constructor(
    private readonly now: () => Date = () => new Date(),
    readonly categories: FakeCategoryRepository = new FakeCategoryRepository(),
  ) {
    categories.servicesIn = (categoryId) => [...this.rows.values()].filter((s) => s.categoryId === categoryId).length;
  }

  read(row: StoredService): Service {
    return { ...row, category: this.categories.rows.get(row.categoryId)?.name ?? "" };
  }

  async create(draft: ServiceDraft): Promise<Service> {
    this.calls.push({ method: "create", args: [draft] });
    if ([...this.rows.values()].some((s) => s.name === draft.name)) throw new ServiceNameTakenError();
    if (!this.categories.rows.has(draft.categoryId)) throw new CategoryNotFoundError();
    const at = this.now();
    const service: StoredService = { id: fakeId(++this.seq, "5e000000-0000-4000-8000"), ...draft, createdAt: at, updatedAt: at };
    this.rows.set(service.id, service);
    this.outbox.push(outboxRow(CatalogEvents.ServiceCreated, { serviceId: service.id, categoryId: service.categoryId }));
    return this.read(service);
  }

  async update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null> {
    this.calls.push({ method: "update", args: [id, changes] });
    const row = this.rows.get(id);
    if (!row) return null;
    if (changes.name !== undefined && [...this.rows.values()].some((s) => s.id !== id && s.name === changes.name)) {
      throw new ServiceNameTakenError();
    }
    if (changes.categoryId !== undefined && !this.categories.rows.has(changes.categoryId)) throw new CategoryNotFoundError();
    Object.assign(row, definedOnly(changes), { updatedAt: this.now() });
    return this.read(row);
  }

  async findByIds(ids: readonly string[]): Promise<Service[]> {
    this.calls.push({ method: "findByIds", args: [ids] });
    return [...new Set(ids)].flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [this.read(row)] : [];
    });
  }

  async findByName(name: string): Promise<Service | null> {
    this.calls.push({ method: "findByName", args: [name] });
    const [row] = [...this.rows.values()].filter((s) => sameLowerCase(s.name, name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return row ? this.read(row) : null;
  }

  async inCategories(categoryIds: readonly string[]): Promise<Service[]> {
    this.calls.push({ method: "inCategories", args: [categoryIds] });
    return [...this.rows.values()].filter((s) => categoryIds.includes(s.categoryId)).map((s) => this.read(s)).sort(compareByName);
  }

  async list(filter: ServiceFilter): Promise<Service[]> {
    this.calls.push({ method: "list", args: [filter] });
    const path = (categoryId: string) => [categoryId, ...this.categories.ancestors(categoryId)];
    const names = (categoryId: string) => path(categoryId).map((id) => this.categories.rows.get(id)?.name ?? "");
    const services = [...this.rows.values()]
      .map((s) => this.read(s))
      .filter((s) => filter.category === undefined || sameLowerCase(s.category, filter.category))
      .filter((s) => filter.categoryId === undefined || path(s.categoryId).includes(filter.categoryId))
      .sort(compareByName);
    if (filter.search === undefined) return services;
    const search = filter.search;
    return services
      .map((s) => ({ s, rank: searchRank(search, { name: s.name, description: s.description, categoryNames: names(s.categoryId) }) }))
      .filter((r): r is { s: Service; rank: number } => r.rank !== null)
      .sort((a, b) => b.rank - a.rank || compareByName(a.s, b.s))
      .map((r) => r.s);
  }

  async seed(services: readonly PredefinedService[]): Promise<number> {
    this.calls.push({ method: "seed", args: [services] });
    let created = 0;
    for (const { id, ...draft } of services) {
      if (this.rows.has(id) || [...this.rows.values()].some((s) => sameLowerCase(s.name, draft.name))) continue;
      if (!this.categories.rows.has(draft.categoryId)) continue;
      const at = this.now();
      this.rows.set(id, { id, ...draft, createdAt: at, updatedAt: at });
      this.outbox.push(outboxRow(CatalogEvents.ServiceCreated, { serviceId: id, categoryId: draft.categoryId }));
      created++;
    }
    return created;
  }
}

export class FakeProviderServiceRepository implements ProviderServiceRepository {
  readonly assignments: ProviderAssignment[] = [];
  readonly outbox: OutboxRow[] = [];
  readonly calls: Calls = [];

  constructor(
    private readonly services: FakeServiceRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async assign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean> {
    this.calls.push({ method: "assign", args: [providerId, serviceId, event] });
    if (!this.services.rows.has(serviceId)) throw new ServiceNotFoundError();
    if (this.find(providerId, serviceId) >= 0) return false;
    this.assignments.push({ providerId, serviceId, createdAt: this.now() });
    this.outbox.push(event);
    return true;
  }

  async unassign(providerId: string, serviceId: string, event: OutboxRow): Promise<boolean> {
    this.calls.push({ method: "unassign", args: [providerId, serviceId, event] });
    const index = this.find(providerId, serviceId);
    if (index < 0) {
      if (!this.services.rows.has(serviceId)) throw new ServiceNotFoundError();
      return false;
    }
    this.assignments.splice(index, 1);
    this.outbox.push(event);
    return true;
  }

  async servicesOfProviders(providerIds: readonly string[]): Promise<Array<{ providerId: string; service: Service }>> {
    this.calls.push({ method: "servicesOfProviders", args: [providerIds] });
    return this.assignments
      .filter((a) => providerIds.includes(a.providerId))
      .map((a) => ({ providerId: a.providerId, service: this.services.read(this.services.rows.get(a.serviceId)!) }))
      .sort((a, b) => compareByName(a.service, b.service));
  }

  async providerPages(serviceIds: readonly string[], page: ProviderPageRequest): Promise<Map<string, ProviderPage>> {
    this.calls.push({ method: "providerPages", args: [serviceIds, page] });
    const key = (a: { createdAt: Date; id: string }) => `${a.createdAt.toISOString()}|${a.id}`;
    return new Map(
      serviceIds.map((serviceId) => {
        const all = this.assignments
          .filter((a) => a.serviceId === serviceId)
          .sort((a, b) => (key({ createdAt: a.createdAt, id: a.providerId }) < key({ createdAt: b.createdAt, id: b.providerId }) ? -1 : 1));
        const after = page.after ? key(page.after) : null;
        const rows = all.filter((a) => after === null || key({ createdAt: a.createdAt, id: a.providerId }) > after).slice(0, page.limit);
        return [serviceId, { rows: rows.map((r) => ({ ...r })), totalCount: all.length }];
      }),
    );
  }

  private find(providerId: string, serviceId: string): number {
    return this.assignments.findIndex((a) => a.providerId === providerId && a.serviceId === serviceId);
  }
}

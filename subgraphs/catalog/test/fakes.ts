// In-memory fakes for service unit tests. Semantics mirror the Prisma repositories (unique names, idempotent
// assignments that write an outbox row only on a real change, ordering) so the service can be tested without a
// database; the *.contract.test.ts suites beside this file hold both to the same cases. Every method call is
// recorded, so tests can assert how many round trips a batch cost.
import { outboxRow, type OutboxRow } from "@fixup/platform";
import { CatalogEvents, type ProviderAssignment } from "../src/domain/provider.js";
import { compareByName, matchesFilter, type PredefinedService, type Service, type ServiceDraft, type ServiceFilter } from "../src/domain/service.js";
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

export class FakeServiceRepository implements ServiceRepository {
  readonly rows = new Map<string, Service>();
  /** ServiceCreated for every service create or seed inserted, as the Prisma repository writes it with the row. */
  readonly outbox: OutboxRow[] = [];
  readonly calls: Calls = [];
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(draft: ServiceDraft): Promise<Service> {
    this.calls.push({ method: "create", args: [draft] });
    if ([...this.rows.values()].some((s) => s.name === draft.name)) throw new ServiceNameTakenError();
    const at = this.now();
    const service: Service = { id: fakeId(++this.seq, "5e000000-0000-4000-8000"), ...draft, createdAt: at, updatedAt: at };
    this.rows.set(service.id, service);
    this.outbox.push(outboxRow(CatalogEvents.ServiceCreated, { serviceId: service.id }));
    return { ...service };
  }

  async update(id: string, changes: Partial<ServiceDraft>): Promise<Service | null> {
    this.calls.push({ method: "update", args: [id, changes] });
    const row = this.rows.get(id);
    if (!row) return null;
    if (changes.name !== undefined && [...this.rows.values()].some((s) => s.id !== id && s.name === changes.name)) {
      throw new ServiceNameTakenError();
    }
    Object.assign(row, definedOnly(changes), { updatedAt: this.now() });
    return { ...row };
  }

  async findByIds(ids: readonly string[]): Promise<Service[]> {
    this.calls.push({ method: "findByIds", args: [ids] });
    return [...new Set(ids)].flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [{ ...row }] : [];
    });
  }

  async findByName(name: string): Promise<Service | null> {
    this.calls.push({ method: "findByName", args: [name] });
    const [row] = [...this.rows.values()].filter((s) => sameLowerCase(s.name, name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return row ? { ...row } : null;
  }

  async list(filter: ServiceFilter): Promise<Service[]> {
    this.calls.push({ method: "list", args: [filter] });
    return [...this.rows.values()].filter((s) => matchesFilter(s, filter)).sort(compareByName).map((s) => ({ ...s }));
  }

  async seed(services: readonly PredefinedService[]): Promise<number> {
    this.calls.push({ method: "seed", args: [services] });
    let created = 0;
    for (const { id, ...draft } of services) {
      if (this.rows.has(id) || [...this.rows.values()].some((s) => sameLowerCase(s.name, draft.name))) continue;
      const at = this.now();
      this.rows.set(id, { id, ...draft, createdAt: at, updatedAt: at });
      this.outbox.push(outboxRow(CatalogEvents.ServiceCreated, { serviceId: id }));
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
      .map((a) => ({ providerId: a.providerId, service: { ...this.services.rows.get(a.serviceId)! } }))
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

import DataLoader from "dataloader";
import {
  badInput,
  conflict,
  forbidden,
  notFound,
  outboxRow,
  pageRequest,
  parseInput,
  requireViewer,
  toConnection,
  unauthenticated,
  type Connection,
  type PageArgs,
  type PageRequest,
  type Viewer,
} from "@fixup/platform";
import { normalizeId } from "../domain/ids.js";
import {
  canManageCatalog,
  canOfferServices,
  CatalogEvents,
  providerServicePayload,
  type ProviderRef,
} from "../domain/provider.js";
import { PREDEFINED_SERVICES, type PredefinedService, type Service, type ServiceDraft } from "../domain/service.js";
import type { ProviderPage, ProviderServiceRepository } from "../repository/provider-service-repository.js";
import { ServiceNotFoundError } from "../repository/provider-service-repository.js";
import { ServiceNameTakenError, type ServiceRepository } from "../repository/service-repository.js";
import { createServiceInput, serviceFilterInput, updateServiceInput } from "./inputs.js";

export interface ProvidersKey {
  serviceId: string;
  page: PageRequest;
}

/** Per-request batch loaders: a whole `_entities` call or list costs one query per loader, whatever its length. */
export interface CatalogLoaders {
  serviceById: DataLoader<string, Service | null>;
  servicesOfProvider: DataLoader<string, Service[]>;
  providers: DataLoader<ProvidersKey, ProviderPage, string>;
}

const pageKey = (page: PageRequest) => `${page.take}|${page.after ? `${page.after.createdAt.toISOString()}|${page.after.id}` : ""}`;

const serviceNotFound = () => notFound("Service");
const nameTaken = (name: string) => conflict(`A service named "${name}" already exists`);

export class CatalogService {
  constructor(
    private readonly services: ServiceRepository,
    private readonly assignments: ProviderServiceRepository,
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
    };
  }

  /** Inserts the predefined services a fresh database lacks; never touches existing (possibly edited) rows. */
  seed(services: readonly PredefinedService[] = PREDEFINED_SERVICES): Promise<number> {
    return this.services.seed(services);
  }

  async list(rawFilter: unknown): Promise<Service[]> {
    return this.services.list(parseInput(serviceFilterInput, rawFilter));
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

  async create(viewer: Viewer | null, raw: unknown, loaders?: CatalogLoaders): Promise<Service> {
    this.requireAdmin(viewer);
    const input = parseInput(createServiceInput, raw, "input");
    if (await this.services.findByName(input.name)) throw nameTaken(input.name);
    try {
      const service = await this.services.create(input);
      loaders?.serviceById.prime(service.id, service);
      return service;
    } catch (error) {
      if (error instanceof ServiceNameTakenError) throw nameTaken(input.name);
      throw error;
    }
  }

  async update(viewer: Viewer | null, rawId: string, raw: unknown, loaders?: CatalogLoaders): Promise<Service> {
    this.requireAdmin(viewer);
    const input = parseInput(updateServiceInput, raw, "input");
    const id = normalizeId(rawId);
    if (!id) throw serviceNotFound();
    if (input.name !== undefined) {
      const other = await this.services.findByName(input.name);
      if (other && other.id !== id) throw nameTaken(input.name);
    }
    const changes: Partial<ServiceDraft> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.category !== undefined ? { category: input.category } : {}),
    };
    try {
      const service = Object.keys(changes).length
        ? await this.services.update(id, changes)
        : ((await this.services.findByIds([id]))[0] ?? null);
      if (!service) throw serviceNotFound();
      loaders?.serviceById.clearAll();
      loaders?.serviceById.prime(id, service);
      return service;
    } catch (error) {
      if (error instanceof ServiceNameTakenError) throw nameTaken(input.name ?? "");
      throw error;
    }
  }

  /** Idempotent: assigning a service the provider already performs changes nothing and publishes nothing. */
  assign(viewer: Viewer | null, serviceId: string, loaders?: CatalogLoaders): Promise<ProviderRef> {
    return this.changeAssignment(viewer, serviceId, "assign", loaders);
  }

  /** Idempotent like assign. */
  unassign(viewer: Viewer | null, serviceId: string, loaders?: CatalogLoaders): Promise<ProviderRef> {
    return this.changeAssignment(viewer, serviceId, "unassign", loaders);
  }

  private async changeAssignment(
    viewer: Viewer | null,
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

  private requireAdmin(viewer: Viewer | null): Viewer {
    const v = requireViewer(viewer);
    if (!canManageCatalog(v.roles)) throw forbidden("Only admins can change the catalog");
    return v;
  }

  /** The provider's own id, in canonical form. */
  private requireProvider(viewer: Viewer | null): string {
    const v = requireViewer(viewer);
    if (!canOfferServices(v.roles)) throw forbidden("Only providers can choose the services they perform");
    const id = normalizeId(v.userId);
    if (!id) throw unauthenticated("Access token subject is not a user id");
    return id;
  }
}

import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow, type OutboxRow } from "@fixup/platform";
import { SEEDED } from "../src/domain/category.js";
import { CatalogEvents } from "../src/domain/provider.js";
import { PrismaProviderServiceRepository, ServiceNotFoundError, type ProviderPage, type ProviderServiceRepository } from "../src/repository/provider-service-repository.js";
import { PrismaServiceRepository, type ServiceRepository } from "../src/repository/service-repository.js";
import { FakeProviderServiceRepository, FakeServiceRepository } from "./fakes.js";
import { useCatalogDatabases } from "./linguistic-collation.js";

// One contract, two implementations (see order-repository.contract.test.ts). Services are made through the
// ServiceRepository; two hooks stand in for what the interface cannot do: an assignment made at a chosen instant
// (to page across equal timestamps) and the outbox rows written so far (what an outbox-writing method committed).
interface Subject {
  services: ServiceRepository;
  repo: ProviderServiceRepository;
  assignedAt(providerId: string, serviceId: string, createdAt: Date): Promise<void>;
  outbox(): Promise<Array<Pick<OutboxRow, "id" | "type" | "payload">>>;
}

const databases = useCatalogDatabases("catalog_assignments_contract");

const prismaImplementation = (name: string, database: number) => ({
  name,
  create: async (): Promise<Subject> => {
    const { prisma } = databases[database]!;
    await prisma.$executeRaw`TRUNCATE services, provider_services, outbox_events`;
    return {
      services: new PrismaServiceRepository(prisma),
      repo: new PrismaProviderServiceRepository(prisma),
      assignedAt: async (providerId, serviceId, createdAt) => void (await prisma.providerService.create({ data: { providerId, serviceId, createdAt } })),
      outbox: async () =>
        (await prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } }))
          .filter((e) => e.type !== CatalogEvents.ServiceCreated)
          .map(({ id, type, payload }) => ({ id, type, payload: payload as OutboxRow["payload"] })),
    };
  },
});

const implementations: Array<{ name: string; create: () => Promise<Subject> }> = [
  prismaImplementation("PrismaProviderServiceRepository (real Postgres)", 0),
  prismaImplementation("PrismaProviderServiceRepository (real Postgres, linguistic collation)", 1),
  {
    name: "FakeProviderServiceRepository",
    create: async () => {
      const services = new FakeServiceRepository();
      const repo = new FakeProviderServiceRepository(services);
      return {
        services,
        repo,
        assignedAt: async (providerId, serviceId, createdAt) => void repo.assignments.push({ providerId, serviceId, createdAt }),
        outbox: async () => repo.outbox.map(({ id, type, payload }) => ({ id, type, payload })),
      };
    },
  },
];

const assigned = (providerId: string, serviceId: string) => outboxRow(CatalogEvents.ProviderServiceAssigned, { providerId, serviceId });
const unassigned = (providerId: string, serviceId: string) => outboxRow(CatalogEvents.ProviderServiceUnassigned, { providerId, serviceId });
const service = (services: ServiceRepository, name: string) => services.create({ name, description: null, categoryId: SEEDED.handyman });
const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(implementations)("ProviderServiceRepository contract: $name", ({ create }) => {
  test("assign/unassign report a real change and write their event exactly then", async () => {
    const { services, repo, outbox } = await create();
    const { id: plumbing } = await service(services, "Plumbing");
    const p = randomUUID();
    const [first, again, gone, goneAgain, back] = [assigned(p, plumbing), assigned(p, plumbing), unassigned(p, plumbing), unassigned(p, plumbing), assigned(p, plumbing)];
    expect(await repo.assign(p, plumbing, first)).toBe(true);
    expect(await repo.assign(p, plumbing, again)).toBe(false);
    expect(await repo.unassign(p, plumbing, gone)).toBe(true);
    expect(await repo.unassign(p, plumbing, goneAgain)).toBe(false);
    expect(await repo.assign(p, plumbing, back)).toBe(true);
    expect(await outbox()).toEqual([first, gone, back]);
    expect((await repo.servicesOfProviders([p])).map((r) => r.service.id)).toEqual([plumbing]);
  });

  test("concurrent identical assigns (and then unassigns): exactly one reports the change and writes its event", async () => {
    const { services, repo, outbox } = await create();
    const { id: plumbing } = await service(services, "Plumbing");
    const p = randomUUID();
    const assigns = await Promise.all(Array.from({ length: 5 }, () => repo.assign(p, plumbing, assigned(p, plumbing))));
    expect(assigns.filter(Boolean)).toHaveLength(1);
    const unassigns = await Promise.all(Array.from({ length: 5 }, () => repo.unassign(p, plumbing, unassigned(p, plumbing))));
    expect(unassigns.filter(Boolean)).toHaveLength(1);
    expect((await outbox()).map((e) => e.type)).toEqual([CatalogEvents.ProviderServiceAssigned, CatalogEvents.ProviderServiceUnassigned]);
    expect(await repo.servicesOfProviders([p])).toEqual([]);
  });

  test("an unknown service: ServiceNotFoundError, nothing stored, no event", async () => {
    const { repo, outbox } = await create();
    const [p, ghost] = [randomUUID(), randomUUID()];
    await expect(repo.assign(p, ghost, assigned(p, ghost))).rejects.toBeInstanceOf(ServiceNotFoundError);
    await expect(repo.unassign(p, ghost, unassigned(p, ghost))).rejects.toBeInstanceOf(ServiceNotFoundError);
    expect(await repo.servicesOfProviders([p])).toEqual([]);
    expect((await repo.providerPages([ghost], { limit: 5, after: null })).get(ghost)).toEqual({ rows: [], totalCount: 0 });
    expect(await outbox()).toEqual([]);
  });

  test("servicesOfProviders: every provider's services in one batch, each provider's ordered by name", async () => {
    const { services, repo } = await create();
    // Case-insensitive, then code points (as compareByName), whatever the database's collation.
    const [plumbing, bSide, BSide, electrical] = [
      await service(services, "plumbing"), await service(services, "b-side"), await service(services, "B-side"), await service(services, "Electrical"),
    ];
    const bathrooms = await service(services, "Bathrooms");
    const [a, b, nobody] = [randomUUID(), randomUUID(), randomUUID()];
    for (const s of [plumbing, bSide, bathrooms, BSide, electrical]) await repo.assign(a, s.id, assigned(a, s.id));
    await repo.assign(b, electrical.id, assigned(b, electrical.id));
    const rows = await repo.servicesOfProviders([a, b, nobody]);
    expect(rows.filter((r) => r.providerId === a).map((r) => r.service)).toEqual([BSide, bSide, bathrooms, electrical, plumbing]);
    expect(rows.filter((r) => r.providerId === b).map((r) => r.service)).toEqual([electrical]);
    expect(rows).toHaveLength(6);
    expect(await repo.servicesOfProviders([])).toEqual([]);
  });

  test("providerPages: per service, totals whatever the page, rows by (createdAt, providerId) strictly after the cursor", async () => {
    const { services, repo, assignedAt } = await create();
    const [plumbing, electrical, empty] = [await service(services, "Plumbing"), await service(services, "Electrical"), await service(services, "Empty")];
    // Five providers: one early, three sharing an instant (the id breaks the tie), one late.
    const tied = [randomUUID(), randomUUID(), randomUUID()].sort();
    const [early, late] = [randomUUID(), randomUUID()];
    await assignedAt(late, plumbing.id, at(10));
    for (const p of [tied[2]!, tied[0]!, tied[1]!]) await assignedAt(p, plumbing.id, at(5));
    await assignedAt(early, plumbing.id, at(0));
    await assignedAt(early, electrical.id, at(0));
    const order = [early, ...tied, late];
    const row = (providerId: string, ms: number) => ({ providerId, serviceId: plumbing.id, createdAt: at(ms) });

    const first = await repo.providerPages([plumbing.id, electrical.id, empty.id, randomUUID()], { limit: 2, after: null });
    expect(first.get(plumbing.id)).toEqual({ totalCount: 5, rows: [row(early, 0), row(tied[0]!, 5)] });
    expect(first.get(electrical.id)).toEqual({ totalCount: 1, rows: [{ providerId: early, serviceId: electrical.id, createdAt: at(0) }] });
    expect(first.get(empty.id)).toEqual({ totalCount: 0, rows: [] });

    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | null = null;
    for (let i = 0; i < 10; i++) {
      const page: ProviderPage = (await repo.providerPages([plumbing.id], { limit: 2, after })).get(plumbing.id)!;
      expect(page.totalCount).toBe(5);
      seen.push(...page.rows.map((r) => r.providerId));
      const last = page.rows.at(-1);
      if (!last) break;
      after = { createdAt: last.createdAt, id: last.providerId };
    }
    expect(seen).toEqual(order);
    expect(await repo.providerPages([], { limit: 2, after: null })).toEqual(new Map());
  });
});

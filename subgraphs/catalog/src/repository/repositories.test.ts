import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { outboxRow } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { CatalogEvents } from "../domain/provider.js";
import { SEEDED, SEEDED_CATEGORIES } from "../domain/category.js";
import { searchRank } from "../domain/search.js";
import { compareByName, PREDEFINED_SERVICES } from "../domain/service.js";
import { CatalogService } from "../service/catalog-service.js";
import { PrismaCategoryRepository } from "./category-repository.js";
import { createPrisma, type CatalogPrisma } from "./prisma.js";
import { PrismaProviderServiceRepository, ServiceNotFoundError } from "./provider-service-repository.js";
import { PrismaServiceRepository, ServiceNameTakenError } from "./service-repository.js";

let db: TestDatabase;
let prisma: CatalogPrisma;
const queries: string[] = [];
let services: PrismaServiceRepository;
let assignments: PrismaProviderServiceRepository;

beforeAll(async () => {
  db = await createTestDatabase("catalog_repo", migrationsDir);
  prisma = createPrisma(db.url, 12, (sql) => queries.push(sql));
  services = new PrismaServiceRepository(prisma);
  assignments = new PrismaProviderServiceRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

/** Every test starts from exactly the predefined services and nothing else. */
beforeEach(async () => {
  await prisma.$executeRaw`TRUNCATE services, provider_services, outbox_events`;
  await prisma.$executeRaw`DELETE FROM categories WHERE NOT (id = ANY(${SEEDED_CATEGORIES.map((c) => c.id)}::uuid[]))`;
  await services.seed(PREDEFINED_SERVICES);
  await prisma.$executeRaw`TRUNCATE outbox_events`; // the seed's ServiceCreated events: tested on their own below
  queries.length = 0;
});

const PLUMBING = PREDEFINED_SERVICES.find((s) => s.name === "Plumbing")!.id;
const ELECTRICAL = PREDEFINED_SERVICES.find((s) => s.name === "Electrical")!.id;
const assigned = (providerId: string, serviceId: string) =>
  outboxRow(CatalogEvents.ProviderServiceAssigned, { providerId, serviceId });
const unassigned = (providerId: string, serviceId: string) =>
  outboxRow(CatalogEvents.ProviderServiceUnassigned, { providerId, serviceId });
const outbox = () => prisma.outboxEvent.findMany({ orderBy: [{ occurredAt: "asc" }, { id: "asc" }] });
/** Statements other than transaction control. */
const statements = () => queries.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(q.trim()));

describe("create (real Postgres)", () => {
  test("a created service and its ServiceCreated event commit together", async () => {
    const service = await services.create({ name: "Roofing", description: null, categoryId: SEEDED.roofing });
    const events = await prisma.outboxEvent.findMany({ where: { type: "ServiceCreated" } });
    expect(events.map((e) => e.payload)).toEqual([{ serviceId: service.id, categoryId: SEEDED.roofing }]);
    await expect(services.create({ name: "Roofing", description: null, categoryId: SEEDED.roofing })).rejects.toThrow();
    expect(await prisma.outboxEvent.count({ where: { type: "ServiceCreated" } })).toBe(1);
  });
});

describe("seed (real Postgres)", () => {
  test("is idempotent, also when several instances seed at once; each new service is announced exactly once", async () => {
    await prisma.$executeRaw`TRUNCATE services CASCADE`;
    const created = await Promise.all(Array.from({ length: 5 }, () => services.seed(PREDEFINED_SERVICES)));
    expect(created.reduce((a, b) => a + b, 0)).toBe(PREDEFINED_SERVICES.length);
    expect(await services.seed(PREDEFINED_SERVICES)).toBe(0);
    const announced = await prisma.outboxEvent.findMany({ where: { type: "ServiceCreated" } });
    expect(announced.map((e) => (e.payload as { serviceId: string }).serviceId).sort()).toEqual(PREDEFINED_SERVICES.map((s) => s.id).sort());
    const rows = await prisma.service.findMany({ orderBy: { name: "asc" } });
    expect(rows.map((r) => r.name)).toEqual(PREDEFINED_SERVICES.map((s) => s.name).sort());
    const plumbing = rows.find((r) => r.name === "Plumbing")!;
    expect(plumbing).toMatchObject({ id: PLUMBING, categoryId: SEEDED.plumbing, description: expect.any(String) });
  });

  test("never overwrites or re-creates a service an admin edited (renamed, recategorised, re-cased)", async () => {
    await services.update(PLUMBING, { name: "Pipes & drains", description: "Admin's words", categoryId: SEEDED.other });
    await services.update(ELECTRICAL, { name: "ELECTRICAL" });
    expect(await services.seed(PREDEFINED_SERVICES)).toBe(0);
    expect(await prisma.service.count()).toBe(PREDEFINED_SERVICES.length);
    expect(await services.findByIds([PLUMBING])).toEqual([
      expect.objectContaining({ name: "Pipes & drains", description: "Admin's words", categoryId: SEEDED.other, category: "Other" }),
    ]);
  });

  test("skips a predefined name an admin already created under another id", async () => {
    await prisma.$executeRaw`TRUNCATE services CASCADE`;
    await services.create({ name: "gardening", description: null, categoryId: SEEDED.other });
    expect(await services.seed(PREDEFINED_SERVICES)).toBe(PREDEFINED_SERVICES.length - 1);
    expect(await prisma.service.count({ where: { name: { in: ["Gardening", "gardening"] } } })).toBe(1);
  });
});

describe("PrismaServiceRepository (real Postgres)", () => {
  test.each<{ case: string; filter: { category?: string; categoryId?: string; search?: string }; names: string[] }>([
    { case: "no filter, ordered by name", filter: {}, names: [...PREDEFINED_SERVICES].sort(compareByName).map((s) => s.name) },
    { case: "category by name, other case, direct members", filter: { category: "bOiLeRs" }, names: ["Boiler repair", "Boiler servicing"] },
    { case: "category by name is exact, not a prefix", filter: { category: "Boil" }, names: [] },
    { case: "categoryId: the subtree", filter: { categoryId: SEEDED.renovation }, names: ["Bathroom fitting", "Kitchen fitting", "Tiling", "Worktop installation"] },
    { case: "categoryId of a leaf", filter: { categoryId: SEEDED.kitchens }, names: ["Kitchen fitting", "Worktop installation"] },
    { case: "unknown categoryId", filter: { categoryId: randomUUID() }, names: [] },
    { case: "typo: plumbr", filter: { search: "plumbr" }, names: ["Plumbing", "Drain unblocking", "Leak repair", "Pipe installation", "Toilet repair", "Water heater installation"] },
    { case: "% is a literal character", filter: { search: "%" }, names: [] },
    { case: "_ is a literal character", filter: { search: "_" }, names: [] },
    { case: "quote is harmless", filter: { search: "' OR '1'='1" }, names: [] },
  ])("list: $case", async ({ filter, names }) => {
    expect((await services.list(filter)).map((s) => s.name)).toEqual(names);
  });

  // The SQL implements domain/search.ts's searchRank: on the seeded catalog both give the same order.
  test.each(["plumbr", "repair leak", "lawn mowign", "PAINT", "ectri", "DISHWASHER", "clean", "boiler", "garden", "instal", "home", "movng", "air con", "x", "ev"])(
    "search %s: the SQL ranks as the domain's reference does",
    async (query) => {
      const byId = new Map(SEEDED_CATEGORIES.map((c) => [c.id, c]));
      const path = (id: string | null): string[] => (id ? [byId.get(id)!.name, ...path(byId.get(id)!.parentId)] : []);
      const expected = PREDEFINED_SERVICES.map((s) => ({ s, rank: searchRank(query, { ...s, categoryNames: path(s.categoryId) }) }))
        .filter((r): r is { s: (typeof PREDEFINED_SERVICES)[number]; rank: number } => r.rank !== null)
        .sort((a, b) => b.rank - a.rank || compareByName(a.s, b.s))
        .map((r) => r.s.name);
      expect((await services.list({ search: query })).map((s) => s.name)).toEqual(expected);
    },
  );

  test("list orders case-insensitively and finds literal wildcard characters", async () => {
    await services.create({ name: "aquarium care", description: "100% fish_friendly", categoryId: SEEDED.other });
    expect((await services.list({})).slice(0, 3).map((s) => s.name)).toEqual(["Air conditioning installation", "Air conditioning servicing", "Alarm installation"]);
    expect((await services.list({ categoryId: SEEDED.other })).map((s) => s.name)).toEqual(["aquarium care"]);
    expect((await services.list({ search: "0% f" })).map((s) => s.name)).toEqual(["aquarium care"]);
    expect((await services.list({ search: "h_f" })).map((s) => s.name)).toEqual(["aquarium care"]);
    expect((await services.list({ category: "OTHER" })).map((s) => s.name)).toEqual(["aquarium care"]);
  });

  test("the trigram indexes exist (GIN, gin_trgm_ops)", async () => {
    const rows = await prisma.$queryRaw<Array<{ indexdef: string }>>`SELECT indexdef FROM pg_indexes WHERE indexname IN ('services_name_trgm_idx', 'categories_name_trgm_idx') ORDER BY indexname`;
    expect(rows.map((r) => r.indexdef)).toEqual([expect.stringMatching(/USING gin \(name gin_trgm_ops\)/), expect.stringMatching(/USING gin \(name gin_trgm_ops\)/)]);
  });

  test("the migrations seed exactly the domain's category tree", async () => {
    const rows = await new PrismaCategoryRepository(prisma).findByIds(SEEDED_CATEGORIES.map((c) => c.id));
    expect(rows.map(({ createdAt: _, ...c }) => c).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([...SEEDED_CATEGORIES].sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  test("create, findByName (case-insensitive), update, unique names", async () => {
    const created = await services.create({ name: "Roofing", description: null, categoryId: SEEDED.roofing });
    expect(created).toMatchObject({ name: "Roofing", description: null, createdAt: expect.any(Date) });
    expect(await services.findByName("ROOFING")).toEqual(created);
    expect(await services.findByName("Roof")).toBeNull();
    await expect(services.create({ name: "Roofing", description: null, categoryId: SEEDED.other })).rejects.toBeInstanceOf(ServiceNameTakenError);
    await expect(services.update(created.id, { name: "Plumbing" })).rejects.toBeInstanceOf(ServiceNameTakenError);
    const updated = await services.update(created.id, { description: "Tiles", categoryId: SEEDED.outdoor });
    expect(updated).toMatchObject({ id: created.id, name: "Roofing", description: "Tiles", categoryId: SEEDED.outdoor, category: "Outdoor" });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await services.update(randomUUID(), { name: "Ghost" })).toBeNull();
  });

  test("findByIds is one query and skips unknown ids", async () => {
    const found = await services.findByIds([PLUMBING, ELECTRICAL, randomUUID()]);
    expect(found.map((s) => s.name).sort()).toEqual(["Electrical", "Plumbing"]);
    expect(statements()).toHaveLength(1);
  });
});

describe("PrismaProviderServiceRepository (real Postgres)", () => {
  test("assign/unassign write exactly one outbox row per real change, in the same transaction", async () => {
    const p = randomUUID();
    expect(await assignments.assign(p, PLUMBING, assigned(p, PLUMBING))).toBe(true);
    expect(await assignments.assign(p, PLUMBING, assigned(p, PLUMBING))).toBe(false);
    expect(await assignments.unassign(p, PLUMBING, unassigned(p, PLUMBING))).toBe(true);
    expect(await assignments.unassign(p, PLUMBING, unassigned(p, PLUMBING))).toBe(false);
    expect(await assignments.assign(p, PLUMBING, assigned(p, PLUMBING))).toBe(true);
    const events = await outbox();
    expect(events.map((e) => [e.type, e.payload, e.publishedAt])).toEqual([
      ["ProviderServiceAssigned", { providerId: p, serviceId: PLUMBING }, null],
      ["ProviderServiceUnassigned", { providerId: p, serviceId: PLUMBING }, null],
      ["ProviderServiceAssigned", { providerId: p, serviceId: PLUMBING }, null],
    ]);
    expect(await prisma.providerService.count()).toBe(1);
  });

  test("10 concurrent identical assigns: one row, one event; 10 concurrent unassigns: one event", async () => {
    const p = randomUUID();
    const assigns = await Promise.all(Array.from({ length: 10 }, () => assignments.assign(p, PLUMBING, assigned(p, PLUMBING))));
    expect(assigns.filter(Boolean)).toHaveLength(1);
    expect(await prisma.providerService.count({ where: { providerId: p } })).toBe(1);
    expect(await prisma.outboxEvent.count({ where: { type: "ProviderServiceAssigned" } })).toBe(1);

    const unassigns = await Promise.all(Array.from({ length: 10 }, () => assignments.unassign(p, PLUMBING, unassigned(p, PLUMBING))));
    expect(unassigns.filter(Boolean)).toHaveLength(1);
    expect(await prisma.providerService.count({ where: { providerId: p } })).toBe(0);
    expect(await prisma.outboxEvent.count({ where: { type: "ProviderServiceUnassigned" } })).toBe(1);
  });

  test("an event is written only if its change commits: unknown service → ServiceNotFoundError, no row, no event", async () => {
    const p = randomUUID();
    const ghost = randomUUID();
    await expect(assignments.assign(p, ghost, assigned(p, ghost))).rejects.toBeInstanceOf(ServiceNotFoundError);
    await expect(assignments.unassign(p, ghost, unassigned(p, ghost))).rejects.toBeInstanceOf(ServiceNotFoundError);
    expect(await prisma.providerService.count()).toBe(0);
    expect(await prisma.outboxEvent.count()).toBe(0);
  });

  test("services of N providers come from one SQL query, each list by name", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const s of ["Plumbing", "Cleaning", "Electrical"]) {
      const id = PREDEFINED_SERVICES.find((x) => x.name === s)!.id;
      await assignments.assign(a, id, assigned(a, id));
    }
    await assignments.assign(b, PLUMBING, assigned(b, PLUMBING));
    queries.length = 0;
    const rows = await assignments.servicesOfProviders([a, b, c]);
    expect(statements()).toHaveLength(1);
    expect(rows.filter((r) => r.providerId === a).map((r) => r.service.name)).toEqual(["Cleaning", "Electrical", "Plumbing"]);
    expect(rows.filter((r) => r.providerId === b).map((r) => r.service)).toEqual([
      expect.objectContaining({ id: PLUMBING, name: "Plumbing", createdAt: expect.any(Date) }),
    ]);
    expect(rows.filter((r) => r.providerId === c)).toEqual([]);
  });

  test("provider pages of several services: one SQL query, totals, rows after the cursor", async () => {
    const at = new Date("2026-03-01T10:00:00.000Z");
    const providers = Array.from({ length: 4 }, () => randomUUID()).sort();
    await prisma.providerService.createMany({ data: providers.map((providerId) => ({ providerId, serviceId: PLUMBING, createdAt: at })) });
    await prisma.providerService.create({ data: { providerId: providers[0]!, serviceId: ELECTRICAL, createdAt: at } });
    queries.length = 0;
    const pages = await assignments.providerPages([PLUMBING, ELECTRICAL, PREDEFINED_SERVICES[2]!.id], {
      limit: 2,
      after: { createdAt: at, id: providers[0]! },
    });
    expect(statements()).toHaveLength(1);
    expect(pages.get(PLUMBING)).toEqual({
      totalCount: 4,
      rows: providers.slice(1, 3).map((providerId) => ({ providerId, serviceId: PLUMBING, createdAt: at })),
    });
    expect(pages.get(ELECTRICAL)).toEqual({ totalCount: 1, rows: [] });
    expect(pages.get(PREDEFINED_SERVICES[2]!.id)).toEqual({ totalCount: 0, rows: [] });
  });
});

describe("providers connection over real Postgres", () => {
  test("pages across equal timestamps without skipping or repeating anyone", async () => {
    const catalog = new CatalogService(services, assignments, new PrismaCategoryRepository(prisma));
    const t1 = new Date("2026-03-01T10:00:00.123Z");
    const t2 = new Date("2026-03-01T10:00:00.124Z");
    // 7 providers at one instant, 3 a millisecond later, 2 earlier: order is (createdAt, providerId).
    const rows = [
      ...Array.from({ length: 7 }, () => ({ providerId: randomUUID(), createdAt: t1 })),
      ...Array.from({ length: 3 }, () => ({ providerId: randomUUID(), createdAt: t2 })),
      ...Array.from({ length: 2 }, () => ({ providerId: randomUUID(), createdAt: new Date(t1.getTime() - 60_000) })),
    ];
    await prisma.providerService.createMany({ data: rows.map((r) => ({ ...r, serviceId: PLUMBING })) });
    const expected = [...rows]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.providerId < b.providerId ? -1 : 1))
      .map((r) => r.providerId);

    for (const first of [1, 3, 5, 12, 20]) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await catalog.providers(catalog.createLoaders(), PLUMBING, { first, after });
        expect(page.totalCount).toBe(12);
        seen.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        pages++;
      } while (after && pages < 20);
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(12 / first));
    }
  });
});

import { describe, expect, test } from "vitest";
import { authenticated, decodeCursor, encodeCursor, type Role, type Viewer } from "@fixup/platform";
import { CatalogEvents } from "../domain/provider.js";
import { OTHER_CATEGORY_ID, SEEDED } from "../domain/category.js";
import { compareByName, PREDEFINED_SERVICES } from "../domain/service.js";
import { CatalogService } from "./catalog-service.js";
import { fakeId, FakeProviderServiceRepository, FakeServiceRepository } from "../../test/fakes.js";
import { appError } from "@fixup/platform/testing";

const PROVIDER_ID = fakeId(1, "aaaaaaaa-0000-4000-8000");
const viewer = (roles: Role[], userId = PROVIDER_ID): Viewer => ({ userId, roles });
const admin = viewer(["ADMIN"], fakeId(9, "adadadad-0000-4000-8000"));
const provider = viewer(["PROVIDER"]);

function setup() {
  let clock = Date.UTC(2026, 0, 1);
  const now = () => new Date(clock++);
  const services = new FakeServiceRepository(now);
  const assignments = new FakeProviderServiceRepository(services, now);
  const catalog = new CatalogService(services, assignments, services.categories);
  return { services, assignments, catalog };
}

async function seeded() {
  const ctx = setup();
  await ctx.catalog.seed();
  return { ...ctx, plumbing: PREDEFINED_SERVICES[0]!.id };
}

describe("authorization", () => {
  type Who = "anonymous" | "customer" | "provider" | "admin" | "admin+provider";
  const viewers: Record<Who, Viewer | null> = {
    anonymous: null,
    customer: viewer(["CUSTOMER"]),
    provider: viewer(["PROVIDER"]),
    admin: viewer(["ADMIN"]),
    "admin+provider": viewer(["ADMIN", "PROVIDER"]),
  };
  // Resolvers authenticate (the platform's `authenticated`) before the service authorizes: the table covers both.
  const as = (v: Viewer | null) => authenticated({ viewer: async () => v });
  const mutations = {
    createService: async (c: CatalogService, v: Viewer | null) => c.create(await as(v), { name: "Roofing", category: "Home repair" }),
    updateService: async (c: CatalogService, v: Viewer | null) => c.update(await as(v), PREDEFINED_SERVICES[0]!.id, { description: "Pipes" }),
    assignService: async (c: CatalogService, v: Viewer | null) => c.assign(await as(v), PREDEFINED_SERVICES[0]!.id),
    unassignService: async (c: CatalogService, v: Viewer | null) => c.unassign(await as(v), PREDEFINED_SERVICES[0]!.id),
    createCategory: async (c: CatalogService, v: Viewer | null) => c.createCategory(await as(v), { name: "Pools", parentId: SEEDED.outdoor }),
    updateCategory: async (c: CatalogService, v: Viewer | null) => c.updateCategory(await as(v), SEEDED.boilers, { parentId: SEEDED.plumbing }),
    deleteCategory: async (c: CatalogService, v: Viewer | null) => c.deleteCategory(await as(v), SEEDED.other),
  };
  const table: Array<{ mutation: keyof typeof mutations; who: Who; expected: "ok" | "UNAUTHENTICATED" | "FORBIDDEN" }> = [
    { mutation: "createService", who: "anonymous", expected: "UNAUTHENTICATED" },
    { mutation: "createService", who: "customer", expected: "FORBIDDEN" },
    { mutation: "createService", who: "provider", expected: "FORBIDDEN" },
    { mutation: "createService", who: "admin", expected: "ok" },
    { mutation: "createService", who: "admin+provider", expected: "ok" },
    { mutation: "updateService", who: "anonymous", expected: "UNAUTHENTICATED" },
    { mutation: "updateService", who: "customer", expected: "FORBIDDEN" },
    { mutation: "updateService", who: "provider", expected: "FORBIDDEN" },
    { mutation: "updateService", who: "admin", expected: "ok" },
    { mutation: "updateService", who: "admin+provider", expected: "ok" },
    { mutation: "assignService", who: "anonymous", expected: "UNAUTHENTICATED" },
    { mutation: "assignService", who: "customer", expected: "FORBIDDEN" },
    { mutation: "assignService", who: "provider", expected: "ok" },
    { mutation: "assignService", who: "admin", expected: "FORBIDDEN" },
    { mutation: "assignService", who: "admin+provider", expected: "ok" },
    { mutation: "unassignService", who: "anonymous", expected: "UNAUTHENTICATED" },
    { mutation: "unassignService", who: "customer", expected: "FORBIDDEN" },
    { mutation: "unassignService", who: "provider", expected: "ok" },
    { mutation: "unassignService", who: "admin", expected: "FORBIDDEN" },
    { mutation: "unassignService", who: "admin+provider", expected: "ok" },
    ...(["createCategory", "updateCategory", "deleteCategory"] as const).flatMap((mutation) => [
      { mutation, who: "anonymous" as const, expected: "UNAUTHENTICATED" as const },
      { mutation, who: "customer" as const, expected: "FORBIDDEN" as const },
      { mutation, who: "provider" as const, expected: "FORBIDDEN" as const },
      { mutation, who: "admin" as const, expected: "ok" as const },
    ]),
  ];

  test.each(table)("$mutation as $who → $expected", async ({ mutation, who, expected }) => {
    const { catalog, services, assignments } = await seeded();
    const before = {
      services: JSON.stringify([...services.rows.values()]),
      categories: JSON.stringify([...services.categories.rows.values()]),
      outbox: assignments.outbox.length,
    };
    const run = mutations[mutation](catalog, viewers[who]);
    if (expected === "ok") {
      await expect(run).resolves.toBeDefined();
    } else {
      expect((await appError(run)).code).toBe(expected);
      // Refused before anything was written.
      expect(JSON.stringify([...services.rows.values()])).toBe(before.services);
      expect(JSON.stringify([...services.categories.rows.values()])).toBe(before.categories);
      expect(assignments.outbox).toHaveLength(before.outbox);
    }
  });

  test("authorization is checked before input: a customer sending garbage gets FORBIDDEN", async () => {
    const { catalog } = await seeded();
    expect((await appError(catalog.create(viewers.customer!, { name: "" }))).code).toBe("FORBIDDEN");
    expect((await appError(catalog.update(viewers.customer!, "nope", { name: 5 }))).code).toBe("FORBIDDEN");
    expect((await appError(catalog.assign(viewers.customer!, "nope"))).code).toBe("FORBIDDEN");
  });
});

describe("createService / updateService input", () => {
  const long = (n: number) => "x".repeat(n);
  test.each<{ case: string; input: Record<string, unknown>; fields: Record<string, string> }>([
    { case: "empty name", input: { name: "", category: "Home repair" }, fields: { "input.name": "must not be empty" } },
    { case: "blank name", input: { name: "   ", category: "Home repair" }, fields: { "input.name": "must not be empty" } },
    { case: "name too long", input: { name: long(101), category: "c" }, fields: { "input.name": "must be at most 100 characters" } },
    { case: "name missing", input: { category: "c" }, fields: { "input.name": "is required" } },
    { case: "name null", input: { name: null, category: "c" }, fields: { "input.name": "must not be null" } },
    { case: "name not a string", input: { name: 7, category: "c" }, fields: { "input.name": "must be a string" } },
    { case: "category missing", input: { name: "Roofing" }, fields: { "input.categoryId": "is required (or the deprecated category)" } },
    { case: "both category forms", input: { name: "Roofing", category: "c", categoryId: SEEDED.roofing }, fields: { "input.category": "give categoryId or category, not both" } },
    { case: "unknown categoryId", input: { name: "Roofing", categoryId: "00000000-0000-4000-8000-000000000000" }, fields: { "input.categoryId": "is not a known category" } },
    { case: "malformed categoryId", input: { name: "Roofing", categoryId: "nope" }, fields: { "input.categoryId": "is not a known category" } },
    { case: "category too long", input: { name: "Roofing", category: long(51) }, fields: { "input.category": "must be at most 50 characters" } },
    { case: "description too long", input: { name: "Roofing", category: "c", description: long(2001) }, fields: { "input.description": "must be at most 2000 characters" } },
    {
      case: "several problems at once",
      input: { name: "", category: "" },
      fields: { "input.name": "must not be empty", "input.category": "must not be empty" },
    },
  ])("create: $case → BAD_USER_INPUT", async ({ input, fields }) => {
    const { catalog, services } = await seeded();
    const error = await appError(catalog.create(admin, input));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.fields).toEqual(fields);
    expect(services.calls.filter((c) => c.method === "create")).toHaveLength(0);
  });

  test.each<{ case: string; input: Record<string, unknown>; expected: { name: string; category: string; description: string | null } }>([
    { case: "trimmed and collapsed", input: { name: "  Roof   mending ", category: " Home  repair " }, expected: { name: "Roof mending", category: "Home repair", description: null } },
    { case: "boundary lengths", input: { name: long(100), category: long(50), description: long(2000) }, expected: { name: long(100), category: long(50), description: long(2000) } },
    { case: "blank description is none", input: { name: "Roofing", category: "c", description: "  " }, expected: { name: "Roofing", category: "c", description: null } },
    { case: "null description", input: { name: "Roofing", category: "c", description: null }, expected: { name: "Roofing", category: "c", description: null } },
    { case: "description trimmed", input: { name: "Roofing", category: "c", description: " Tiles " }, expected: { name: "Roofing", category: "c", description: "Tiles" } },
  ])("create: $case", async ({ input, expected }) => {
    const { catalog } = await seeded();
    expect(await catalog.create(admin, input)).toMatchObject(expected);
  });

  test.each<{ case: string; input: Record<string, unknown>; fields: Record<string, string> }>([
    { case: "empty name", input: { name: "" }, fields: { "input.name": "must not be empty" } },
    { case: "null name", input: { name: null }, fields: { "input.name": "must not be null" } },
    { case: "null category", input: { category: null }, fields: { "input.category": "must not be null" } },
    { case: "category too long", input: { category: long(51) }, fields: { "input.category": "must be at most 50 characters" } },
    { case: "description too long", input: { description: long(2001) }, fields: { "input.description": "must be at most 2000 characters" } },
  ])("update: $case → BAD_USER_INPUT", async ({ input, fields }) => {
    const { catalog, plumbing } = await seeded();
    const error = await appError(catalog.update(admin, plumbing, input));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.fields).toEqual(fields);
  });

  test("update changes only the given fields; null description clears it; empty input changes nothing", async () => {
    const { catalog, services, plumbing } = await seeded();
    const before = services.rows.get(plumbing)!;
    const renamed = await catalog.update(admin, plumbing, { name: "Plumbing & drains" });
    expect(renamed).toMatchObject({ id: plumbing, name: "Plumbing & drains", categoryId: SEEDED.plumbing, category: "Plumbing", description: before.description });
    expect(await catalog.update(admin, plumbing, { description: null })).toMatchObject({ description: null, name: "Plumbing & drains" });
    const updates = services.calls.filter((c) => c.method === "update").length;
    expect(await catalog.update(admin, plumbing, {})).toMatchObject({ name: "Plumbing & drains" });
    expect(services.calls.filter((c) => c.method === "update")).toHaveLength(updates);
  });

  test("upper-case id of an existing service updates it", async () => {
    const { catalog, plumbing } = await seeded();
    expect(await catalog.update(admin, plumbing.toUpperCase(), { category: "Plumbing" })).toMatchObject({ id: plumbing, category: "Plumbing" });
  });
});

describe("conflicts and missing services", () => {
  test.each([
    { case: "same name", name: "Plumbing" },
    { case: "same name in another case", name: "plumbing" },
    { case: "same name with extra spaces", name: "  Appliance   REPAIR " },
  ])("create with $case → CONFLICT", async ({ name }) => {
    const { catalog } = await seeded();
    expect((await appError(catalog.create(admin, { name, category: "c" }))).code).toBe("CONFLICT");
  });

  test("rename onto another service's name → CONFLICT; renaming a service to its own name in another case is fine", async () => {
    const { catalog, plumbing } = await seeded();
    expect((await appError(catalog.update(admin, plumbing, { name: "ELECTRICAL" }))).code).toBe("CONFLICT");
    expect(await catalog.update(admin, plumbing, { name: "PLUMBING" })).toMatchObject({ name: "PLUMBING" });
  });

  test("a unique violation the pre-check missed (a concurrent create) is still CONFLICT", async () => {
    const { catalog, services } = await seeded();
    services.findByName = async () => null;
    expect((await appError(catalog.create(admin, { name: "Plumbing", category: "c" }))).code).toBe("CONFLICT");
  });

  test.each([
    { case: "unknown uuid", id: "00000000-0000-4000-8000-000000000000" },
    { case: "malformed id", id: "not-a-uuid" },
    { case: "empty id", id: "" },
    { case: "sql in id", id: "1'; DROP TABLE services; --" },
  ])("$case → NOT_FOUND, and a malformed id never reaches the repository", async ({ id }) => {
    const { catalog, services, assignments } = await seeded();
    services.calls.length = 0;
    for (const call of [
      catalog.update(admin, id, { name: "X" }),
      catalog.assign(provider, id),
      catalog.unassign(provider, id),
    ]) {
      expect((await appError(call)).code).toBe("NOT_FOUND");
    }
    const calls = [...services.calls, ...assignments.calls];
    if (id.startsWith("00000000")) expect(calls.length).toBeGreaterThan(0);
    else expect(calls).toEqual([]);
    expect(assignments.outbox).toHaveLength(0);
  });

  test("service(id) answers null for unknown and malformed ids", async () => {
    const { catalog, plumbing } = await seeded();
    const loaders = catalog.createLoaders();
    expect(await catalog.byId(loaders, "nope")).toBeNull();
    expect(await catalog.byId(loaders, "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await catalog.byId(loaders, plumbing.toUpperCase())).toMatchObject({ id: plumbing, name: "Plumbing" });
  });
});

describe("assign / unassign", () => {
  test("write one outbox event per real change; repeats are no-ops that still answer the user", async () => {
    const { catalog, assignments, plumbing } = await seeded();
    expect(await catalog.assign(provider, plumbing)).toEqual({ id: PROVIDER_ID });
    expect(await catalog.assign(provider, plumbing.toUpperCase())).toEqual({ id: PROVIDER_ID });
    expect(await catalog.unassign(provider, plumbing)).toEqual({ id: PROVIDER_ID });
    expect(await catalog.unassign(provider, plumbing)).toEqual({ id: PROVIDER_ID });
    expect(assignments.outbox.map((e) => [e.type, e.payload])).toEqual([
      [CatalogEvents.ProviderServiceAssigned, { providerId: PROVIDER_ID, serviceId: plumbing }],
      [CatalogEvents.ProviderServiceUnassigned, { providerId: PROVIDER_ID, serviceId: plumbing }],
    ]);
    expect(new Set(assignments.outbox.map((e) => e.id)).size).toBe(2);
  });

  test("a provider only ever changes their own assignments", async () => {
    const { catalog, assignments, plumbing } = await seeded();
    const other = viewer(["PROVIDER"], fakeId(2, "bbbbbbbb-0000-4000-8000"));
    await catalog.assign(other, plumbing);
    expect(assignments.assignments.map((a) => a.providerId)).toEqual([other.userId]);
  });

  test("later fields of the same request see the change (loader caches are cleared)", async () => {
    const { catalog, plumbing } = await seeded();
    const loaders = catalog.createLoaders();
    expect(await catalog.servicesOf(loaders, PROVIDER_ID)).toEqual([]);
    expect((await catalog.providers(loaders, plumbing, {})).totalCount).toBe(0);
    await catalog.assign(provider, plumbing, loaders);
    expect((await catalog.servicesOf(loaders, PROVIDER_ID)).map((s) => s.name)).toEqual(["Plumbing"]);
    expect((await catalog.providers(loaders, plumbing, {})).totalCount).toBe(1);
  });
});

describe("batching", () => {
  test("services of N users (federation _entities) cost one repository call", async () => {
    const { catalog, assignments } = await seeded();
    const providers = [1, 2, 3].map((n) => viewer(["PROVIDER"], fakeId(n, "cccccccc-0000-4000-8000")));
    for (const [i, p] of providers.entries()) {
      for (const s of PREDEFINED_SERVICES.slice(0, i + 1)) await catalog.assign(p, s.id);
    }
    assignments.calls.length = 0;
    const loaders = catalog.createLoaders();
    const results = await Promise.all([...providers.map((p) => catalog.servicesOf(loaders, p.userId)), catalog.servicesOf(loaders, "garbage")]);
    expect(results.map((r) => r.map((s) => s.name))).toEqual([
      ["Plumbing"],
      ["Electrical", "Plumbing"],
      ["Cleaning", "Electrical", "Plumbing"],
      [],
    ]);
    expect(assignments.calls.map((c) => c.method)).toEqual(["servicesOfProviders"]);
    // The malformed id was dropped before the repository.
    expect(assignments.calls[0]!.args[0]).toEqual(providers.map((p) => p.userId));
  });

  test("Service references cost one repository call", async () => {
    const { catalog, services } = await seeded();
    services.calls.length = 0;
    const loaders = catalog.createLoaders();
    const ids = [...PREDEFINED_SERVICES.map((s) => s.id), "nope", "00000000-0000-4000-8000-000000000000"];
    const found = await Promise.all(ids.map((id) => catalog.byId(loaders, id)));
    expect(found.map((s) => s?.name ?? null)).toEqual([...PREDEFINED_SERVICES.map((s) => s.name), null, null]);
    expect(services.calls.map((c) => c.method)).toEqual(["findByIds"]);
  });

  test("providers of many services with the same page arguments cost one repository call", async () => {
    const { catalog, assignments } = await seeded();
    await catalog.assign(provider, PREDEFINED_SERVICES[0]!.id);
    assignments.calls.length = 0;
    const loaders = catalog.createLoaders();
    const pages = await Promise.all(PREDEFINED_SERVICES.map((s) => catalog.providers(loaders, s.id, { first: 5 })));
    expect(pages.map((p) => p.totalCount)).toEqual(PREDEFINED_SERVICES.map((_, i) => (i === 0 ? 1 : 0)));
    expect(pages[0]!.edges.map((e) => e.node)).toEqual([{ id: PROVIDER_ID }]);
    expect(assignments.calls.map((c) => c.method)).toEqual(["providerPages"]);
  });
});

describe("providers pagination", () => {
  test("pages through every provider once, in assignment order, with opaque cursors", async () => {
    const { catalog, plumbing } = await seeded();
    const ids = [1, 2, 3, 4, 5].map((n) => fakeId(n, "dddddddd-0000-4000-8000"));
    for (const id of ids) await catalog.assign(viewer(["PROVIDER"], id), plumbing);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pageNo = 0; pageNo < 10; pageNo++) {
      const page = await catalog.providers(catalog.createLoaders(), plumbing, { first: 2, after });
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(decodeCursor(after!).id).toBe(page.edges.at(-1)!.node.id);
    }
    expect(seen).toEqual(ids);
  });

  test.each([
    { case: "first above the maximum", args: { first: 101 }, field: "first" },
    { case: "negative first", args: { first: -1 }, field: "first" },
    { case: "garbage cursor", args: { after: "???" }, field: "after" },
    { case: "cursor with a non-uuid id", args: { after: encodeCursor({ createdAt: new Date(), id: "x'); --" }) }, field: "after" },
  ])("$case → BAD_USER_INPUT on $field", async ({ args, field }) => {
    const { catalog, plumbing, assignments } = await seeded();
    const error = await appError(catalog.providers(catalog.createLoaders(), plumbing, args));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(Object.keys(error.fields ?? {})).toEqual([field]);
    expect(assignments.calls.filter((c) => c.method === "providerPages")).toHaveLength(0);
  });

  test("first defaults to 20", async () => {
    const { catalog, plumbing } = await seeded();
    for (let n = 1; n <= 21; n++) await catalog.assign(viewer(["PROVIDER"], fakeId(n, "eeeeeeee-0000-4000-8000")), plumbing);
    const page = await catalog.providers(catalog.createLoaders(), plumbing, {});
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.totalCount).toBe(21);
  });
});

describe("list", () => {
  test.each<{ case: string; filter: Record<string, unknown>; names: string[] }>([
    { case: "everything, by name", filter: {}, names: [...PREDEFINED_SERVICES].sort(compareByName).map((s) => s.name) },
    { case: "category (by name) ignoring case, direct members only", filter: { category: "HEATING & COOLING" }, names: [] },
    { case: "category (by name)", filter: { category: "boilers" }, names: ["Boiler repair", "Boiler servicing"] },
    { case: "categoryId covers the subtree", filter: { categoryId: SEEDED.heatingCooling }, names: ["Air conditioning installation", "Air conditioning servicing", "Boiler repair", "Boiler servicing"] },
    { case: "unknown categoryId: nothing", filter: { categoryId: "00000000-0000-4000-8000-000000000000" }, names: [] },
    { case: "malformed categoryId: nothing", filter: { categoryId: "nope" }, names: [] },
    { case: "blank category is no filter", filter: { category: "  ", search: "paint" }, names: ["Painting", "Plastering", "Wallpapering"] },
    { case: "search in description ranks below names", filter: { search: "DISHWASHER" }, names: ["Dishwasher installation", "Appliance repair"] },
    { case: "typo finds a category's services", filter: { search: "plumbr", categoryId: SEEDED.home }, names: ["Plumbing", "Drain unblocking", "Leak repair", "Pipe installation", "Toilet repair", "Water heater installation"] },
    { case: "word order", filter: { search: "repair leak" }, names: expect.arrayContaining(["Leak repair"]) as unknown as string[] },
    { case: "search and subtree together", filter: { categoryId: SEEDED.electrical, search: "charger" }, names: ["EV charger installation"] },
    { case: "null arguments", filter: { category: null, search: null, categoryId: null }, names: [...PREDEFINED_SERVICES].sort(compareByName).map((s) => s.name) },
  ])("$case", async ({ filter, names }) => {
    const { catalog } = await seeded();
    expect((await catalog.list(filter)).map((s) => s.name)).toEqual(names);
  });

  test("the best match comes first: 'repair leak' → Leak repair", async () => {
    const { catalog } = await seeded();
    expect((await catalog.list({ search: "repair leak" }))[0]?.name).toBe("Leak repair");
    expect((await catalog.list({ search: "lawn mowign" }))[0]?.name).toBe("Lawn mowing");
  });

  test("an over-long search is BAD_USER_INPUT", async () => {
    const { catalog } = await seeded();
    const error = await appError(catalog.list({ search: "x".repeat(101) }));
    expect(error.fields).toEqual({ search: "must be at most 100 characters" });
  });
});

describe("seed", () => {
  test("creates the predefined services once and never overwrites an admin's edits", async () => {
    const { catalog, services, plumbing } = await seeded();
    expect(services.rows.size).toBe(PREDEFINED_SERVICES.length);
    await catalog.update(admin, plumbing, { name: "Pipes", description: "Edited" });
    expect(await catalog.seed()).toBe(0);
    expect(services.rows.get(plumbing)).toMatchObject({ name: "Pipes", description: "Edited" });
    expect(services.rows.size).toBe(PREDEFINED_SERVICES.length);
  });
});

describe("accountDeleted (users' UserDeleted)", () => {
  test("unassigns every service of the provider, each announced like an unassignment; safe to repeat", async () => {
    const { catalog, assignments, plumbing } = await seeded();
    const electrical = PREDEFINED_SERVICES[1]!.id;
    await catalog.assign(provider, plumbing);
    await catalog.assign(provider, electrical);
    assignments.outbox.length = 0;
    expect(await catalog.accountDeleted(PROVIDER_ID)).toBe(2);
    expect(assignments.outbox.map((e) => [e.type, e.payload.serviceId]).sort()).toEqual(
      [[CatalogEvents.ProviderServiceUnassigned, plumbing], [CatalogEvents.ProviderServiceUnassigned, electrical]].sort(),
    );
    expect(await catalog.accountDeleted(PROVIDER_ID)).toBe(0);
    expect(await catalog.accountDeleted("not-a-uuid")).toBe(0);
  });
});

describe("service categories", () => {
  test("categoryId files a service in the tree; its category name is the category's", async () => {
    const { catalog, services } = await seeded();
    const created = await catalog.create(admin, { name: "Sauna repair", categoryId: SEEDED.bathrooms.toUpperCase() });
    expect(created).toMatchObject({ categoryId: SEEDED.bathrooms, category: "Bathrooms" });
    expect(services.outbox.at(-1)?.payload).toEqual({ serviceId: created.id, categoryId: SEEDED.bathrooms });
    const moved = await catalog.update(admin, created.id, { categoryId: SEEDED.plumbing });
    expect(moved).toMatchObject({ categoryId: SEEDED.plumbing, category: "Plumbing" });
  });

  test("the old flat category: a known name (any case) is that category; an unknown one a new category under Other, once", async () => {
    const { catalog, services } = await seeded();
    expect(await catalog.create(admin, { name: "Sauna repair", category: "BATHROOMS" })).toMatchObject({ categoryId: SEEDED.bathrooms });
    const first = await catalog.create(admin, { name: "Pool cleaning", category: "Pools & spas" });
    const second = await catalog.create(admin, { name: "Pool heating", category: "pools & SPAS" });
    expect(second.categoryId).toBe(first.categoryId);
    expect(services.categories.rows.get(first.categoryId)).toMatchObject({ name: "Pools & spas", slug: "other-pools-spas", parentId: OTHER_CATEGORY_ID });
  });

  test("updating an unknown service with a flat category name creates no category", async () => {
    const { catalog, services } = await seeded();
    const before = services.categories.rows.size;
    expect((await appError(catalog.update(admin, "00000000-0000-4000-8000-000000000000", { category: "Brand new" }))).code).toBe("NOT_FOUND");
    expect(services.categories.rows.size).toBe(before);
  });

  test("a new category's slug that is taken gets a suffix", async () => {
    const { catalog, services } = await seeded();
    await catalog.createCategory(admin, { name: "Taken", slug: "other-pools" });
    const created = await catalog.create(admin, { name: "Pool cleaning", category: "Pools" });
    expect(services.categories.rows.get(created.categoryId)?.slug).toMatch(/^other-pools-[0-9a-f]{8}$/);
  });
});

describe("category tree", () => {
  test("roots by name; lookup by id or slug (exactly one); loaders answer children and services", async () => {
    const { catalog } = await seeded();
    const loaders = catalog.createLoaders();
    expect((await catalog.rootCategories()).map((c) => c.name)).toEqual(["Cleaning", "Home", "Moving & delivery", "Other", "Outdoor"]);
    expect(await catalog.category(loaders, { slug: "boilers" })).toMatchObject({ id: SEEDED.boilers, parentId: SEEDED.heatingCooling });
    expect(await catalog.category(loaders, { id: SEEDED.boilers })).toMatchObject({ slug: "boilers" });
    expect(await catalog.category(loaders, { slug: "nope" })).toBeNull();
    expect(await catalog.category(loaders, { id: "not-a-uuid" })).toBeNull();
    for (const args of [{}, { id: SEEDED.boilers, slug: "boilers" }, { id: null, slug: "  " }]) {
      const error = await appError(catalog.category(loaders, args));
      expect([error.code, error.fields]).toEqual(["BAD_USER_INPUT", { id: "give exactly one of id and slug" }]);
    }
    const [heating, kitchens] = await Promise.all([catalog.children(loaders, SEEDED.heatingCooling), catalog.children(loaders, SEEDED.renovation)]);
    expect(heating.map((c) => c.name)).toEqual(["Air conditioning", "Boilers"]);
    expect(kitchens.map((c) => c.name)).toEqual(["Bathrooms", "Kitchens"]);
    expect((await catalog.servicesIn(loaders, SEEDED.boilers)).map((s) => s.name)).toEqual(["Boiler repair", "Boiler servicing"]);
  });

  test.each<{ case: string; input: Record<string, unknown>; fields: Record<string, string> }>([
    { case: "name missing", input: {}, fields: { "input.name": "is required" } },
    { case: "name too long", input: { name: "x".repeat(51) }, fields: { "input.name": "must be at most 50 characters" } },
    { case: "bad slug", input: { name: "Pools", slug: "Pools!" }, fields: { "input.slug": "must be lower-case letters and digits separated by single hyphens" } },
    { case: "taken slug", input: { name: "Pipes", slug: "plumbing" }, fields: { "input.slug": 'is taken ("plumbing")' } },
    { case: "slug from the name taken", input: { name: "Plumbing" }, fields: { "input.slug": 'is taken ("plumbing")' } },
    { case: "no slug derivable", input: { name: "%%" }, fields: { "input.slug": "is required when the name has no letters or digits" } },
    { case: "unknown parent", input: { name: "Pools", parentId: "00000000-0000-4000-8000-000000000000" }, fields: { "input.parentId": "is not a known category" } },
    { case: "malformed parent", input: { name: "Pools", parentId: "x" }, fields: { "input.parentId": "is not a known category" } },
  ])("createCategory: $case → BAD_USER_INPUT", async ({ input, fields }) => {
    const { catalog } = await seeded();
    const error = await appError(catalog.createCategory(admin, input));
    expect([error.code, error.fields]).toEqual(["BAD_USER_INPUT", fields]);
  });

  test("createCategory derives the slug; a root without parentId", async () => {
    const { catalog } = await seeded();
    expect(await catalog.createCategory(admin, { name: " Pools  & spas ", parentId: SEEDED.outdoor })).toMatchObject({ name: "Pools & spas", slug: "pools-spas", parentId: SEEDED.outdoor });
    expect(await catalog.createCategory(admin, { name: "Pets", slug: "pet-care" })).toMatchObject({ slug: "pet-care", parentId: null });
  });

  test.each<{ case: string; move: string; under: string }>([
    { case: "under itself", move: SEEDED.home, under: SEEDED.home },
    { case: "under its child", move: SEEDED.home, under: SEEDED.plumbing },
    { case: "under its grandchild", move: SEEDED.home, under: SEEDED.boilers },
  ])("updateCategory: a move $case is BAD_USER_INPUT on parentId and changes nothing", async ({ move, under }) => {
    const { catalog, services } = await seeded();
    const before = JSON.stringify([...services.categories.rows.values()]);
    const error = await appError(catalog.updateCategory(admin, move, { parentId: under, name: "Renamed" }));
    expect([error.code, error.fields]).toEqual(["BAD_USER_INPUT", { "input.parentId": "would put the category under itself or one of its subcategories" }]);
    expect(JSON.stringify([...services.categories.rows.values()])).toBe(before);
  });

  test("updateCategory moves a subtree (services follow), renames, re-slugs, makes a root", async () => {
    const { catalog } = await seeded();
    const moved = await catalog.updateCategory(admin, SEEDED.heatingCooling, { parentId: SEEDED.plumbing });
    expect(moved).toMatchObject({ parentId: SEEDED.plumbing, name: "Heating & cooling" });
    expect((await catalog.list({ categoryId: SEEDED.plumbing })).map((s) => s.name)).toContain("Boiler repair");
    expect(await catalog.updateCategory(admin, SEEDED.heatingCooling, { parentId: null, name: "Climate", slug: "climate" })).toMatchObject({ parentId: null, name: "Climate", slug: "climate" });
    expect((await appError(catalog.updateCategory(admin, SEEDED.boilers, { slug: "plumbing" }))).fields).toEqual({ "input.slug": 'is taken ("plumbing")' });
    expect((await appError(catalog.updateCategory(admin, "00000000-0000-4000-8000-000000000000", { name: "x" }))).code).toBe("NOT_FOUND");
    expect((await appError(catalog.updateCategory(admin, SEEDED.boilers, { parentId: "00000000-0000-4000-8000-000000000000" }))).fields).toEqual({ "input.parentId": "is not a known category" });
  });

  test.each<{ case: string; id: string; code: string; message: RegExp }>([
    { case: "with subcategories", id: SEEDED.heatingCooling, code: "INVALID_STATE", message: /2 subcategories/ },
    { case: "with services", id: SEEDED.boilers, code: "INVALID_STATE", message: /2 services/ },
    { case: "unknown", id: "00000000-0000-4000-8000-000000000000", code: "NOT_FOUND", message: /not found/ },
    { case: "malformed", id: "x", code: "NOT_FOUND", message: /not found/ },
  ])("deleteCategory $case → $code", async ({ id, code, message }) => {
    const { catalog } = await seeded();
    const error = await appError(catalog.deleteCategory(admin, id));
    expect([error.code, error.message]).toEqual([code, expect.stringMatching(message)]);
  });

  test("deleteCategory removes an empty category", async () => {
    const { catalog, services } = await seeded();
    const pools = await catalog.createCategory(admin, { name: "Pools", parentId: SEEDED.outdoor });
    expect(await catalog.deleteCategory(admin, pools.id)).toBe(pools.id);
    expect(services.categories.rows.has(pools.id)).toBe(false);
  });
});

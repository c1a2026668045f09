import { describe, expect, test } from "vitest";
import { decodeCursor, encodeCursor, type Role, type Viewer } from "@fixup/platform";
import { CatalogEvents } from "../domain/provider.js";
import { PREDEFINED_SERVICES } from "../domain/service.js";
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
  const catalog = new CatalogService(services, assignments);
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
  const mutations = {
    createService: (c: CatalogService, v: Viewer | null) => c.create(v, { name: "Roofing", category: "Home repair" }),
    updateService: (c: CatalogService, v: Viewer | null) => c.update(v, PREDEFINED_SERVICES[0]!.id, { description: "Pipes" }),
    assignService: (c: CatalogService, v: Viewer | null) => c.assign(v, PREDEFINED_SERVICES[0]!.id),
    unassignService: (c: CatalogService, v: Viewer | null) => c.unassign(v, PREDEFINED_SERVICES[0]!.id),
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
  ];

  test.each(table)("$mutation as $who → $expected", async ({ mutation, who, expected }) => {
    const { catalog, services, assignments } = await seeded();
    const before = { services: JSON.stringify([...services.rows.values()]), outbox: assignments.outbox.length };
    const run = mutations[mutation](catalog, viewers[who]);
    if (expected === "ok") {
      await expect(run).resolves.toBeDefined();
    } else {
      expect((await appError(run)).code).toBe(expected);
      // Refused before anything was written.
      expect(JSON.stringify([...services.rows.values()])).toBe(before.services);
      expect(assignments.outbox).toHaveLength(before.outbox);
    }
  });

  test("authorization is checked before input: a customer sending garbage gets FORBIDDEN", async () => {
    const { catalog } = await seeded();
    expect((await appError(catalog.create(viewers.customer, { name: "" }))).code).toBe("FORBIDDEN");
    expect((await appError(catalog.update(viewers.customer, "nope", { name: 5 }))).code).toBe("FORBIDDEN");
    expect((await appError(catalog.assign(viewers.customer, "nope"))).code).toBe("FORBIDDEN");
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
    { case: "category missing", input: { name: "Roofing" }, fields: { "input.category": "is required" } },
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
    { case: "trimmed and collapsed", input: { name: "  Roof   repair ", category: " Home  repair " }, expected: { name: "Roof repair", category: "Home repair", description: null } },
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
    expect(renamed).toMatchObject({ id: plumbing, name: "Plumbing & drains", category: before.category, description: before.description });
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
    expect(pages.map((p) => p.totalCount)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
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
    { case: "everything, by name", filter: {}, names: [...PREDEFINED_SERVICES.map((s) => s.name)].sort((a, b) => a.localeCompare(b)) },
    { case: "category ignoring case", filter: { category: "OUTDOOR" }, names: ["Gardening"] },
    { case: "blank category is no filter", filter: { category: "  ", search: "paint" }, names: ["Painting"] },
    { case: "search in description", filter: { search: "DISHWASHER" }, names: ["Appliance repair"] },
    { case: "search and category together", filter: { category: "home repair", search: "elect" }, names: ["Electrical"] },
    { case: "null arguments", filter: { category: null, search: null }, names: [...PREDEFINED_SERVICES.map((s) => s.name)].sort((a, b) => a.localeCompare(b)) },
  ])("$case", async ({ filter, names }) => {
    const { catalog } = await seeded();
    expect((await catalog.list(filter)).map((s) => s.name)).toEqual(names);
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

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAdmin } from "../../subgraphs/users/src/cli/create-admin.js";
import { gql, gqlOk, registerUser, startFederation, uniqueEmail, type Federation, type TestUser } from "../support/federation.js";
import { loginToken } from "../support/read-your-writes.js";

// The category tree through the gateway: the seeded taxonomy, the subtree filter, typo-tolerant ranked search, and
// an admin reshaping the tree (moves without cycles, deletes only of empty categories), with services following.
let fed: Federation;
let admin: string;
let customer: TestUser;

beforeAll(async () => {
  fed = await startFederation();
  const email = uniqueEmail("catalog-admin");
  await createAdmin(fed.databaseUrls.users, { email, password: "correct horse battery", name: "Catalog Admin" });
  admin = await loginToken(fed.gatewayUrl, email, "correct horse battery");
  customer = await registerUser(fed.gatewayUrl, ["CUSTOMER"], "Tree Customer");
}, 90_000);

afterAll(async () => {
  await fed?.stop();
});

const ok = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) => gqlOk<T>(fed.gatewayUrl, query, variables, token);
const call = (query: string, variables: Record<string, unknown> = {}, token?: string) => gql(fed.gatewayUrl, query, variables, token);
const names = (list: Array<{ name: string }>) => list.map((x) => x.name);

interface Node {
  id: string;
  name: string;
  slug: string;
  parent: { slug: string } | null;
  children: Array<{ name: string; slug: string; children: Array<{ name: string }> }>;
  services: Array<{ name: string }>;
}
const NODE = "id name slug parent { slug } children { name slug children { name } } services { name }";
const bySlug = async (slug: string) => (await ok<{ category: Node | null }>(`query($s: String) { category(slug: $s) { ${NODE} } }`, { s: slug })).category;
const SERVICES = "query($c: ID, $q: String) { services(categoryId: $c, search: $q) { name category categoryNode { slug parent { slug } } } }";
const services = async (vars: { c?: string; q?: string }) =>
  (await ok<{ services: Array<{ name: string; category: string; categoryNode: { slug: string; parent: { slug: string } | null } }> }>(SERVICES, vars)).services;

describe("catalog tree through the gateway", () => {
  test("the seeded tree: roots, three levels, services at their place; category(id | slug)", async () => {
    const { categories } = await ok<{ categories: Array<{ name: string; parent: null; children: Array<{ name: string; children: Array<{ name: string }> }> }> }>(
      "{ categories { name parent { name } children { name children { name } } } }",
    );
    expect(names(categories)).toEqual(["Cleaning", "Home", "Moving & delivery", "Other", "Outdoor"]);
    const home = categories.find((c) => c.name === "Home")!;
    expect(names(home.children)).toEqual(expect.arrayContaining(["Plumbing", "Electrical", "Heating & cooling", "Renovation"]));
    expect(names(home.children.find((c) => c.name === "Heating & cooling")!.children)).toEqual(["Air conditioning", "Boilers"]);

    const plumbing = (await bySlug("plumbing"))!;
    expect(plumbing).toMatchObject({ name: "Plumbing", parent: { slug: "home" }, children: [] });
    expect(names(plumbing.services)).toEqual(["Drain unblocking", "Leak repair", "Pipe installation", "Plumbing", "Toilet repair", "Water heater installation"]);
    const byId = await ok<{ category: { slug: string } }>("query($id: ID) { category(id: $id) { slug } }", { id: plumbing.id });
    expect(byId.category.slug).toBe("plumbing");
    expect(await bySlug("no-such-category")).toBeNull();
    for (const args of ["", `(id: "${plumbing.id}", slug: "plumbing")`]) {
      const res = await call(`{ category${args} { id } }`);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { id: "give exactly one of id and slug" } });
    }
    // The deprecated flat field still answers, as the category's name.
    const leak = (await services({ q: "Leak repair" }))[0]!;
    expect(leak).toEqual({ name: "Leak repair", category: "Plumbing", categoryNode: { slug: "plumbing", parent: { slug: "home" } } });
  });

  test("services(categoryId:) takes the whole subtree", async () => {
    const heating = (await bySlug("heating-cooling"))!;
    expect(names(await services({ c: heating.id }))).toEqual(["Air conditioning installation", "Air conditioning servicing", "Boiler repair", "Boiler servicing"]);
    const home = (await bySlug("home"))!;
    const inHome = await services({ c: home.id });
    expect(inHome.length).toBeGreaterThan(25);
    expect(names(inHome)).toEqual(expect.arrayContaining(["Leak repair", "Boiler repair", "Kitchen fitting"]));
    expect(names(inHome)).not.toContain("Lawn mowing");
    expect(await services({ c: "00000000-0000-4000-8000-000000000000" })).toEqual([]);
  });

  test("search forgives typos and word order, ranked best first", async () => {
    const plumbr = await services({ q: "plumbr" });
    expect(plumbr.length).toBeGreaterThanOrEqual(6);
    expect(plumbr.every((s) => s.categoryNode.slug === "plumbing")).toBe(true);
    expect((await services({ q: "repair leak" }))[0]?.name).toBe("Leak repair");
    expect((await services({ q: "lawn mowign" }))[0]?.name).toBe("Lawn mowing");
    expect((await services({ q: "PLUMB" }))[0]?.name).toBe("Plumbing");
    const outdoor = (await bySlug("outdoor"))!;
    expect(names(await services({ q: "roof repar", c: outdoor.id }))[0]).toBe("Roof repair");
    expect(await services({ q: "%" })).toEqual([]);
  });

  test("an admin builds, moves and deletes categories; cycles and non-empty deletes are refused; services follow", async () => {
    const CREATE = "mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id name slug parent { slug } } }";
    const UPDATE = "mutation($id: ID!, $i: UpdateCategoryInput!) { updateCategory(id: $id, input: $i) { id slug parent { slug } } }";
    const DELETE = "mutation($id: ID!) { deleteCategory(id: $id) }";
    const outdoor = (await bySlug("outdoor"))!;
    const home = (await bySlug("home"))!;

    expect((await call(CREATE, { i: { name: "Pools" } }, customer.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const pools = (await ok<{ createCategory: { id: string; slug: string; parent: { slug: string } } }>(CREATE, { i: { name: "Pools & spas", parentId: outdoor.id } }, admin)).createCategory;
    expect(pools).toMatchObject({ slug: "pools-spas", parent: { slug: "outdoor" } });
    const heating = (await ok<{ createCategory: { id: string } }>(CREATE, { i: { name: "Pool heating", slug: "pool-heating", parentId: pools.id } }, admin)).createCategory;
    const taken = await call(CREATE, { i: { name: "Plumbing" } }, admin);
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.slug": 'is taken ("plumbing")' } });

    // A service in the new subcategory; orders accepts orders for it (ServiceCreated still carries serviceId).
    const created = await ok<{ createService: { id: string; category: string; categoryNode: { slug: string } } }>(
      "mutation($i: CreateServiceInput!) { createService(input: $i) { id category categoryNode { slug } } }",
      { i: { name: "Pool heat pump installation", categoryId: heating.id } },
      admin,
    );
    expect(created.createService).toMatchObject({ category: "Pool heating", categoryNode: { slug: "pool-heating" } });
    await ok("mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }", { i: { serviceId: created.createService.id, title: "Heat my pool", description: "Before summer", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } }, customer.token);
    expect(names(await services({ c: outdoor.id }))).toContain("Pool heat pump installation");

    // No cycles: under itself or its own descendant.
    for (const parentId of [pools.id, heating.id]) {
      const cycle = await call(UPDATE, { id: pools.id, i: { parentId } }, admin);
      expect(cycle.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.parentId": expect.any(String) } });
    }
    // Move the subtree under Home: the service follows it.
    expect((await ok<{ updateCategory: { parent: { slug: string } } }>(UPDATE, { id: pools.id, i: { parentId: home.id } }, admin)).updateCategory.parent.slug).toBe("home");
    expect(names(await services({ c: outdoor.id }))).not.toContain("Pool heat pump installation");
    expect(names(await services({ c: home.id }))).toContain("Pool heat pump installation");
    expect((await services({ q: "pool heatng" }))[0]?.name).toBe("Pool heat pump installation");

    // Deletes only of empty categories.
    const nonEmpty = await call(DELETE, { id: pools.id }, admin);
    expect(nonEmpty.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
    expect((await call(DELETE, { id: heating.id }, admin)).errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
    await ok("mutation($id: ID!, $i: UpdateServiceInput!) { updateService(id: $id, input: $i) { id } }", { id: created.createService.id, i: { categoryId: home.id } }, admin);
    expect((await ok<{ deleteCategory: string }>(DELETE, { id: heating.id }, admin)).deleteCategory).toBe(heating.id);
    expect((await ok<{ deleteCategory: string }>(DELETE, { id: pools.id }, admin)).deleteCategory).toBe(pools.id);
    expect(await bySlug("pools-spas")).toBeNull();
    expect((await call(DELETE, { id: pools.id }, admin)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

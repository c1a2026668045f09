// The catalog subgraph end to end over HTTP: real Postgres, a tiny local JWKS server standing in for the users
// service, and an in-process event bus to watch the outbox relay.
import { randomUUID } from "node:crypto";
import { generateKeyPair, type CryptoKey } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import {
  createLogger,
  eventStream,
  memoryEventBus,
  type EventBus,
  type IntegrationEvent,
  type Role,
  type RunningServer,
  type Subscription,
} from "@fixup/platform";
import { createTestDatabase, startTestIssuer, type TestDatabase, type TestIssuer } from "@fixup/platform/testing";
import { migrationsDir, startCatalogService } from "./app.js";
import { loadCatalogConfig } from "./config.js";
import { PREDEFINED_SERVICES } from "./domain/service.js";

let db: TestDatabase;
let issuer: TestIssuer;
let server: RunningServer;
let bus: EventBus;
let subscription: Subscription;
const events: IntegrationEvent[] = [];
const queries: string[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  const usersUrl = issuer.usersUrl;

  db = await createTestDatabase("catalog_app", migrationsDir);
  const logger = createLogger("catalog-test", "silent");
  bus = memoryEventBus(logger);
  subscription = bus.subscribe(eventStream("catalog"), "catalog-test", "c1", async (event) => {
    events.push(event);
  });
  server = await startCatalogService(
    loadCatalogConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", CATALOG_PORT: "0", CATALOG_DATABASE_URL: db.url, USERS_URL: usersUrl }),
    { logger, bus, redis: null, onQuery: (sql) => queries.push(sql) },
  );
});

afterAll(async () => {
  await server?.close();
  await subscription?.stop();
  await bus?.close();
  await issuer?.close();
  await db?.drop();
});

beforeEach(() => {
  queries.length = 0;
});

interface TokenOptions {
  sub?: string;
  roles?: Role[];
  expiresIn?: string | number;
  key?: CryptoKey;
  issuer?: string;
}

const token = ({ sub = randomUUID(), ...rest }: TokenOptions = {}) => issuer.token({ sub, ...rest });

interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; fields?: Record<string, string> } }>;
}

async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, bearer?: string): Promise<GraphQLResult<T>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResult<T>, "status">) };
}

const codeOf = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions?.code;
const PLUMBING = PREDEFINED_SERVICES.find((s) => s.name === "Plumbing")!.id;
const ELECTRICAL = PREDEFINED_SERVICES.find((s) => s.name === "Electrical")!.id;
const CLEANING = PREDEFINED_SERVICES.find((s) => s.name === "Cleaning")!.id;

const SERVICES = "query S($category: String, $search: String) { services(category: $category, search: $search) { id name category description } }";
const CREATE = "mutation C($input: CreateServiceInput!) { createService(input: $input) { id name description category } }";
const UPDATE = "mutation U($id: ID!, $input: UpdateServiceInput!) { updateService(id: $id, input: $input) { id name description category } }";
const ASSIGN = "mutation A($id: ID!) { assignService(serviceId: $id) { id services { name } } }";
const UNASSIGN = "mutation A($id: ID!) { unassignService(serviceId: $id) { id services { name } } }";
const PROVIDERS = `query P($id: ID!, $first: Int, $after: String) {
  service(id: $id) { providers(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }
}`;

describe("public queries", () => {
  test("a fresh database is seeded; services are public and ordered by name", async () => {
    const res = await gql<{ services: Array<{ name: string; category: string }> }>(SERVICES);
    expect(res.errors).toBeUndefined();
    const names = res.data!.services.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(PREDEFINED_SERVICES.map((s) => s.name)));
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  test.each([
    { case: "category (by name) ignoring case", vars: { category: "kitchens" }, names: ["Kitchen fitting", "Worktop installation"] },
    { case: "search in names, ranked", vars: { search: "PAINT" }, names: ["Painting", "Plastering", "Wallpapering"] },
    { case: "search in description ranks below a name", vars: { search: "fuse box" }, names: ["Fuse box upgrade", "Electrical"] },
    { case: "category and search", vars: { category: "Appliances", search: "washing" }, names: ["Washing machine repair", "Appliance repair"] },
    { case: "nothing matches", vars: { search: "%" }, names: [] },
  ])("services($vars) → $names", async ({ vars, names }) => {
    const res = await gql<{ services: Array<{ name: string }> }>(SERVICES, vars);
    expect(res.data?.services.map((s) => s.name)).toEqual(names);
  });

  test.each([
    { case: "known id", id: PLUMBING, name: "Plumbing" },
    { case: "known id in upper case", id: PLUMBING.toUpperCase(), name: "Plumbing" },
    { case: "unknown id", id: randomUUID(), name: null },
    { case: "malformed id", id: "plumbing", name: null },
  ])("service(id) with $case", async ({ id, name }) => {
    const res = await gql<{ service: { name: string } | null }>("query Q($id: ID!) { service(id: $id) { name } }", { id });
    expect(res.errors).toBeUndefined();
    expect(res.data?.service?.name ?? null).toBe(name);
  });
});

describe("admin mutations", () => {
  test("authorization: no token, bad tokens, non-admins", async () => {
    const input = { name: "Roofing", category: "Home repair" };
    const otherKey = (await generateKeyPair("ES256")).privateKey;
    const cases: Array<[string, string | undefined, string]> = [
      ["no token", undefined, "UNAUTHENTICATED"],
      ["expired token", await token({ roles: ["ADMIN"], expiresIn: Math.floor(Date.now() / 1000) - 60 }), "UNAUTHENTICATED"],
      ["token signed by another key", await token({ roles: ["ADMIN"], key: otherKey }), "UNAUTHENTICATED"],
      ["token from another issuer", await token({ roles: ["ADMIN"], issuer: "someone-else" }), "UNAUTHENTICATED"],
      ["garbage token", "not.a.jwt", "UNAUTHENTICATED"],
      ["customer", await token({ roles: ["CUSTOMER"] }), "FORBIDDEN"],
      ["provider", await token({ roles: ["PROVIDER"] }), "FORBIDDEN"],
    ];
    for (const [name, bearer, code] of cases) {
      const create = await gql(CREATE, { input }, bearer);
      const update = await gql(UPDATE, { id: PLUMBING, input: { name: "Hacked" } }, bearer);
      expect([name, codeOf(create), codeOf(update)]).toEqual([name, code, code]);
    }
    const res = await gql<{ services: Array<{ name: string }> }>(SERVICES, { search: "Roofing" });
    expect(res.data?.services.map((s) => s.name)).not.toContain("Roofing");
  });

  test("create → update → duplicates and validation", async () => {
    const admin = await token({ roles: ["ADMIN"] });
    const created = await gql<{ createService: { id: string; name: string; description: string | null; category: string } }>(
      CREATE,
      { input: { name: "  Shutter   cleaning ", category: "Cleaning", description: "Inside and out" } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const service = created.data!.createService;
    expect(service).toMatchObject({ name: "Shutter cleaning", category: "Cleaning", description: "Inside and out" });

    const dup = await gql(CREATE, { input: { name: "SHUTTER CLEANING", category: "Cleaning" } }, admin);
    expect(codeOf(dup)).toBe("CONFLICT");

    const invalid = await gql(CREATE, { input: { name: "", category: "x".repeat(51) } }, admin);
    expect(codeOf(invalid)).toBe("BAD_USER_INPUT");
    expect(invalid.errors?.[0]?.extensions?.fields).toEqual({
      "input.name": "must not be empty",
      "input.category": "must be at most 50 characters",
    });

    const updated = await gql<{ updateService: Record<string, unknown> }>(UPDATE, { id: service.id, input: { description: null, category: "Outdoor" } }, admin);
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateService).toEqual({ id: service.id, name: "Shutter cleaning", description: null, category: "Outdoor" });

    const taken = await gql(UPDATE, { id: service.id, input: { name: "plumbing" } }, admin);
    expect(codeOf(taken)).toBe("CONFLICT");

    for (const id of [randomUUID(), "not-a-uuid"]) {
      expect(codeOf(await gql(UPDATE, { id, input: { name: "X" } }, admin))).toBe("NOT_FOUND");
    }
    // A bad uuid is refused before Postgres: no statement reached the database with it.
    expect(queries.join("\n")).not.toContain("not-a-uuid");
  });
});

describe("provider mutations and integration events", () => {
  test("assign/unassign for oneself: idempotent, one event per real change, relayed to the bus", async () => {
    const providerId = randomUUID();
    const provider = await token({ sub: providerId, roles: ["PROVIDER"] });
    const before = events.length;

    const first = await gql<{ assignService: { id: string; services: Array<{ name: string }> } }>(ASSIGN, { id: PLUMBING }, provider);
    expect(first.errors).toBeUndefined();
    expect(first.data?.assignService).toEqual({ id: providerId, services: [{ name: "Plumbing" }] });
    const again = await gql<{ assignService: { services: Array<{ name: string }> } }>(ASSIGN, { id: PLUMBING }, provider);
    expect(again.data?.assignService.services).toEqual([{ name: "Plumbing" }]);
    await gql(ASSIGN, { id: ELECTRICAL }, provider);
    const removed = await gql<{ unassignService: { services: Array<{ name: string }> } }>(UNASSIGN, { id: PLUMBING }, provider);
    expect(removed.data?.unassignService.services).toEqual([{ name: "Electrical" }]);
    expect(codeOf(await gql(UNASSIGN, { id: PLUMBING }, provider))).toBeUndefined();

    await vi.waitFor(() => expect(events.filter((e) => e.payload.providerId === providerId).length).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    // The stream is ordered: once a later event (another provider's assignment) has arrived, no extra event of this
    // provider's (a duplicate for the idempotent calls) can still come.
    const sentinelId = randomUUID();
    await gql(ASSIGN, { id: PLUMBING }, await token({ sub: sentinelId, roles: ["PROVIDER"] }));
    await vi.waitFor(() => expect(events.some((e) => e.payload.providerId === sentinelId)).toBe(true), { timeout: 5_000 });
    const mine = events.slice(before).filter((e) => e.payload.providerId === providerId);
    expect(mine.map((e) => [e.type, e.payload, e.source])).toEqual([
      ["ProviderServiceAssigned", { providerId, serviceId: PLUMBING }, "catalog"],
      ["ProviderServiceAssigned", { providerId, serviceId: ELECTRICAL }, "catalog"],
      ["ProviderServiceUnassigned", { providerId, serviceId: PLUMBING }, "catalog"],
    ]);
    expect(new Set(mine.map((e) => e.id)).size).toBe(3);
  });

  test("two mutations in one operation: the second sees the first", async () => {
    const providerId = randomUUID();
    const provider = await token({ sub: providerId, roles: ["PROVIDER"] });
    const res = await gql<{ a: { services: Array<{ name: string }> }; b: { services: Array<{ name: string }> } }>(
      "mutation { a: assignService(serviceId: \"" + CLEANING + "\") { services { name } } b: assignService(serviceId: \"" + PLUMBING + "\") { services { name } } }",
      {},
      provider,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.a.services.map((s) => s.name)).toEqual(["Cleaning"]);
    expect(res.data?.b.services.map((s) => s.name)).toEqual(["Cleaning", "Plumbing"]);
  });

  test.each([
    { who: "anonymous", roles: null, code: "UNAUTHENTICATED" },
    { who: "customer", roles: ["CUSTOMER"] as Role[], code: "FORBIDDEN" },
    { who: "admin", roles: ["ADMIN"] as Role[], code: "FORBIDDEN" },
  ])("assign/unassign as $who → $code", async ({ roles, code }) => {
    const bearer = roles ? await token({ roles }) : undefined;
    expect(codeOf(await gql(ASSIGN, { id: PLUMBING }, bearer))).toBe(code);
    expect(codeOf(await gql(UNASSIGN, { id: PLUMBING }, bearer))).toBe(code);
  });

  test("unknown or malformed service → NOT_FOUND", async () => {
    const provider = await token({ roles: ["PROVIDER"] });
    for (const id of [randomUUID(), "123"]) {
      expect(codeOf(await gql(ASSIGN, { id }, provider))).toBe("NOT_FOUND");
      expect(codeOf(await gql(UNASSIGN, { id }, provider))).toBe("NOT_FOUND");
    }
  });
});

describe("Service.providers", () => {
  test("pages through providers with opaque cursors; bad cursor → BAD_USER_INPUT", async () => {
    const providerIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      providerIds.push(id);
      await gql(ASSIGN, { id: "9c2eeb7e-1b70-459d-84d8-e6e345e8223f" }, await token({ sub: id, roles: ["PROVIDER"] }));
    }
    type Page = { service: { providers: { totalCount: number; edges: Array<{ cursor: string; node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res: GraphQLResult<Page> = await gql<Page>(PROVIDERS, { id: "9c2eeb7e-1b70-459d-84d8-e6e345e8223f", first: 2, after });
      expect(res.errors).toBeUndefined();
      const connection = res.data!.service.providers;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.edges.map((e) => e.node.id));
      expect(connection.pageInfo.hasNextPage).toBe(i < 2);
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(providerIds);

    for (const bad of ["garbage", Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "1; DROP"])).toString("base64url")]) {
      const res = await gql(PROVIDERS, { id: PLUMBING, after: bad });
      expect(codeOf(res)).toBe("BAD_USER_INPUT");
      expect(res.errors?.[0]?.extensions?.fields).toEqual({ after: "is not a valid cursor" });
    }
    expect(codeOf(await gql(PROVIDERS, { id: PLUMBING, first: 101 }))).toBe("BAD_USER_INPUT");
  });

  test("providers of every service in a list cost one query", async () => {
    queries.length = 0;
    const res = await gql<{ services: Array<{ providers: { totalCount: number } }> }>("{ services { name providers(first: 3) { totalCount edges { node { id } } } } }");
    expect(res.errors).toBeUndefined();
    expect(res.data!.services.length).toBeGreaterThanOrEqual(PREDEFINED_SERVICES.length);
    expect(queries.filter((q) => q.includes("provider_services"))).toHaveLength(1);
  });

  test("the tree under a list costs one query per level, whatever its width", async () => {
    queries.length = 0;
    const res = await gql<{ services: Array<{ categoryNode: { name: string; parent: { name: string } | null } }>; categories: Array<{ children: Array<{ services: unknown[] }> }> }>(
      "{ services { name categoryNode { name parent { name } } } categories { name children { name services { name } children { name } } } }",
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.services.find((s) => s.categoryNode.name === "Boilers")?.categoryNode.parent?.name).toBe("Heating & cooling");
    // services, categoryNode (1 batch), parent (1 batch), roots, children (2 levels), services per category (1 batch)
    expect(queries.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(q.trim())).length).toBeLessThanOrEqual(7);
  });
});

describe("federation _entities", () => {
  const ENTITIES = `query E($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User { id services { id name } }
      ... on Service { id name category }
    }
  }`;

  test("User.services for N users: one SQL query for the whole batch", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await gql(ASSIGN, { id: PLUMBING }, await token({ sub: a, roles: ["PROVIDER"] }));
    await gql(ASSIGN, { id: CLEANING }, await token({ sub: a, roles: ["PROVIDER"] }));
    await gql(ASSIGN, { id: ELECTRICAL }, await token({ sub: b, roles: ["PROVIDER"] }));
    queries.length = 0;

    const res = await gql<{ _entities: Array<{ id: string; services: Array<{ name: string }> } | null> }>(ENTITIES, {
      representations: [a, b, c, "not-a-uuid"].map((id) => ({ __typename: "User", id })),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((u) => [u?.id, u?.services.map((s) => s.name)])).toEqual([
      [a, ["Cleaning", "Plumbing"]],
      [b, ["Electrical"]],
      [c, []],
      ["not-a-uuid", []],
    ]);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain("provider_services");
  });

  test("Service references: one SQL query for the whole batch; unknown ones are null", async () => {
    queries.length = 0;
    const ids = [PLUMBING, ELECTRICAL, CLEANING, randomUUID(), "bad"];
    const res = await gql<{ _entities: Array<{ id: string; name: string } | null> }>(ENTITIES, {
      representations: ids.map((id) => ({ __typename: "Service", id })),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((s) => s?.name ?? null)).toEqual(["Plumbing", "Electrical", "Cleaning", null, null]);
    expect(queries).toHaveLength(1);
  });
});

describe("operations endpoints", () => {
  test("healthz, readyz and metrics answer", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
    }
  });
});

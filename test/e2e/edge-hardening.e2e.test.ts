import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { postJson, registerUser, startFederation, uniqueEmail, type Federation, type TestUser } from "../support/federation.js";
import { orderWithConversation, type ChatSetup } from "../support/marketplace.js";
import { subscribe, wsClient } from "../support/live.js";
import { leafPaths, loadSupergraph, operationFor, prng, rootFields, samePath, valueFor, type InputPath } from "../support/schema-inputs.js";

/** Each answer of the edge: never a 5xx, never INTERNAL_SERVER_ERROR, whatever the client sent. */
interface Answer {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | null;
}

const METRICS_MAX_OPERATIONS = 20;
let fed: Federation;
let both: TestUser;
let chat: ChatSetup;
// Requests here come from random client addresses (loopback is a trusted proxy by default), so the per-IP
// reset and login budgets they spend are their own and not those of other test files run within the hour.
const clientIp = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

async function post(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  const res = await fetch(`${fed.gatewayUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": clientIp(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer["body"]) : null };
}

const codes = (a: Answer) => (a.body?.errors ?? []).map((e) => e.extensions?.code);
const expectNoServerError = (a: Answer, what: string) => {
  expect(a.status, what).toBeLessThan(500);
  expect(codes(a), what).not.toContain("INTERNAL_SERVER_ERROR");
};
const fieldsOf = (a: Answer) => a.body?.errors?.[0]?.extensions?.fields as Record<string, string> | undefined;

beforeAll(async () => {
  fed = await startFederation({ env: { METRICS_MAX_OPERATIONS: String(METRICS_MAX_OPERATIONS) } });
  both = await registerUser(fed.gatewayUrl, ["CUSTOMER", "PROVIDER"], "Edge Tester");
  chat = await orderWithConversation(fed.gatewayUrl);
}, 120_000);
afterAll(() => fed?.stop());

describe("finding 3: gateway limits are 400 BAD_USER_INPUT, over HTTP and graphql-ws", () => {
  const deep = (levels: number) => `{ me { ${"services { providers { edges { node { ".repeat(levels)}id${" } } } }".repeat(levels)} } }`;
  test.each([
    { limit: "tokens", query: `{ me { ${"id ".repeat(5000)} } }` },
    { limit: "tokens (500 aliases)", query: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(" ")} }` },
    { limit: "tokens (1,000 directives)", query: `{ me { id ${"@include(if: true) ".repeat(1000)} } }` },
    { limit: "aliases", query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(" ")} }` },
    { limit: "directives", query: `{ me { ${"... on User @include(if: true) { id } ".repeat(51)} } }` },
    { limit: "depth", query: deep(3) },
    { limit: "cost", query: `{ me { services { providers { edges { node { services { providers { edges { node { ${"... on User { id name } ".repeat(40)} } } } } } } } } } }` },
  ])("over the $limit limit → 400 BAD_USER_INPUT", async ({ query }) => {
    const res = await post(query, {}, both.token);
    expect(res.status).toBe(400);
    expect(res.body?.errors?.length).toBeGreaterThan(0);
    expect(new Set(codes(res))).toEqual(new Set(["BAD_USER_INPUT"]));
  });

  test("a body over 1 MiB → 413 BAD_USER_INPUT", async () => {
    const res = await postJson(fed.gatewayUrl, "/graphql", { query: "{ me { id } }", variables: { pad: "x".repeat(1_100_000) } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "BAD_USER_INPUT" } });
  });

  test("batched HTTP requests → 400", async () => {
    const res = await postJson(fed.gatewayUrl, "/graphql", [{ query: "{ me { id } }" }, { query: "{ me { id } }" }]);
    expect(res.status).toBe(400);
  });

  test("a graphql-ws message over 1 MiB closes the socket with 1009", async () => {
    const socket = new WebSocket(`${fed.gatewayUrl.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(1_100_000) } }));
    expect(await closed).toBe(1009);
  });

  test.each([
    { limit: "tokens", query: `subscription { messageAdded(conversationId: "${randomUUID()}") { ${"id ".repeat(3000)} } }` },
    { limit: "depth", query: `subscription { messageAdded(conversationId: "${randomUUID()}") { sender { services { providers { edges { node { services { providers { edges { node { id } } } } } } } } } } }` },
  ])("over the $limit limit on graphql-ws → an error on the subscription with BAD_USER_INPUT", async ({ query }) => {
    const client = wsClient(fed.gatewayUrl, both.token);
    try {
      const sub = subscribe(client, query);
      const result = await sub.next(5_000);
      expect(result.errors?.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    } finally {
      await client.dispose();
    }
  });
});

describe("finding 4: text Postgres cannot store is BAD_USER_INPUT naming the field", () => {
  const NUL = "Nul\u0000Byte";

  test.each([
    { path: "/auth/register", body: () => ({ email: uniqueEmail(), password: "correct horse", name: NUL, roles: ["CUSTOMER"] }), field: "name" },
    { path: "/auth/login", body: () => ({ email: `a\u0000${uniqueEmail()}`, password: "correct horse" }), field: "email" },
    { path: "/auth/password-reset/request", body: () => ({ email: `\u0000${uniqueEmail()}` }), field: "email" },
    { path: "/auth/refresh", body: () => ({ refreshToken: "abc\u0000" }), field: "refreshToken" },
    { path: "/auth/register", body: () => ({ email: uniqueEmail(), password: "correct horse", name: "Lone \ud800 surrogate" }), field: "name" },
  ])("REST $path with a bad character in $field → 400", async ({ path, body, field }) => {
    const res = await postJson(fed.gatewayUrl, path, body(), { "x-forwarded-for": clientIp() });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "BAD_USER_INPUT", fields: { [field]: expect.any(String) } } });
  });

  test.each([
    { case: "updateMe name", query: "mutation($n: String) { updateMe(input: { name: $n }) { id } }", vars: { n: NUL }, field: "input.name" },
    { case: "updateMe name as a literal", query: 'mutation { updateMe(input: { name: "Nul\\u0000Byte" }) { id } }', vars: {}, field: "input.name" },
    { case: "login e-mail", query: "mutation($i: LoginInput!) { login(input: $i) { accessToken } }", vars: { i: { email: "a\u0000@example.com", password: "correct horse" } }, field: "input.email" },
    { case: "services(search:)", query: "query($s: String) { services(search: $s) { id } }", vars: { s: NUL }, field: "search" },
    { case: "a cursor", query: "query($a: String) { myOrders(after: $a) { totalCount } }", vars: { a: NUL }, field: "after" },
  ])("GraphQL $case with NUL → 400 BAD_USER_INPUT fields.$field (refused at the gateway)", async ({ query, vars, field }) => {
    const res = await post(query, vars, both.token);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(fieldsOf(res)).toHaveProperty([field]);
  });

  test("createOrder title and sendMessage body with NUL → BAD_USER_INPUT; nothing was stored", async () => {
    const { services } = (await post('{ services(search: "plumbing") { id } }')).body?.data as { services: Array<{ id: string }> };
    const order = await post(
      "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
      { i: { serviceId: services[0]?.id, title: NUL, description: "drips", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } },
      chat.customer.token,
    );
    expect(codes(order)).toEqual(["BAD_USER_INPUT"]);
    expect(fieldsOf(order)).toHaveProperty(["input.title"]);

    const message = await post("mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }", { c: chat.conversationId, b: NUL }, chat.customer.token);
    expect(codes(message)).toEqual(["BAD_USER_INPUT"]);
    expect(fieldsOf(message)).toEqual({ body: expect.any(String) });
  });
});

describe("finding 5: every ID argument of the supergraph refuses a malformed id without a server error", () => {
  const HOSTILE_IDS = ["1 OR 1=1", "../", "", "x".repeat(5_000), "\u0000"];
  const schema = loadSupergraph();
  const cases = rootFields(schema).flatMap(({ kind, field }) =>
    leafPaths(field.args, "ID").map((at) => ({ name: `${field.name}(${at.join(".")})`, kind, field, at })),
  );

  test("the walk found the schema's id arguments, nested ones included", () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["user(id)", "service(id)", "order(id)", "createOrder(input.serviceId)", "submitOffer(input.orderId)", "startConversation(providerId)"]));
  });

  test.each(cases)("$name", async ({ kind, field, at }) => {
    for (const hostile of HOSTILE_IDS) {
      const variables = Object.fromEntries(
        field.args.map((arg) => [arg.name, valueFor(arg.type, [arg.name], (path: InputPath, leaf) => (leaf === "String" ? "a string" : samePath(path, at) ? hostile : randomUUID()))]),
      );
      const res = await post(operationFor(kind, field), variables, both.token);
      expectNoServerError(res, `${field.name} with ${JSON.stringify(hostile.slice(0, 20))}`);
    }
  });

  const subscriptions = Object.values(schema.getSubscriptionType()?.getFields() ?? {}).flatMap((field) =>
    leafPaths(field.args, "ID").map((at) => ({ name: `${field.name}(${at.join(".")})`, field, at })),
  );
  test.each(subscriptions)("subscription $name over graphql-ws", async ({ field, at }) => {
    const client = wsClient(fed.gatewayUrl, both.token);
    try {
      for (const hostile of HOSTILE_IDS) {
        const variables = Object.fromEntries(
          field.args.map((arg) => [arg.name, valueFor(arg.type, [arg.name], (path: InputPath) => (samePath(path, at) ? hostile : randomUUID()))]),
        );
        const query = operationFor("subscription", field).replace("{ __typename }", "{ id }");
        const first = await subscribe(client, query, variables).next(5_000);
        const codes = (first.errors ?? []).map((e) => (e as { extensions?: { code?: string } }).extensions?.code);
        expect(codes.length, `${field.name} with ${JSON.stringify(hostile.slice(0, 20))}`).toBeGreaterThan(0);
        expect(codes).not.toContain("INTERNAL_SERVER_ERROR");
      }
    } finally {
      await client.dispose();
    }
  });

  test("user(id:) with a malformed id is BAD_USER_INPUT naming it; an unknown one is still null", async () => {
    const bad = await post('{ user(id: "1 OR 1=1") { id } }');
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(fieldsOf(bad)).toEqual({ id: "must be a valid id" });
    const unknown = await post(`{ user(id: "${randomUUID()}") { id } }`);
    expect(unknown.body).toEqual({ data: { user: null } });
  });
});

describe("hostile strings in every mutation's string inputs (seeded, reproducible)", () => {
  const SEED = 20_261_201;
  const random = prng(SEED);
  const pickOne = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hostileString = (): string => {
    const makers = [
      () => `a\u0000b`,
      () => "\u0000",
      () => `x${String.fromCharCode(0xd800 + Math.floor(random() * 0x800))}y`,
      () => String.fromCharCode(1 + Math.floor(random() * 31)),
      () => "ẞ€𝄞🛠️ مرحبا עברית \u200f\u202e e\u0301",
      () => "'; DROP TABLE users; --",
      () => "1' OR '1'='1",
      () => '{"$ne": null, "__proto__": {"admin": true}}',
      () => "\\u0000 \\\\ %00 %s %n ${x} {{x}}",
      () => "y".repeat(1 + Math.floor(random() * 200_000)),
      () => " ",
      () => "",
    ];
    return pickOne(makers)();
  };
  const schema = loadSupergraph();
  const mutations = rootFields(schema).filter((f) => f.kind === "mutation" && leafPaths(f.field.args, "String").length);

  test.each(mutations.map(({ field }) => ({ name: field.name, field })))("$name", async ({ field }) => {
    for (let round = 0; round < 6; round++) {
      const variables = Object.fromEntries(
        field.args.map((arg) => [arg.name, valueFor(arg.type, [arg.name], (_path, leaf) => (leaf === "ID" ? chat.conversationId : hostileString()))]),
      );
      const res = await post(operationFor("mutation", field), variables, both.token);
      expectNoServerError(res, `seed ${SEED}, ${field.name} round ${round}: ${JSON.stringify(variables).slice(0, 300)}`);
    }
  });
});

describe("finding 7: metric labels are bounded", () => {
  const series = async (url: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return new Set([...text.matchAll(/^graphql_request_duration_seconds_count\{[^}]*operation="([^"]*)"/gm)].map((m) => m[1]));
  };

  test(`200 distinct operation names add at most ${METRICS_MAX_OPERATIONS} operation labels (gateway and subgraph)`, async () => {
    for (let i = 0; i < 200; i++) {
      const res = await post(`query Probe${i}_${randomUUID().replaceAll("-", "")} { services { id } }`);
      expectNoServerError(res, "probe");
    }
    // A name that is not a GraphQL name is never a label either.
    await fetch(`${fed.gatewayUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ services { id } }", operationName: "x".repeat(500) }),
    });
    for (const url of [fed.gatewayUrl, fed.catalogUrl]) {
      const labels = await series(url);
      const named = [...labels].filter((l) => !["anonymous", "other", "invalid"].includes(l as string));
      expect(named.length, url).toBeLessThanOrEqual(METRICS_MAX_OPERATIONS);
      expect(labels.has("other"), url).toBe(true);
    }
  });
});

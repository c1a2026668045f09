// The gateway merges identical subgraph queries in flight: these check it never changes an answer, never lets one
// user's answer reach another, and never merges a mutation — through the real federation, under concurrency.
import { expect, test } from "vitest";
import { eventually, gql, gqlOk, registerUser } from "../support/federation.js";
import { useFederation } from "../support/use-federation.js";

const federation = useFederation();

/** The gateway's count of subgraph operations merged into identical ones in flight (or batched with others). */
async function mergedSoFar(outcome: "merged" | "batched" = "merged"): Promise<number> {
  const text = await (await fetch(`${federation.url}/metrics`)).text();
  const lines = text.matchAll(new RegExp(`^gateway_subgraph_fetches_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, "gm"));
  return [...lines].reduce((n, m) => n + Number(m[1]), 0);
}

async function rawPost(body: unknown, token?: string): Promise<string> {
  const res = await fetch(`${federation.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return res.text();
}

const CATALOG = "{ services { id name category providers(first: 10) { edges { node { id name services { name } } } } } }";

test("merged requests answer byte for byte what an unmerged request answers", async () => {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(federation.url, "{ services { id } }");
  const providers = await Promise.all([1, 2, 3].map((i) => registerUser(federation.url, ["PROVIDER"], `Merge P${i}`)));
  for (const p of providers) {
    for (const s of services.slice(0, 2)) await gqlOk(federation.url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: s.id }, p.token);
  }
  const alone = await rawPost({ query: CATALOG });
  expect(alone).toContain("Merge P1");
  const before = await mergedSoFar();
  const together = await Promise.all(Array.from({ length: 40 }, () => rawPost({ query: CATALOG })));
  expect(await mergedSoFar()).toBeGreaterThan(before); // the concurrent ones really did share subgraph calls
  for (const body of together) expect(body).toBe(alone);
});

test("two users asking for `me` at the same time each get only their own answer", async () => {
  const [ann, bob] = await Promise.all([registerUser(federation.url, ["CUSTOMER"], "Ann Merge"), registerUser(federation.url, ["CUSTOMER"], "Bob Merge")]);
  const ME = "{ me { id name email } }";
  const before = await mergedSoFar();
  const asks = Array.from({ length: 60 }, (_, i) => (i % 2 ? bob : ann));
  const answers = await Promise.all(asks.map((user) => gqlOk<{ me: { id: string; name: string; email: string } }>(federation.url, ME, {}, user.token)));
  answers.forEach((answer, i) => {
    const user = asks[i];
    expect(answer.me).toEqual({ id: user?.id, name: user === ann ? "Ann Merge" : "Bob Merge", email: user?.email });
  });
  expect(await mergedSoFar()).toBeGreaterThan(before); // merging did happen, within each user
});

test("identical mutations sent at the same time are each executed", async () => {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(federation.url, '{ services(search: "plumbing") { id } }');
  const provider = await registerUser(federation.url, ["PROVIDER"], "Mutation Provider");
  await gqlOk(federation.url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: services[0]?.id }, provider.token);
  const customer = await registerUser(federation.url, ["CUSTOMER"], "Mutation Customer");
  const input = { serviceId: services[0]?.id, title: "Same order", description: "Sent eight times at once", address: "1 Same St", location: { lat: 52.52, lng: 13.405 } };
  const CREATE = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";
  await eventually(() => gqlOk(federation.url, CREATE, { i: input }, customer.token)); // orders knows the service
  const created = await Promise.all(
    Array.from({ length: 8 }, () => gqlOk<{ createOrder: { id: string } }>(federation.url, CREATE, { i: input }, customer.token)),
  );
  expect(new Set(created.map((c) => c.createOrder.id)).size).toBe(8);
  const mine = await gql<{ myOrders: { edges: unknown[] } }>(federation.url, "{ myOrders(first: 50) { edges { node { id } } } }", {}, customer.token);
  expect(mine.data?.myOrders.edges).toHaveLength(9);
});

test("a plan's parallel operations to one subgraph travel as one batch and answer as if sent alone", async () => {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(federation.url, '{ services(search: "plumbing") { id } }');
  const provider = await registerUser(federation.url, ["PROVIDER"], "Batch Provider");
  await gqlOk(federation.url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: services[0]?.id }, provider.token);
  const customer = await registerUser(federation.url, ["CUSTOMER"], "Batch Customer");
  const { createOrder } = await eventually(() =>
    gqlOk<{ createOrder: { id: string } }>(federation.url, "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }", {
      i: { serviceId: services[0]?.id, title: "Batch", description: "Two users fetches", address: "2 Batch St", location: { lat: 52.52, lng: 13.405 } },
    }, customer.token),
  );
  await eventually(() =>
    gqlOk(federation.url, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", { i: { orderId: createOrder.id, price: { amount: 5000, currency: "EUR" } } }, provider.token),
  );
  const before = await mergedSoFar("batched");
  // customer { name } and offers { provider { name } } are two users fetches in one parallel step of the plan.
  const data = await gqlOk<{ order: unknown }>(federation.url, "query($o: ID!) { order(id: $o) { customer { name } offers { provider { name } } } }", { o: createOrder.id }, customer.token);
  expect(data.order).toEqual({ customer: { name: "Batch Customer" }, offers: [{ provider: { name: "Batch Provider" } }] });
  expect(await mergedSoFar("batched")).toBeGreaterThan(before);
});

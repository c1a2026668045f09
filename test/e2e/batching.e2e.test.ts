import { beforeAll, expect, test } from "vitest";
import { eventually, gqlOk, registerUser, type TestUser } from "../support/federation.js";
import { useFederation } from "../support/use-federation.js";

const federation = useFederation();

const QUERY = `query Batched($first: Int) {
  myOrders(first: $first) { edges { node { customer { name } service { name } offers { provider { name } } } } }
}`;

/** SQL statements each subgraph runs to answer QUERY for `first` orders. */
async function statementsFor(customer: TestUser, first: number) {
  for (const list of Object.values(federation.fed.sql)) list.length = 0;
  const data = await gqlOk<{ myOrders: { edges: Array<{ node: { offers: Array<{ provider: { name: string } }> } }> } }>(
    federation.url, QUERY, { first }, customer.token,
  );
  expect(data.myOrders.edges).toHaveLength(first);
  for (const edge of data.myOrders.edges) expect(edge.node.offers.map((o) => o.provider.name).sort()).toEqual(["P1", "P2", "P3"]);
  return { users: federation.fed.sql.users.length, catalog: federation.fed.sql.catalog.length, orders: federation.fed.sql.orders.length };
}

let customer: TestUser;

// 50 orders with three offers each. Seeded in a hook, with each provider's offers sent side by side: 200 writes one
// after another took up to 29 s of a 30 s test budget on a loaded 2-core machine.
beforeAll(async () => {
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(federation.url, "{ services { id name } }");
  const serviceIds = services.slice(0, 3).map((s) => s.id);
  customer = await registerUser(federation.url, ["CUSTOMER"], "Batch Customer");
  const providers = await Promise.all(["P1", "P2", "P3"].map((n) => registerUser(federation.url, ["PROVIDER"], n)));
  for (const p of providers) {
    for (const s of serviceIds) await gqlOk(federation.url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s }, p.token);
  }
  const orderIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(
      federation.url,
      "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
      { i: { serviceId: serviceIds[i % 3], title: `Job ${i}`, description: "Batch", address: "1 Batch Road", location: { lat: 52.52, lng: 13.405 } } },
      customer.token,
    );
    orderIds.push(createOrder.id);
  }
  await Promise.all(
    providers.map(async (p) => {
      await eventually(async () => {
        const feed = await gqlOk<{ openOrders: { totalCount: number } }>(federation.url, "{ openOrders { totalCount } }", {}, p.token);
        expect(feed.openOrders.totalCount).toBe(50);
      });
      for (const orderId of orderIds) {
        await gqlOk(
          federation.url,
          "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
          { i: { orderId, price: { amount: 1000, currency: "EUR" } } },
          p.token,
        );
      }
    }),
  );
});

test("federated entity resolution is batched: SQL per subgraph does not grow with the page size", async () => {
  const small = await statementsFor(customer, 5);
  const large = await statementsFor(customer, 50);
  console.log(`SQL statements for myOrders(first: 5): ${JSON.stringify(small)}; first: 50: ${JSON.stringify(large)}`);
  expect(large).toEqual(small);
  // One _entities call per subgraph per plan step, each answered by one batched query.
  expect(large.catalog).toBeLessThanOrEqual(1);
  expect(large.users).toBeLessThanOrEqual(2);
  expect(large.orders).toBeLessThanOrEqual(4);
});

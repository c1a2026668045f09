import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, gql, gqlOk, registerUser, startFederation, type Federation, type TestUser } from "../support/federation.js";

// A subgraph that is down blanks only the fields it owns: references across a subgraph boundary are nullable, so
// the rest of the answer (here: the orders themselves) survives.
let fed: Federation;
let customer: TestUser;
let orderIds: string[];
let serviceId: string;
beforeAll(async () => {
  fed = await startFederation();
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, '{ services(search: "clean") { id } }');
  serviceId = services[0]?.id as string;
  customer = await registerUser(fed.gatewayUrl, ["CUSTOMER"], "Partial Customer");
  orderIds = [];
  for (const title of ["First job", "Second job", "Third job"]) {
    const { createOrder } = await eventually(() =>
      gqlOk<{ createOrder: { id: string } }>(
        fed.gatewayUrl,
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
        { i: { serviceId, title, description: "Some work", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } },
        customer.token,
      ),
    );
    orderIds.push(createOrder.id);
  }
});
afterAll(async () => {
  await fed?.stop();
});

interface MyOrders {
  myOrders: { edges: Array<{ node: { id: string; title: string; service: { name: string } | null; customer: { name: string } | null } }> };
}

const myOrders = (fields: string) => gql<MyOrders>(fed.gatewayUrl, `{ myOrders { edges { node { id title ${fields} } } } }`, {}, customer.token);

test("catalog down: myOrders lists every order with service: null and one error per blanked path", async () => {
  const healthy = await myOrders("service { name }");
  expect(healthy.errors).toBeUndefined();
  expect(healthy.data?.myOrders.edges.every((e) => e.node.service?.name)).toBe(true);

  await fed.stopService("catalog");
  const res = await myOrders("service { name }");
  const nodes = res.data?.myOrders.edges.map((e) => e.node) ?? [];
  expect(nodes.map((n) => n.id).sort()).toEqual([...orderIds].sort());
  expect(nodes.every((n) => n.service === null && n.title.endsWith("job"))).toBe(true);
  const paths = (res.errors ?? []).map((e) => JSON.stringify((e as { path?: unknown }).path));
  expect(paths.sort()).toEqual(nodes.map((_, i) => JSON.stringify(["myOrders", "edges", i, "node", "service"])).sort());
});

test("catalog down: a mutation's own result is answered (the client learns its write happened), service: null", async () => {
  const res = await gql<{ createOrder: { id: string; title: string; service: unknown } }>(
    fed.gatewayUrl,
    "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id title service { name } } }",
    { i: { serviceId, title: "Fourth job", description: "Some work", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } },
    customer.token,
  );
  expect(res.data?.createOrder).toMatchObject({ title: "Fourth job", service: null });
  expect(res.errors?.map((e) => (e as { path?: unknown }).path)).toEqual([["createOrder", "service"]]);
  orderIds.push(res.data?.createOrder.id as string);
});

test("users down too: orders still list, with customer: null", async () => {
  await fed.stopService("users");
  const res = await myOrders("customer { name }");
  const nodes = res.data?.myOrders.edges.map((e) => e.node) ?? [];
  expect(nodes.map((n) => n.id).sort()).toEqual([...orderIds].sort());
  expect(nodes.every((n) => n.customer === null && n.title.endsWith("job"))).toBe(true);
  const paths = (res.errors ?? []).map((e) => JSON.stringify((e as { path?: unknown }).path));
  expect(paths.sort()).toEqual(nodes.map((_, i) => JSON.stringify(["myOrders", "edges", i, "node", "customer"])).sort());
});

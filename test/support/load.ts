import { randomBytes } from "node:crypto";
import { eventually, gql, gqlOk, identityNumber, postJson, type GraphQLResponse } from "./federation.js";

/** What went wrong under load: every 5xx status and every INTERNAL_SERVER_ERROR (or other) error, by step. */
export interface LoadReport {
  failures: string[];
  registered: number;
  loggedIn: number;
  orders: number;
  offers: number;
}

const PASSWORD = "correct horse battery";
const gqlErrors = (step: string, res: GraphQLResponse) =>
  res.status >= 500 || res.errors?.length ? [`${step}: HTTP ${res.status} ${JSON.stringify(res.errors)}`] : [];

/**
 * The concurrency the issue measured failing (parallel registrations answered 500 on the PGlite default), widened
 * to every write path: `size` concurrent registrations, then logins, then createOrder, then submitOffer (each order
 * gets an offer from a different provider). Afterwards every row written must be readable.
 */
export async function marketplaceLoad(url: string, size = 50): Promise<LoadReport> {
  const failures: string[] = [];
  const tag = randomBytes(4).toString("hex");
  const emails = Array.from({ length: size }, (_, i) => `load-${tag}-${i}@example.com`);

  const registered = await Promise.all(
    emails.map(async (email, i) => {
      const res = await postJson(url, "/auth/register", { email, password: PASSWORD, name: `Load ${i}`, roles: ["CUSTOMER", "PROVIDER"], identityNumber: identityNumber() });
      if (res.status !== 201) failures.push(`register ${email}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { user?: { id: string } } | null)?.user?.id;
    }),
  );

  const tokens = await Promise.all(
    emails.map(async (email) => {
      const res = await postJson(url, "/auth/login", { email, password: PASSWORD });
      if (res.status !== 200) failures.push(`login ${email}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { accessToken?: string } | null)?.accessToken;
    }),
  );
  if (failures.length) return { failures, registered: registered.filter(Boolean).length, loggedIn: tokens.filter(Boolean).length, orders: 0, offers: 0 };
  const token = (i: number) => tokens[i % size] as string;

  // Setup, not under test: every user offers Plumbing, and orders has heard so (an integration event) before the
  // concurrent part starts.
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(url, "{ services { id name } }");
  const serviceId = services.find((s) => s.name === "Plumbing")?.id;
  if (!serviceId) throw new Error("the seeded Plumbing service is missing");
  for (let i = 0; i < size; i++) await gqlOk(url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, token(i));
  const orderInput = (title: string) => ({ i: { serviceId, title, description: "Under load", address: "1 Load St", location: { lat: 52.52, lng: 13.405 } } });
  const createOrder = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";
  // A provider's feed lists open orders for their services (not their own): two probe orders show every user's
  // assignment has reached orders.
  const probes: string[] = [];
  for (const customer of [0, 1]) {
    const probe = await eventually(() => gqlOk<{ createOrder: { id: string } }>(url, createOrder, orderInput(`probe ${tag}`), token(customer)), 60_000);
    probes.push(probe.createOrder.id);
  }
  await Promise.all(
    Array.from({ length: size }, (_, i) =>
      eventually(async () => {
        const { openOrders } = await gqlOk<{ openOrders: { edges: Array<{ node: { id: string } }> } }>(url, "{ openOrders(first: 100) { edges { node { id } } } }", {}, token(i));
        if (!openOrders.edges.some((e) => e.node.id === probes[i === 0 ? 1 : 0])) throw new Error(`orders does not know provider ${i} yet`);
      }, 60_000),
    ),
  );

  const orderIds = await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const res = await gql<{ createOrder: { id: string } }>(url, createOrder, orderInput(`Load order ${i}`), token(i));
      failures.push(...gqlErrors(`createOrder ${i}`, res));
      return res.data?.createOrder.id;
    }),
  );

  // Order i gets its offer from user i+1: never the order's own customer, a different provider per order.
  const offerIds = await Promise.all(
    orderIds.map(async (orderId, i) => {
      if (!orderId) return undefined;
      const res = await gql<{ submitOffer: { id: string } }>(
        url,
        "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
        { i: { orderId, price: { amount: 5000 + i, currency: "EUR" } } },
        token(i + 1),
      );
      failures.push(...gqlErrors(`submitOffer ${i}`, res));
      return res.data?.submitOffer.id;
    }),
  );

  // Everything written is there to read.
  for (let i = 0; i < size; i++) {
    const me = await gql<{ me: { id: string; email: string } }>(url, "{ me { id email } }", {}, token(i));
    if (me.data?.me.id !== registered[i] || me.data?.me.email !== emails[i]) failures.push(`me ${i}: ${JSON.stringify(me)}`);
    const orderId = orderIds[i];
    if (!orderId) continue;
    const read = await gql<{ order: { id: string; offers: Array<{ id: string }> } }>(url, "query($id: ID!) { order(id: $id) { id offers { id } } }", { id: orderId }, token(i));
    const offers = read.data?.order.offers.map((o) => o.id) ?? [];
    if (read.data?.order.id !== orderId || offers.length !== 1 || offers[0] !== offerIds[i]) failures.push(`order ${i}: ${JSON.stringify(read)}`);
  }
  return {
    failures,
    registered: registered.filter(Boolean).length,
    loggedIn: tokens.filter(Boolean).length,
    orders: orderIds.filter(Boolean).length,
    offers: offerIds.filter(Boolean).length,
  };
}

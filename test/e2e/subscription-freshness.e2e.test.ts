import { expect, test } from "vitest";
import { eventually, gqlOk, registerUser, type TestUser } from "../support/federation.js";
import { liveSubscriptions, sleep, subscribe, untilLive, wsClient, useLiveFederation } from "../support/live.js";

// Every live event is resolved from the state at the time of that event: events that follow each other closely
// (10 ms here) must never repeat an earlier event's result.
const stack = useLiveFederation();

const feedFor = (user: TestUser) => {
  const client = wsClient(stack.fed.gatewayUrl, user.token);
  stack.track(client);
  return client;
};

async function serviceId(): Promise<string> {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(stack.fed.gatewayUrl, '{ services(search: "clean") { id } }');
  return services[0]?.id as string;
}

async function providerFor(service: string, name: string): Promise<TestUser> {
  const provider = await registerUser(stack.fed.gatewayUrl, ["PROVIDER"], name);
  await gqlOk(stack.fed.gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: service }, provider.token);
  return provider;
}

async function orderOf(customer: TestUser, service: string): Promise<string> {
  const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(
    stack.fed.gatewayUrl,
    "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
    { i: { serviceId: service, title: "Windows", description: "All of them", address: "5 Glass St", location: { lat: 52.52, lng: 13.405 } } },
    customer.token,
  );
  return createOrder.id;
}

const submitOffer = (provider: TestUser, orderId: string, amount: number) =>
  gqlOk<{ submitOffer: { id: string } }>(
    stack.fed.gatewayUrl,
    "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
    { i: { orderId, price: { amount, currency: "EUR" } } },
    provider.token,
  );

const RANK = ["OPEN", "ASSIGNED", "IN_PROGRESS", "COMPLETED"];

test("an order driven through its statuses 10 ms apart: statuses never go back, the last one is the order's", async () => {
  const service = await serviceId();
  const customer = await registerUser(stack.fed.gatewayUrl, ["CUSTOMER"], "Fresh Customer");
  const provider = await providerFor(service, "Fresh Provider");
  const orderId = await orderOf(customer, service);
  const before = await liveSubscriptions([stack.fed.ordersUrl]);
  const feed = subscribe<{ orderUpdated: { status: string } }>(feedFor(customer), "subscription($o: ID!) { orderUpdated(orderId: $o) { status } }", { o: orderId });
  await untilLive([stack.fed.ordersUrl], before + 1);

  const { submitOffer: offer } = await eventually(() => submitOffer(provider, orderId, 9000));
  await sleep(10);
  await gqlOk(stack.fed.gatewayUrl, "mutation($id: ID!) { acceptOffer(offerId: $id) { id } }", { id: offer.id }, customer.token);
  await sleep(10);
  await gqlOk(stack.fed.gatewayUrl, "mutation($id: ID!) { startOrder(id: $id) { id } }", { id: orderId }, provider.token);
  await sleep(10);
  await gqlOk(stack.fed.gatewayUrl, "mutation($id: ID!) { completeOrder(id: $id) { id } }", { id: orderId }, provider.token);

  const statuses: string[] = [];
  for (let i = 0; i < 4; i++) {
    const event = await feed.next();
    expect(event.errors).toBeUndefined();
    statuses.push(event.data?.orderUpdated.status as string);
  }
  await feed.close();
  const ranks = statuses.map((s) => RANK.indexOf(s));
  expect(ranks, statuses.join(" → ")).toEqual([...ranks].sort((a, b) => a - b));
  const { order } = await gqlOk<{ order: { status: string } }>(stack.fed.gatewayUrl, "query($id: ID!) { order(id: $id) { status } }", { id: orderId }, customer.token);
  expect(order.status).toBe("COMPLETED");
  expect(statuses.at(-1)).toBe(order.status);
});

test("20 offers with different prices 10 ms apart: each offer event carries its own price, the order's offers only grow", async () => {
  const service = await serviceId();
  const customer = await registerUser(stack.fed.gatewayUrl, ["CUSTOMER"], "Busy Customer");
  const providers = await Promise.all(Array.from({ length: 20 }, (_, i) => providerFor(service, `Bidder ${i}`)));
  const orderId = await orderOf(customer, service);
  const before = await liveSubscriptions([stack.fed.ordersUrl]);
  const client = feedFor(customer);
  const offers = subscribe<{ offerSubmitted: { price: { amount: number } } }>(client, "subscription($o: ID!) { offerSubmitted(orderId: $o) { price { amount } } }", { o: orderId });
  const updates = subscribe<{ orderUpdated: { offers: Array<{ price: { amount: number } }> } }>(
    client,
    "subscription($o: ID!) { orderUpdated(orderId: $o) { offers { price { amount } } } }",
    { o: orderId },
  );
  await untilLive([stack.fed.ordersUrl], before + 2);

  // Every provider's assignment has reached orders (through catalog's events) before the timed sequence starts.
  await eventually(() => submitOffer(providers[0] as TestUser, orderId, 10_000));
  for (const [i, provider] of providers.slice(1).entries()) {
    await sleep(10);
    await eventually(() => submitOffer(provider, orderId, 10_001 + i));
  }
  const prices = providers.map((_, i) => (i === 0 ? 10_000 : 10_000 + i));

  const seenPrices: number[] = [];
  const offerCounts: number[] = [];
  for (let i = 0; i < prices.length; i++) {
    seenPrices.push((await offers.next()).data?.offerSubmitted.price.amount as number);
    offerCounts.push((await updates.next()).data?.orderUpdated.offers.length as number);
  }
  await Promise.all([offers.close(), updates.close()]);
  expect(seenPrices).toEqual(prices);
  expect(offerCounts, offerCounts.join(",")).toEqual([...offerCounts].sort((a, b) => a - b));
  const { order } = await gqlOk<{ order: { offers: unknown[] } }>(stack.fed.gatewayUrl, "query($id: ID!) { order(id: $id) { offers { id } } }", { id: orderId }, customer.token);
  expect(order.offers).toHaveLength(20);
  expect(offerCounts.at(-1)).toBe(order.offers.length);
}, 60_000);

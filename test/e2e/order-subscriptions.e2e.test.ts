import { describe, expect, test } from "vitest";
import { eventually, gqlOk, registerUser, type TestUser } from "../support/federation.js";
import { liveSubscriptions, subscribe, untilLive, wsClient, useLiveFederation } from "../support/live.js";

const stack = useLiveFederation();

const upstreamSubscriptions = () => liveSubscriptions([stack.fed.ordersUrl]);

const clientFor = (user: TestUser | undefined, token = user?.token) => {
  const client = wsClient(stack.fed.gatewayUrl, token);
  stack.track(client);
  return client;
};

async function setup() {
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(stack.fed.gatewayUrl, '{ services(search: "clean") { id name } }');
  const serviceId = services[0]?.id as string;
  const customer = await registerUser(stack.fed.gatewayUrl, ["CUSTOMER"], "Live Customer");
  const provider = await registerUser(stack.fed.gatewayUrl, ["PROVIDER"], "Live Provider");
  const third = await registerUser(stack.fed.gatewayUrl, ["CUSTOMER", "PROVIDER"], "Third Party");
  await gqlOk(stack.fed.gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.token);
  const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(
    stack.fed.gatewayUrl,
    "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
    { i: { serviceId, title: "Deep clean", description: "Whole flat", address: "3 Clean Way", location: { lat: 52.52, lng: 13.405 } } },
    customer.token,
  );
  return { customer, provider, third, orderId: createOrder.id };
}

describe("order subscriptions through the gateway", () => {
  test("offerSubmitted fires for the customer with provider { name }; orderUpdated fires for both on accept", async () => {
    const { customer, provider, orderId } = await setup();
    const before = await liveSubscriptions([stack.fed.ordersUrl]);
    const offers = subscribe<{ offerSubmitted: { price: { amount: number }; provider: { name: string }; order: { title: string } } }>(
      clientFor(customer),
      "subscription($o: ID!) { offerSubmitted(orderId: $o) { id price { amount } provider { name } order { title } } }",
      { o: orderId },
    );
    await untilLive([stack.fed.ordersUrl], before + 1);
    const { submitOffer } = await eventually(() =>
      gqlOk<{ submitOffer: { id: string } }>(
        stack.fed.gatewayUrl,
        "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
        { i: { orderId, price: { amount: 7000, currency: "EUR" } } },
        provider.token,
      ),
    );
    const offered = await offers.next();
    expect(offered.errors).toBeUndefined();
    expect(offered.data?.offerSubmitted).toEqual({ id: submitOffer.id, price: { amount: 7000 }, provider: { name: "Live Provider" }, order: { title: "Deep clean" } });

    const query = "subscription($o: ID!) { orderUpdated(orderId: $o) { status customer { name } acceptedOffer { provider { name } } } }";
    const customerFeed = subscribe<{ orderUpdated: { status: string } }>(clientFor(customer), query, { o: orderId });
    const providerFeed = subscribe<{ orderUpdated: { status: string } }>(clientFor(provider), query, { o: orderId });
    await untilLive([stack.fed.ordersUrl], before + 3);
    await gqlOk(stack.fed.gatewayUrl, "mutation($id: ID!) { acceptOffer(offerId: $id) { id } }", { id: submitOffer.id }, customer.token);
    for (const feed of [customerFeed, providerFeed]) {
      const event = await feed.next();
      expect(event.data?.orderUpdated).toEqual({ status: "ASSIGNED", customer: { name: "Live Customer" }, acceptedOffer: { provider: { name: "Live Provider" } } });
    }
    await Promise.all([offers.close(), customerFeed.close(), providerFeed.close()]);
  });

  test("a third user cannot subscribe; a bad token closes the socket with 4401", async () => {
    const { third, orderId } = await setup();
    const denied = subscribe(clientFor(third), "subscription($o: ID!) { orderUpdated(orderId: $o) { id } }", { o: orderId });
    const error = await denied.next();
    expect(error.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

    for (const token of ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]) {
      const rejected = subscribe(clientFor(undefined, token), "subscription($o: ID!) { orderUpdated(orderId: $o) { id } }", { o: orderId });
      const closed = (await rejected.ended) as { code?: number };
      expect(closed.code).toBe(4401);
    }
    // The HTTP path's limits hold for subscriptions too (here: 20 aliases where 15 are allowed).
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: id`).join(" ");
    const greedy = subscribe(clientFor(third), `subscription($o: ID!) { orderUpdated(orderId: $o) { ${aliases} } }`, { o: orderId });
    const limited = await greedy.next();
    expect(limited.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" }, message: expect.stringMatching(/alias/i) });

    const anonymous = subscribe(clientFor(undefined), "subscription($o: ID!) { orderUpdated(orderId: $o) { id } }", { o: orderId });
    expect(((await anonymous.ended) as { code?: number }).code).toBe(4401);
  });

  test("client disconnect closes the upstream subscription; upstream failure ends the client's subscription with an error", async () => {
    const { customer, orderId } = await setup();
    const feed = subscribe(clientFor(customer), "subscription($o: ID!) { orderUpdated(orderId: $o) { id } }", { o: orderId });
    await eventually(async () => expect(await upstreamSubscriptions()).toBe(1));
    await feed.close();
    await eventually(async () => expect(await upstreamSubscriptions()).toBe(0));
    // Upstream failure: stop the orders subgraph under a live subscription.
    const live = subscribe(clientFor(customer), "subscription($o: ID!) { orderUpdated(orderId: $o) { id } }", { o: orderId });
    await untilLive([stack.fed.ordersUrl], 1);
    await stack.fed.stopService("orders");
    const failure = await live.next(5_000);
    expect(failure.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(failure.errors?.[0]?.message).toMatch(/orders/);
  });
});

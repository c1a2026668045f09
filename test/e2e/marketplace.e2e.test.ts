import { describe, expect, test } from "vitest";
import { codeOf, eventually, registerUser, type TestUser } from "../support/federation.js";
import { providerFor, seededServiceId } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

const federation = useFederation();
const { call, ok } = federation;

const CREATE = `mutation($i: CreateOrderInput!) { createOrder(input: $i) { id status service { name } customer { name } } }`;
const OFFER = `mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id status provider { name } price { amount currency } } }`;
const ACCEPT = "mutation($id: ID!) { acceptOffer(offerId: $id) { id status acceptedOffer { id provider { name } } } }";

const orderInput = (serviceId: string) => ({
  serviceId,
  title: "Fix my sink",
  description: "The kitchen sink drips all night",
  address: "1 Main Street, Springfield", location: { lat: 52.52, lng: 13.405 },
  budget: { amount: 12000, currency: "EUR" },
});

const submit = (order: string, provider: TestUser, amount = 9000) =>
  call(OFFER, { i: { orderId: order, price: { amount, currency: "EUR" }, message: "Can come tomorrow" } }, provider);

describe("marketplace workflow through the gateway", () => {
  test("order → two offers → customer sees both → accepts one → other REJECTED → start → complete → review", async () => {
    const serviceId = await seededServiceId(federation.url);
    const customer = await registerUser(federation.url, ["CUSTOMER"], "Carla Customer");
    const [alice, bob] = await Promise.all([providerFor(federation.url, serviceId, "Alice Plumber"), providerFor(federation.url, serviceId, "Bob Plumber")]);

    const created = await ok<{ createOrder: { id: string; status: string; service: { name: string }; customer: { name: string } } }>(
      CREATE, { i: orderInput(serviceId) }, customer,
    );
    expect(created.createOrder).toMatchObject({ status: "OPEN", service: { name: "Plumbing" }, customer: { name: "Carla Customer" } });
    const orderId = created.createOrder.id;

    // Catalog → orders read model is eventually consistent: the order shows up in the providers' feed.
    for (const p of [alice, bob]) {
      await eventually(async () => {
        const feed = await ok<{ openOrders: { edges: Array<{ node: { id: string } }> } }>("{ openOrders { edges { node { id } } } }", {}, p);
        expect(feed.openOrders.edges.map((e) => e.node.id)).toContain(orderId);
      });
    }
    const aliceOffer = (await submit(orderId, alice, 9000)).data as { submitOffer: { id: string; provider: { name: string } } };
    expect(aliceOffer.submitOffer.provider.name).toBe("Alice Plumber");
    const bobOffer = (await submit(orderId, bob, 8000)).data as { submitOffer: { id: string } };

    const seen = await ok<{ order: { offers: Array<{ id: string; provider: { name: string }; price: { amount: number } }> } }>(
      "query($id: ID!) { order(id: $id) { offers { id status price { amount } provider { name } } } }", { id: orderId }, customer,
    );
    expect(seen.order.offers.map((o) => o.provider.name).sort()).toEqual(["Alice Plumber", "Bob Plumber"]);
    const bobSees = await ok<{ order: { offers: Array<{ id: string }> } }>("query($id: ID!) { order(id: $id) { offers { id } } }", { id: orderId }, bob);
    expect(bobSees.order.offers.map((o) => o.id)).toEqual([bobOffer.submitOffer.id]);

    expect(await codeOf(submit(orderId, bob, 7000))).toBe("CONFLICT"); // second offer by the same provider
    expect(await codeOf(call(ACCEPT, { id: aliceOffer.submitOffer.id }, bob))).toBe("NOT_FOUND"); // not bob's offer, not his order

    const accepted = await ok<{ acceptOffer: { status: string; acceptedOffer: { provider: { name: string } } } }>(
      ACCEPT, { id: aliceOffer.submitOffer.id }, customer,
    );
    expect(accepted.acceptOffer).toMatchObject({ status: "ASSIGNED", acceptedOffer: { provider: { name: "Alice Plumber" } } });
    const bobOffers = await ok<{ myOffers: { edges: Array<{ node: { id: string; status: string } }> } }>(
      "{ myOffers { edges { node { id status } } } }", {}, bob,
    );
    expect(bobOffers.myOffers.edges).toEqual([{ node: { id: bobOffer.submitOffer.id, status: "REJECTED" } }]);

    expect(await codeOf(call("mutation($id: ID!) { startOrder(id: $id) { status } }", { id: orderId }, bob))).toBe("FORBIDDEN");
    const started = await ok<{ startOrder: { status: string } }>("mutation($id: ID!) { startOrder(id: $id) { status } }", { id: orderId }, alice);
    expect(started.startOrder.status).toBe("IN_PROGRESS");
    expect(await codeOf(call('mutation($id: ID!) { reviewOrder(orderId: $id, rating: 5) { id } }', { id: orderId }, customer))).toBe("INVALID_STATE");
    const done = await ok<{ completeOrder: { status: string } }>("mutation($id: ID!) { completeOrder(id: $id) { status } }", { id: orderId }, alice);
    expect(done.completeOrder.status).toBe("COMPLETED");
    expect(await codeOf(call("mutation($id: ID!) { cancelOrder(id: $id) { status } }", { id: orderId }, customer))).toBe("INVALID_STATE");

    expect(await codeOf(call('mutation($id: ID!) { reviewOrder(orderId: $id, rating: 4.5) { id } }', { id: orderId }, alice))).toBe("FORBIDDEN");
    const review = await ok<{ reviewOrder: { rating: number; provider: { name: string }; author: { name: string } } }>(
      'mutation($id: ID!) { reviewOrder(orderId: $id, rating: 4.5, comment: "Quick and tidy") { rating comment provider { name } author { name } } }',
      { id: orderId }, customer,
    );
    expect(review.reviewOrder).toMatchObject({ rating: 4.5, provider: { name: "Alice Plumber" }, author: { name: "Carla Customer" } });
    expect(await codeOf(call('mutation($id: ID!) { reviewOrder(orderId: $id, rating: 3) { id } }', { id: orderId }, customer))).toBe("CONFLICT");

    const profile = await ok<{ user: { name: string; rating: { average: number; count: number }; reviews: { totalCount: number }; services: Array<{ name: string }> } }>(
      "query($id: ID!) { user(id: $id) { name rating { average count } reviews { totalCount edges { node { rating comment } } } services { name } } }",
      { id: alice.id }, customer,
    );
    expect(profile.user).toMatchObject({ name: "Alice Plumber", rating: { average: 4.5, count: 1 }, reviews: { totalCount: 1 }, services: [{ name: "Plumbing" }] });
    const mine = await ok<{ me: { orders: { totalCount: number; edges: Array<{ node: { status: string; review: { rating: number } } }> } } }>(
      "{ me { orders { totalCount edges { node { status review { rating } } } } } }", {}, customer,
    );
    expect(mine.me.orders).toMatchObject({ totalCount: 1, edges: [{ node: { status: "COMPLETED", review: { rating: 4.5 } } }] });
  });

  test("negative paths: provider without the service, offer on own order, strangers, bad input", async () => {
    const serviceId = await seededServiceId(federation.url);
    const customer = await registerUser(federation.url, ["CUSTOMER"], "Cy");
    const outsider = await registerUser(federation.url, ["PROVIDER"], "No Service");
    const both = await providerFor(federation.url, serviceId, "Both Roles", ["CUSTOMER", "PROVIDER"]);
    const stranger = await registerUser(federation.url, ["CUSTOMER"], "Stranger");

    const order = (await ok<{ createOrder: { id: string } }>(CREATE, { i: orderInput(serviceId) }, customer)).createOrder.id;
    expect(await codeOf(submit(order, outsider))).toBe("NOT_FOUND"); // cannot see orders outside their services
    expect(await codeOf(call("query($id: ID!) { order(id: $id) { id } }", { id: order }, stranger))).toBe("NOT_FOUND");
    expect(await codeOf(call("query($id: ID!) { order(id: $id) { id } }", { id: order }))).toBe("UNAUTHENTICATED");

    const own = (await ok<{ createOrder: { id: string } }>(CREATE, { i: orderInput(serviceId) }, both)).createOrder.id;
    await eventually(async () => expect(await codeOf(submit(own, both))).toBe("FORBIDDEN"));

    expect(await codeOf(call(CREATE, { i: orderInput(serviceId) }, outsider))).toBe("FORBIDDEN"); // providers do not post jobs
    // Shaped like a UUID, so it passes the platform's input boundary, but not an RFC 9562 one: orders' own
    // validation reports it together with the other bad fields.
    const bad = await call(CREATE, { i: { ...orderInput("12345678-1234-0234-8234-123456789012"), title: "", budget: { amount: -1, currency: "EURO" } } }, customer);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(Object.keys(bad.errors?.[0]?.extensions?.fields as object)).toEqual(expect.arrayContaining(["input.serviceId", "input.title"]));
    // Not an id at all: refused by the input boundary before orders runs, naming the field.
    const malformed = await call(CREATE, { i: { ...orderInput("not-a-uuid"), title: "" } }, customer);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.serviceId": "must be a valid id" } });
    const ghost = await call(CREATE, { i: orderInput("00000000-0000-4000-8000-000000000000") }, customer);
    expect(ghost.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.serviceId": "is not a service in the catalog" } });
    expect(await codeOf(call("{ openOrders { totalCount } }", {}, customer))).toBe("FORBIDDEN");
    expect(await codeOf(call("{ myOrders(first: 1000) { totalCount } }", {}, customer))).toBe("BAD_USER_INPUT");
    expect(await codeOf(call('{ myOrders(after: "garbage") { totalCount } }', {}, customer))).toBe("BAD_USER_INPUT");

    const cancelled = await ok<{ cancelOrder: { status: string } }>("mutation($id: ID!) { cancelOrder(id: $id) { status } }", { id: order }, customer);
    expect(cancelled.cancelOrder.status).toBe("CANCELLED");
  });
});

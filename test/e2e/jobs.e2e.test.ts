import pg from "pg";
import { beforeAll, describe, expect, test } from "vitest";
import { logIn } from "../support/accounts.js";
import { codeOf, eventually, registerUser, type TestUser } from "../support/federation.js";
import { placeOrder, providerFor, seededServiceId, submitOffer } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// Issue 13's jobs slice through the gateway: a job pauses and resumes, is reviewed with a comment, a moderator hides
// the review (customer no longer sees it, staff do); an expired offer cannot be accepted.
const federation = useFederation();
const { call, ok } = federation;

async function sql(database: "users" | "orders", text: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: federation.fed.databaseUrls[database] });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A moderator: roles written straight into users' database (grantRole is another slice), then a fresh login. */
async function moderator(): Promise<TestUser> {
  const user = await registerUser(federation.url, ["CUSTOMER"], "Mo Moderator");
  await sql("users", `UPDATE users SET roles = array_append(roles, 'MODERATOR') WHERE id = $1`, [user.id]);
  return logIn(federation.url, user.email);
}

const OFFER = "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id status validUntil message } }";
const ACCEPT = "mutation($id: ID!) { acceptOffer(offerId: $id) { id status } }";
const REVIEW_OF = "query($id: ID!) { order(id: $id) { review { id comment hidden hiddenReason } } }";

async function orderWithOffer(serviceId: string, customer: TestUser, provider: TestUser) {
  const orderId = await placeOrder(federation.url, customer.token, serviceId, { description: "Drips", address: "1 Main Street" });
  const offerId = await submitOffer(federation.url, provider.token, orderId, { message: "Tomorrow morning" });
  return { orderId, offer: { id: offerId } };
}

describe("jobs through the gateway", () => {
  let serviceId: string;
  let customer: TestUser;
  let provider: TestUser;
  beforeAll(async () => {
    serviceId = await seededServiceId(federation.url);
    customer = await registerUser(federation.url, ["CUSTOMER"], "Carla Customer");
    provider = await providerFor(federation.url, serviceId, "Pat Plumber");
  });

  test("accept → start → pause (reason) → resume → complete → review with comment → a moderator hides it", async () => {
    const { orderId, offer } = await orderWithOffer(serviceId, customer, provider);
    await ok(ACCEPT, { id: offer.id }, customer);
    await ok("mutation($id: ID!) { startOrder(id: $id) { status } }", { id: orderId }, provider);

    const paused = await ok<{ pauseOrder: { status: string; pauseReason: string } }>(
      'mutation($id: ID!) { pauseOrder(id: $id, reason: "  Waiting for a spare part ") { status pauseReason } }', { id: orderId }, provider,
    );
    expect(paused.pauseOrder).toEqual({ status: "PAUSED", pauseReason: "Waiting for a spare part" });
    expect(await codeOf(call("mutation($id: ID!) { completeOrder(id: $id) { status } }", { id: orderId }, provider))).toBe("INVALID_STATE");
    const blank = await call('mutation($id: ID!) { pauseOrder(id: $id, reason: " ") { status } }', { id: orderId }, customer);
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    const resumed = await ok<{ resumeOrder: { status: string; pauseReason: string } }>(
      "mutation($id: ID!) { resumeOrder(id: $id) { status pauseReason } }", { id: orderId }, customer,
    );
    expect(resumed.resumeOrder).toEqual({ status: "IN_PROGRESS", pauseReason: "Waiting for a spare part" });
    await ok("mutation($id: ID!) { completeOrder(id: $id) { status } }", { id: orderId }, provider);

    const review = await ok<{ reviewOrder: { id: string; comment: string; hidden: boolean; hiddenReason: string | null } }>(
      'mutation($id: ID!) { reviewOrder(orderId: $id, rating: 1, comment: "  Slow and rude  ") { id comment hidden hiddenReason } }', { id: orderId }, customer,
    );
    expect(review.reviewOrder).toMatchObject({ comment: "Slow and rude", hidden: false, hiddenReason: null });
    const reviewId = review.reviewOrder.id;

    expect(await codeOf(call('mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }', { id: reviewId }, customer))).toBe("FORBIDDEN");
    const mod = await moderator();
    const hidden = await ok<{ hideReview: { id: string; hidden: boolean; hiddenReason: string } }>(
      'mutation($id: ID!) { hideReview(id: $id, reason: "Insulting language") { id hidden hiddenReason } }', { id: reviewId }, mod,
    );
    expect(hidden.hideReview).toEqual({ id: reviewId, hidden: true, hiddenReason: "Insulting language" });
    expect(await codeOf(call('mutation($id: ID!) { hideReview(id: $id, reason: "again") { id } }', { id: reviewId }, mod))).toBe("INVALID_STATE");

    // Gone for the customer and the provider, also from the provider's reviews and rating; staff still see it.
    for (const who of [customer, provider]) {
      expect((await ok<{ order: { review: unknown } }>(REVIEW_OF, { id: orderId }, who)).order.review).toBeNull();
    }
    const profile = "query($id: ID!) { user(id: $id) { rating { count } reviews { totalCount } } }";
    expect((await ok<{ user: unknown }>(profile, { id: provider.id }, customer)).user).toEqual({ rating: null, reviews: { totalCount: 0 } });
    expect((await ok<{ order: { review: unknown } }>(REVIEW_OF, { id: orderId }, mod)).order.review).toEqual({
      id: reviewId, comment: "Slow and rude", hidden: true, hiddenReason: "Insulting language",
    });
    expect((await ok<{ user: unknown }>(profile, { id: provider.id }, mod)).user).toEqual({ rating: null, reviews: { totalCount: 1 } });
  });

  test("an offer past its validUntil shows EXPIRED to the customer and cannot be accepted; one in the past is refused", async () => {
    const { orderId } = await orderWithOffer(serviceId, customer, provider);
    const past = await call(OFFER, { i: { orderId, price: { amount: 1, currency: "EUR" }, validUntil: "2020-01-01T00:00:00Z" } }, provider);
    expect(past.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.validUntil": "must be in the future" } });

    const other = await providerFor(federation.url, serviceId, "Quick Quentin");
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const limited = await ok<{ submitOffer: { id: string; status: string; validUntil: string } }>(
      OFFER, { i: { orderId, price: { amount: 7000, currency: "EUR" }, validUntil: until } }, other,
    );
    expect(limited.submitOffer).toMatchObject({ status: "PENDING", validUntil: until });
    // The hour passes (no waiting in a test: the stored limit is moved into the past).
    await sql("orders", "UPDATE offers SET valid_until = now() - interval '1 second' WHERE id = $1", [limited.submitOffer.id]);

    const offers = await ok<{ order: { offers: Array<{ id: string; status: string }> } }>(
      "query($id: ID!) { order(id: $id) { offers { id status } } }", { id: orderId }, customer,
    );
    expect(offers.order.offers.find((o) => o.id === limited.submitOffer.id)?.status).toBe("EXPIRED");
    expect(await codeOf(call(ACCEPT, { id: limited.submitOffer.id }, customer))).toBe("INVALID_STATE");
    const mine = await ok<{ myOffers: { edges: Array<{ node: { id: string; status: string } }> } }>(
      "{ myOffers(status: EXPIRED) { edges { node { id status } } } }", {}, other,
    );
    expect(mine.myOffers.edges).toEqual([{ node: { id: limited.submitOffer.id, status: "EXPIRED" } }]);
  });

  test("suspensions (users' events) hold a customer's open order and a provider's pending offer back; lifting restores both", async () => {
    // users' suspendUser is another slice: its events are written to users' outbox, which its relay publishes as usual.
    const announce = (type: "UserSuspended" | "UserUnsuspended", userId: string) =>
      sql("users", "INSERT INTO outbox_events (id, type, payload) VALUES (gen_random_uuid(), $1, $2)", [type, JSON.stringify(type === "UserSuspended" ? { userId, until: null } : { userId })]);
    const feed = async (who: TestUser) => (await ok<{ openOrders: { edges: Array<{ node: { id: string } }> } }>("{ openOrders { edges { node { id } } } }", {}, who)).openOrders.edges.map((e) => e.node.id);
    const offersSeen = async () =>
      (await ok<{ order: { offers: Array<{ id: string }> } }>("query($id: ID!) { order(id: $id) { offers { id } } }", { id: orderId }, customer)).order.offers.map((o) => o.id);

    const watcher = await providerFor(federation.url, serviceId, "Wanda Watcher");
    const { orderId, offer } = await orderWithOffer(serviceId, customer, provider);
    expect(await feed(watcher)).toContain(orderId);

    await announce("UserSuspended", customer.id);
    await eventually(async () => expect(await feed(watcher)).not.toContain(orderId));
    expect(await codeOf(call("query($id: ID!) { order(id: $id) { id } }", { id: orderId }, watcher))).toBe("NOT_FOUND");
    expect(await codeOf(call(OFFER, { i: { orderId, price: { amount: 1, currency: "EUR" } } }, watcher))).toBe("NOT_FOUND");
    await announce("UserUnsuspended", customer.id);
    await eventually(async () => expect(await feed(watcher)).toContain(orderId));

    await announce("UserSuspended", provider.id);
    await eventually(async () => expect(await offersSeen()).toEqual([]));
    expect(await codeOf(call(ACCEPT, { id: offer.id }, customer))).toBe("INVALID_STATE");
    await announce("UserUnsuspended", provider.id);
    await eventually(async () => expect(await offersSeen()).toEqual([offer.id]));
    expect((await ok<{ acceptOffer: { status: string } }>(ACCEPT, { id: offer.id }, customer)).acceptOffer.status).toBe("ASSIGNED");
  });
});

import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ErrorCode, tradingGate, type PageArgs } from "@fixup/platform";
import type { Actor } from "../domain/access.js";
import type { Role } from "../domain/generated/roles.js";
import type { Offer, Order } from "../domain/order.js";
import type { OrderStatus } from "../domain/order-status.js";
import { FakeOrderRepository } from "../../test/fake-order-repository.js";
import type { LiveEvents } from "./live-events.js";
import { OrderService } from "./order-service.js";
import { appError } from "@fixup/platform/testing";

const SERVICE = randomUUID();
const OTHER_SERVICE = randomUUID();

const actor = (...roles: Role[]): Actor => ({ userId: randomUUID(), roles });
/** The order's customer in every scenario. */
const customer = actor("CUSTOMER");
/** Another customer: knows nothing about the order. */
const stranger = actor("CUSTOMER");
const admin = actor("ADMIN");
/** Performs SERVICE; offers in the scenarios and is the one accepted. */
const provider = actor("PROVIDER");
/** Performs SERVICE; offers in the scenarios and is rejected when `provider` is accepted. */
const rival = actor("PROVIDER");
/** Performs SERVICE but never offers. */
const watcher = actor("PROVIDER");
/** A provider of another service only. */
const outsider = actor("PROVIDER");
/** Customer and provider of SERVICE at once. */
const hybrid = actor("CUSTOMER", "PROVIDER");

const ACTORS = { customer, stranger, admin, provider, rival, watcher, outsider, hybrid };
type ActorName = keyof typeof ACTORS;

const EUR = (amount: number) => ({ amount, currency: "EUR" });
const orderInput = (overrides: Record<string, unknown> = {}) => ({
  serviceId: SERVICE,
  title: "Fix my sink",
  description: "It drips all night",
  address: "1 Main St",
  location: { lat: 52.52, lng: 13.405 },
  ...overrides,
});

function setup(now?: () => Date) {
  const repo = new FakeOrderRepository(now);
  for (const p of [provider, rival, watcher, hybrid]) repo.assignService(p.userId, SERVICE);
  repo.assignService(outsider.userId, OTHER_SERVICE);
  /** Live (subscription) notifications, as "offerSubmitted <offerId>" / "orderUpdated <orderId> <status>". */
  const published: string[] = [];
  const live: LiveEvents = {
    offerSubmitted: (o) => void published.push(`offerSubmitted ${o.id}`),
    orderUpdated: (o) => void published.push(`orderUpdated ${o.id} ${o.status}`),
  };
  const service = new OrderService(repo, live);
  /** Fresh loaders per call, like one GraphQL request per call. */
  const loaders = (a: Actor) => service.createLoaders(async () => a);

  const createOrder = (by: Actor = customer, overrides: Record<string, unknown> = {}) => service.createOrder(by, orderInput(overrides));
  const offer = (by: Actor, orderId: string, price = EUR(5000)) => service.submitOffer(by, { orderId, price }, loaders(by));
  const accept = (offerId: string, by: Actor = customer) => service.acceptOffer(by, offerId, loaders(by));
  const start = (orderId: string, by: Actor = provider) => service.startOrder(by, orderId, loaders(by));
  const complete = (orderId: string, by: Actor = provider) => service.completeOrder(by, orderId, loaders(by));
  const cancel = (orderId: string, by: Actor = customer) => service.cancelOrder(by, orderId, loaders(by));
  const review = (orderId: string, rating: number, by: Actor = customer, comment?: string) =>
    service.reviewOrder(by, { orderId, rating, comment }, loaders(by));
  const get = (id: string, by: Actor) => service.getOrder(by, id, loaders(by));

  /**
   * `customer`'s order with offers from `provider` and `rival`. From ASSIGNED on, `provider`'s offer is accepted and
   * `rival`'s rejected; CANCELLED is cancelled after the assignment.
   */
  async function orderIn(status: OrderStatus): Promise<{ order: Order; offer: Offer; rivalOffer: Offer }> {
    let order = await createOrder();
    const mine = await offer(provider, order.id);
    const theirs = await offer(rival, order.id);
    if (status !== "OPEN") order = await accept(mine.id);
    if (status === "IN_PROGRESS" || status === "COMPLETED") order = await start(order.id);
    if (status === "COMPLETED") order = await complete(order.id);
    if (status === "CANCELLED") order = await cancel(order.id);
    expect(order.status).toBe(status);
    return { order, offer: repo.offers.get(mine.id)!, rivalOffer: repo.offers.get(theirs.id)! };
  }

  return { repo, published, service, loaders, createOrder, offer, accept, start, complete, cancel, review, get, orderIn };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("createOrder", () => {
  test("stores an OPEN order for the customer and records OrderCreated", async () => {
    const { createOrder, repo } = setup();
    const order = await createOrder(customer, {
      title: "  Fix my sink  ",
      scheduledFor: "2026-03-01T09:00:00+01:00",
      budget: EUR(12_000),
    });
    expect(order).toMatchObject({
      customerId: customer.userId,
      serviceId: SERVICE,
      title: "Fix my sink",
      status: "OPEN",
      acceptedOfferId: null,
      scheduledFor: new Date("2026-03-01T08:00:00Z"),
      budget: { amount: 12_000, currency: "EUR" },
    });
    expect(repo.orders.get(order.id)).toEqual(order);
    expect(repo.outbox).toEqual([
      { id: expect.any(String), type: "OrderCreated", payload: { orderId: order.id, customerId: customer.userId, serviceId: SERVICE } },
    ]);
  });

  test("a service catalog never announced → BAD_USER_INPUT on input.serviceId, nothing stored", async () => {
    const { createOrder, repo } = setup();
    const ghost = randomUUID();
    repo.unknownServices.add(ghost);
    const error = await appError(createOrder(customer, { serviceId: ghost }));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ "input.serviceId": "is not a service in the catalog" });
    expect(repo.orders.size).toBe(0);
    expect(repo.outbox).toEqual([]);
  });

  test("budget and scheduledFor are optional (omitted or null)", async () => {
    const { createOrder } = setup();
    expect(await createOrder(customer)).toMatchObject({ budget: null, scheduledFor: null });
    expect(await createOrder(customer, { budget: null, scheduledFor: null })).toMatchObject({ budget: null, scheduledFor: null });
  });

  test.each<[string, Actor]>([
    ["a provider", provider],
    ["an admin", admin],
  ])("%s → FORBIDDEN, nothing stored", async (_name, who) => {
    const { createOrder, repo } = setup();
    expect((await appError(createOrder(who))).code).toBe(ErrorCode.FORBIDDEN);
    expect(repo.orders.size).toBe(0);
    expect(repo.outbox).toHaveLength(0);
  });

  test.each<{ case: string; input: Record<string, unknown> | null; field: string; message?: string }>([
    { case: "missing title", input: orderInput({ title: undefined }), field: "input.title", message: "is required" },
    { case: "short title", input: orderInput({ title: "ab" }), field: "input.title", message: "must be at least 3 characters" },
    { case: "title short once trimmed", input: orderInput({ title: "  ab   " }), field: "input.title", message: "must be at least 3 characters" },
    { case: "long title", input: orderInput({ title: "x".repeat(121) }), field: "input.title", message: "must be at most 120 characters" },
    { case: "missing serviceId", input: orderInput({ serviceId: undefined }), field: "input.serviceId", message: "is required" },
    { case: "malformed serviceId", input: orderInput({ serviceId: "plumbing" }), field: "input.serviceId", message: "must be a valid service id" },
    { case: "blank description", input: orderInput({ description: "   " }), field: "input.description", message: "must not be empty" },
    { case: "short address", input: orderInput({ address: "x" }), field: "input.address", message: "must be at least 3 characters" },
    { case: "bad scheduledFor", input: orderInput({ scheduledFor: "tomorrow" }), field: "input.scheduledFor" },
    { case: "lower-case currency", input: orderInput({ budget: { amount: 100, currency: "eur" } }), field: "input.budget.currency", message: "must be an ISO 4217 currency code" },
    { case: "unknown currency", input: orderInput({ budget: { amount: 100, currency: "ABC" } }), field: "input.budget.currency", message: "must be an ISO 4217 currency code" },
    { case: "missing currency", input: orderInput({ budget: { amount: 100 } }), field: "input.budget.currency", message: "is required" },
    { case: "zero amount", input: orderInput({ budget: EUR(0) }), field: "input.budget.amount", message: "must be positive" },
    { case: "negative amount", input: orderInput({ budget: EUR(-100) }), field: "input.budget.amount", message: "must be positive" },
    { case: "fractional amount", input: orderInput({ budget: EUR(12.5) }), field: "input.budget.amount", message: "must be a whole number of minor units" },
    { case: "amount over Int", input: orderInput({ budget: EUR(2 ** 31) }), field: "input.budget.amount", message: "must be at most 2147483647" },
    { case: "null input", input: null, field: "input.serviceId", message: "is required" },
  ])("$case → BAD_USER_INPUT fields.$field", async ({ input, field, message }) => {
    const { service, repo } = setup();
    const error = await appError(service.createOrder(customer, input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toHaveProperty([field]);
    if (message) expect(error.fields?.[field]).toBe(message);
    expect(repo.orders.size).toBe(0);
  });

  test("both budget problems are reported at once", async () => {
    const { service } = setup();
    const error = await appError(service.createOrder(customer, orderInput({ budget: { amount: -1, currency: "xx" } })));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["input.budget.amount", "input.budget.currency"]);
  });
});

describe("order(id) visibility", () => {
  test.each<[ActorName, OrderStatus, boolean]>([
    ["customer", "OPEN", true],
    ["customer", "COMPLETED", true],
    ["admin", "ASSIGNED", true],
    ["provider", "OPEN", true], // offered
    ["rival", "ASSIGNED", true], // offered, was rejected
    ["rival", "CANCELLED", true],
    ["watcher", "OPEN", true], // performs the service, order still open
    ["hybrid", "OPEN", true], // performs the service too
    ["watcher", "ASSIGNED", false], // same provider, no offer, order no longer open
    ["watcher", "CANCELLED", false],
    ["outsider", "OPEN", false], // provider of another service
    ["stranger", "OPEN", false],
    ["stranger", "COMPLETED", false],
  ])("%s, order %s → visible: %s", async (name, status, visible) => {
    const { orderIn, get } = setup();
    const { order } = await orderIn(status);
    if (visible) {
      expect((await get(order.id, ACTORS[name])).id).toBe(order.id);
    } else {
      const error = await appError(get(order.id, ACTORS[name]));
      expect(error.code).toBe(ErrorCode.NOT_FOUND);
      // Indistinguishable from an order that does not exist.
      const missing = await appError(get(randomUUID(), ACTORS[name]));
      expect({ code: error.code, message: error.message }).toEqual({ code: missing.code, message: missing.message });
    }
  });

  test("unknown id → NOT_FOUND, even for an admin", async () => {
    const { get } = setup();
    expect((await appError(get(randomUUID(), admin))).code).toBe(ErrorCode.NOT_FOUND);
  });

  test.each(["", "42", "not-a-uuid", `${randomUUID()}x`])("malformed id %j → BAD_USER_INPUT fields.id", async (id) => {
    const { get } = setup();
    const error = await appError(get(id, customer));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ id: "must be a valid order id" });
  });

  test("visibleOrder (entity references) returns null instead of throwing", async () => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn("ASSIGNED");
    expect(await service.visibleOrder(customer, order.id, loaders(customer))).toMatchObject({ id: order.id });
    expect(await service.visibleOrder(watcher, order.id, loaders(watcher))).toBeNull();
    expect(await service.visibleOrder(null, order.id, loaders(customer))).toBeNull();
    expect(await service.visibleOrder(customer, randomUUID(), loaders(customer))).toBeNull();
  });
});

describe("submitOffer", () => {
  test("creates a PENDING offer and records OfferSubmitted", async () => {
    const { createOrder, service, loaders, repo } = setup();
    const order = await createOrder();
    const offer = await service.submitOffer(
      provider,
      { orderId: order.id, price: EUR(4500), message: "  Tomorrow works  ", proposedStart: "2026-03-02T10:00:00Z" },
      loaders(provider),
    );
    expect(offer).toMatchObject({
      orderId: order.id,
      providerId: provider.userId,
      price: EUR(4500),
      message: "Tomorrow works",
      proposedStart: new Date("2026-03-02T10:00:00Z"),
      status: "PENDING",
    });
    expect(repo.outboxOfType("OfferSubmitted")).toEqual([
      {
        id: expect.any(String),
        type: "OfferSubmitted",
        payload: { offerId: offer.id, orderId: order.id, providerId: provider.userId, customerId: customer.userId },
      },
    ]);
  });

  test.each<[string, ActorName, ErrorCode]>([
    ["provider without the service (cannot see the order)", "outsider", ErrorCode.NOT_FOUND],
    ["another customer (cannot see the order)", "stranger", ErrorCode.NOT_FOUND],
    ["the order's own customer, not a provider", "customer", ErrorCode.FORBIDDEN],
    ["an admin, not a provider (can see the order)", "admin", ErrorCode.FORBIDDEN],
  ])("%s → %s, nothing stored", async (_case, name, code) => {
    const { createOrder, offer, repo } = setup();
    const order = await createOrder();
    expect((await appError(offer(ACTORS[name], order.id))).code).toBe(code);
    expect(repo.offers.size).toBe(0);
    expect(repo.outboxOfType("OfferSubmitted")).toHaveLength(0);
  });

  test("offer on one's own order (customer who also provides the service) → FORBIDDEN", async () => {
    const { createOrder, offer, repo } = setup();
    const order = await createOrder(hybrid);
    expect((await appError(offer(hybrid, order.id))).code).toBe(ErrorCode.FORBIDDEN);
    expect(repo.offers.size).toBe(0);
  });

  test.each<ActorName>(["outsider", "stranger"])("%s: a hidden order looks exactly like a missing one", async (name) => {
    const { createOrder, offer } = setup();
    const order = await createOrder();
    const hidden = await appError(offer(ACTORS[name], order.id));
    const missing = await appError(offer(ACTORS[name], randomUUID()));
    expect({ code: hidden.code, message: hidden.message }).toEqual({ code: missing.code, message: missing.message });
    expect(hidden.code).toBe(ErrorCode.NOT_FOUND);
  });

  test("a provider whose service was unassigned after offering → FORBIDDEN", async () => {
    const { createOrder, offer, service, loaders, repo } = setup();
    const order = await createOrder();
    const first = await offer(provider, order.id);
    await service.withdrawOffer(provider, first.id, loaders(provider));
    repo.unassignService(provider.userId, SERVICE);
    // Still sees the order (has an offer), but may not offer again.
    expect((await appError(offer(provider, order.id))).code).toBe(ErrorCode.FORBIDDEN);
  });

  test("second offer by the same provider → CONFLICT, one offer kept", async () => {
    const { createOrder, offer, repo } = setup();
    const order = await createOrder();
    await offer(provider, order.id);
    expect((await appError(offer(provider, order.id, EUR(4000)))).code).toBe(ErrorCode.CONFLICT);
    expect([...repo.offers.values()].map((o) => o.price.amount)).toEqual([5000]);
    expect(repo.outboxOfType("OfferSubmitted")).toHaveLength(1);
  });

  test("a withdrawn offer may be submitted again (same offer, PENDING, new price)", async () => {
    const { createOrder, offer, service, loaders } = setup();
    const order = await createOrder();
    const first = await offer(provider, order.id);
    await service.withdrawOffer(provider, first.id, loaders(provider));
    const again = await offer(provider, order.id, EUR(4200));
    expect(again).toMatchObject({ id: first.id, status: "PENDING", price: EUR(4200) });
  });

  test.each<[string, OrderStatus, ActorName, ErrorCode]>([
    ["rejected provider, order ASSIGNED", "ASSIGNED", "rival", ErrorCode.INVALID_STATE],
    ["accepted provider, order IN_PROGRESS", "IN_PROGRESS", "provider", ErrorCode.INVALID_STATE],
    ["offering provider, order CANCELLED", "CANCELLED", "rival", ErrorCode.INVALID_STATE],
    ["offering provider, order COMPLETED", "COMPLETED", "rival", ErrorCode.INVALID_STATE],
    // Without an offer a provider cannot see a non-OPEN order at all.
    ["provider with the service but no offer, order ASSIGNED", "ASSIGNED", "watcher", ErrorCode.NOT_FOUND],
  ])("%s → %s", async (_case, status, name, code) => {
    const { orderIn, offer, repo } = setup();
    const { order } = await orderIn(status);
    const before = repo.outbox.length;
    expect((await appError(offer(ACTORS[name], order.id))).code).toBe(code);
    expect(repo.outbox).toHaveLength(before);
  });

  test("a withdrawn offer cannot be revived once the order is assigned → INVALID_STATE", async () => {
    const { createOrder, offer, accept, service, loaders } = setup();
    const order = await createOrder();
    const withdrawn = await offer(rival, order.id);
    await service.withdrawOffer(rival, withdrawn.id, loaders(rival));
    await accept((await offer(provider, order.id)).id);
    expect((await appError(offer(rival, order.id))).code).toBe(ErrorCode.INVALID_STATE);
  });

  test("the order was accepted between the read and the write (StaleStateError) → INVALID_STATE", async () => {
    const { createOrder, offer, accept, service, loaders } = setup();
    const order = await createOrder();
    const stale = loaders(watcher);
    await service.getOrder(watcher, order.id, stale); // caches the order as OPEN
    await accept((await offer(provider, order.id)).id);
    const error = await appError(service.submitOffer(watcher, { orderId: order.id, price: EUR(100) }, stale));
    expect(error.code).toBe(ErrorCode.INVALID_STATE);
  });

  test.each<{ case: string; input: Record<string, unknown>; field: string; message?: string }>([
    { case: "zero price", input: { price: EUR(0) }, field: "input.price.amount", message: "must be positive" },
    { case: "negative price", input: { price: EUR(-1) }, field: "input.price.amount", message: "must be positive" },
    { case: "fractional price", input: { price: EUR(99.9) }, field: "input.price.amount", message: "must be a whole number of minor units" },
    { case: "price over Int", input: { price: EUR(2 ** 31) }, field: "input.price.amount", message: "must be at most 2147483647" },
    { case: "bad currency", input: { price: { amount: 100, currency: "usd" } }, field: "input.price.currency", message: "must be an ISO 4217 currency code" },
    { case: "missing price", input: { price: undefined }, field: "input.price", message: "is required" },
    { case: "malformed orderId", input: { orderId: "abc" }, field: "input.orderId", message: "must be a valid order id" },
    { case: "long message", input: { message: "m".repeat(2001) }, field: "input.message", message: "must be at most 2000 characters" },
    { case: "bad proposedStart", input: { proposedStart: "soon" }, field: "input.proposedStart" },
  ])("$case → BAD_USER_INPUT fields.$field", async ({ input, field, message }) => {
    const { createOrder, service, loaders, repo } = setup();
    const order = await createOrder();
    const error = await appError(service.submitOffer(provider, { orderId: order.id, price: EUR(100), ...input }, loaders(provider)));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toHaveProperty([field]);
    if (message) expect(error.fields?.[field]).toBe(message);
    expect(repo.offers.size).toBe(0);
  });
});

describe("withdrawOffer", () => {
  test("PENDING → WITHDRAWN, records OfferWithdrawn", async () => {
    const { createOrder, offer, service, loaders, repo } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    const withdrawn = await service.withdrawOffer(provider, mine.id, loaders(provider));
    expect(withdrawn).toMatchObject({ id: mine.id, status: "WITHDRAWN" });
    expect(repo.outboxOfType("OfferWithdrawn")).toEqual([
      { id: expect.any(String), type: "OfferWithdrawn", payload: { offerId: mine.id, orderId: order.id, providerId: provider.userId } },
    ]);
  });

  test.each<[string, ActorName]>([
    ["another provider who also offered", "rival"],
    ["the order's customer", "customer"],
    ["an admin", "admin"],
    ["a stranger", "stranger"],
  ])("someone else's offer (%s) → NOT_FOUND, unchanged", async (_case, name) => {
    const { createOrder, offer, service, loaders, repo } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    await offer(rival, order.id);
    expect((await appError(service.withdrawOffer(ACTORS[name], mine.id, loaders(ACTORS[name])))).code).toBe(ErrorCode.NOT_FOUND);
    expect(repo.offers.get(mine.id)?.status).toBe("PENDING");
  });

  test("unknown offer → NOT_FOUND; malformed id → BAD_USER_INPUT fields.id", async () => {
    const { service, loaders } = setup();
    expect((await appError(service.withdrawOffer(provider, randomUUID(), loaders(provider)))).code).toBe(ErrorCode.NOT_FOUND);
    const error = await appError(service.withdrawOffer(provider, "nope", loaders(provider)));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ id: "must be a valid offer id" });
  });

  test.each<[string, ActorName, OrderStatus]>([
    ["ACCEPTED", "provider", "ASSIGNED"],
    ["REJECTED", "rival", "ASSIGNED"],
    ["REJECTED by cancellation", "rival", "CANCELLED"],
  ])("a %s offer → INVALID_STATE", async (_case, name, status) => {
    const { orderIn, service, loaders, repo } = setup();
    const { offer, rivalOffer } = await orderIn(status);
    const target = name === "provider" ? offer : rivalOffer;
    const before = repo.offers.get(target.id)?.status;
    expect((await appError(service.withdrawOffer(ACTORS[name], target.id, loaders(ACTORS[name])))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.offers.get(target.id)?.status).toBe(before);
  });

  test("withdrawing twice → INVALID_STATE; a concurrent withdraw (StaleStateError) → INVALID_STATE", async () => {
    const { createOrder, offer, service, loaders } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    const stale = loaders(provider);
    await stale.offer.load(mine.id); // cached as PENDING
    await service.withdrawOffer(provider, mine.id, loaders(provider));
    expect((await appError(service.withdrawOffer(provider, mine.id, loaders(provider)))).code).toBe(ErrorCode.INVALID_STATE);
    expect((await appError(service.withdrawOffer(provider, mine.id, stale))).code).toBe(ErrorCode.INVALID_STATE);
  });
});

describe("acceptOffer", () => {
  test("assigns the order, accepts the offer, rejects the other PENDING ones, emits OfferAccepted + OrderStatusChanged", async () => {
    const { createOrder, offer, accept, service, loaders, repo } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    const theirs = await offer(rival, order.id);
    const withdrawn = await offer(watcher, order.id);
    await service.withdrawOffer(watcher, withdrawn.id, loaders(watcher));
    const outboxBefore = repo.outbox.length;

    const assigned = await accept(mine.id);
    expect(assigned).toMatchObject({ id: order.id, status: "ASSIGNED", acceptedOfferId: mine.id });
    expect(repo.offers.get(mine.id)?.status).toBe("ACCEPTED");
    expect(repo.offers.get(theirs.id)?.status).toBe("REJECTED");
    expect(repo.offers.get(withdrawn.id)?.status).toBe("WITHDRAWN");
    expect(repo.outbox.slice(outboxBefore)).toEqual([
      {
        id: expect.any(String),
        type: "OfferAccepted",
        payload: { offerId: mine.id, orderId: order.id, providerId: provider.userId, customerId: customer.userId },
      },
      {
        id: expect.any(String),
        type: "OrderStatusChanged",
        payload: { orderId: order.id, customerId: customer.userId, providerId: provider.userId, from: "OPEN", to: "ASSIGNED" },
      },
    ]);
  });

  test.each<[string, ActorName, ErrorCode]>([
    ["another customer", "stranger", ErrorCode.NOT_FOUND],
    ["a provider who can see the OPEN order but has no offer", "watcher", ErrorCode.NOT_FOUND],
    ["a provider of another service", "outsider", ErrorCode.NOT_FOUND],
    ["another offering provider (cannot see this offer)", "rival", ErrorCode.NOT_FOUND],
    ["an admin (sees the order, is not its customer)", "admin", ErrorCode.NOT_FOUND],
    ["the offering provider", "provider", ErrorCode.FORBIDDEN],
  ])("by %s → %s, nothing changes", async (_case, name, code) => {
    const { orderIn, accept, repo } = setup();
    const { order, offer } = await orderIn("OPEN");
    const outboxBefore = repo.outbox.length;
    expect((await appError(accept(offer.id, ACTORS[name]))).code).toBe(code);
    expect(repo.orders.get(order.id)?.status).toBe("OPEN");
    expect(repo.offers.get(offer.id)?.status).toBe("PENDING");
    expect(repo.outbox).toHaveLength(outboxBefore);
  });

  test("unknown offer → NOT_FOUND; malformed id → BAD_USER_INPUT fields.offerId", async () => {
    const { accept } = setup();
    expect((await appError(accept(randomUUID()))).code).toBe(ErrorCode.NOT_FOUND);
    const error = await appError(accept("offer-1"));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ offerId: "must be a valid offer id" });
  });

  test.each<[string, OrderStatus, "offer" | "rivalOffer"]>([
    ["the rejected offer of an ASSIGNED order", "ASSIGNED", "rivalOffer"],
    ["the accepted offer again", "ASSIGNED", "offer"],
    ["an offer of an IN_PROGRESS order", "IN_PROGRESS", "rivalOffer"],
    ["an offer of a CANCELLED order", "CANCELLED", "rivalOffer"],
  ])("%s → INVALID_STATE", async (_case, status, which) => {
    const { orderIn, accept, repo } = setup();
    const world = await orderIn(status);
    const outboxBefore = repo.outbox.length;
    expect((await appError(accept(world[which].id))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(world.order.id)?.acceptedOfferId).toBe(world.offer.id);
    expect(repo.outbox).toHaveLength(outboxBefore);
  });

  test("a withdrawn offer on an OPEN order → INVALID_STATE, order stays OPEN", async () => {
    const { orderIn, accept, service, loaders, repo } = setup();
    const { order, offer } = await orderIn("OPEN");
    await service.withdrawOffer(provider, offer.id, loaders(provider));
    expect((await appError(accept(offer.id))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)).toMatchObject({ status: "OPEN", acceptedOfferId: null });
    expect(repo.outboxOfType("OfferAccepted")).toHaveLength(0);
  });

  test("a concurrent accept won meanwhile (StaleStateError) → INVALID_STATE, first accept stands", async () => {
    const { orderIn, service, loaders, repo } = setup();
    const { order, offer, rivalOffer } = await orderIn("OPEN");
    const stale = loaders(customer);
    await stale.offer.load(rivalOffer.id);
    await stale.order.load(order.id); // both cached as OPEN / PENDING
    await service.acceptOffer(customer, offer.id, loaders(customer));
    expect((await appError(service.acceptOffer(customer, rivalOffer.id, stale))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)?.acceptedOfferId).toBe(offer.id);
    expect(repo.outboxOfType("OfferAccepted")).toHaveLength(1);
  });
});

describe("startOrder / completeOrder", () => {
  test("the accepted provider moves ASSIGNED → IN_PROGRESS → COMPLETED, each with OrderStatusChanged", async () => {
    const { orderIn, start, complete, repo } = setup();
    const { order } = await orderIn("ASSIGNED");
    expect((await start(order.id)).status).toBe("IN_PROGRESS");
    expect((await complete(order.id)).status).toBe("COMPLETED");
    expect(repo.outboxOfType("OrderStatusChanged").map((e) => e.payload)).toEqual([
      expect.objectContaining({ orderId: order.id, from: "OPEN", to: "ASSIGNED" }),
      { orderId: order.id, customerId: customer.userId, from: "ASSIGNED", to: "IN_PROGRESS" },
      { orderId: order.id, customerId: customer.userId, from: "IN_PROGRESS", to: "COMPLETED" },
    ]);
  });

  const moves = [
    ["startOrder", "ASSIGNED"],
    ["completeOrder", "IN_PROGRESS"],
  ] as const;
  const intruders: Array<[string, ActorName, ErrorCode]> = [
    ["the rejected provider", "rival", ErrorCode.FORBIDDEN],
    ["the customer", "customer", ErrorCode.FORBIDDEN],
    ["an admin", "admin", ErrorCode.FORBIDDEN],
    ["a provider of the service without an offer", "watcher", ErrorCode.NOT_FOUND],
    ["a stranger", "stranger", ErrorCode.NOT_FOUND],
  ];
  test.each(moves.flatMap(([method, status]) => intruders.map(([who, name, code]) => [method, status, who, name, code] as const)))(
    "%s on a %s order by %s → %s",
    async (method, status, _who, name, code) => {
      const { orderIn, service, loaders, repo } = setup();
      const { order } = await orderIn(status);
      const outboxBefore = repo.outbox.length;
      expect((await appError(service[method](ACTORS[name], order.id, loaders(ACTORS[name])))).code).toBe(code);
      expect(repo.orders.get(order.id)?.status).toBe(status);
      expect(repo.outbox).toHaveLength(outboxBefore);
    },
  );

  test.each<["startOrder" | "completeOrder", OrderStatus]>([
    ["startOrder", "IN_PROGRESS"],
    ["startOrder", "COMPLETED"],
    ["startOrder", "CANCELLED"],
    ["completeOrder", "ASSIGNED"],
    ["completeOrder", "COMPLETED"],
    ["completeOrder", "CANCELLED"],
  ])("%s by the accepted provider on a %s order → INVALID_STATE", async (method, status) => {
    const { orderIn, service, loaders, repo } = setup();
    const { order } = await orderIn(status);
    expect((await appError(service[method](provider, order.id, loaders(provider)))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)?.status).toBe(status);
  });

  test("on an OPEN order nobody is the assigned provider → FORBIDDEN (even the offering provider)", async () => {
    const { orderIn, start } = setup();
    const { order } = await orderIn("OPEN");
    expect((await appError(start(order.id, provider))).code).toBe(ErrorCode.FORBIDDEN);
  });

  test("the order was started meanwhile (StaleStateError) → INVALID_STATE", async () => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn("ASSIGNED");
    const stale = loaders(provider);
    await service.getOrder(provider, order.id, stale); // cached as ASSIGNED
    await service.startOrder(provider, order.id, loaders(provider));
    expect((await appError(service.startOrder(provider, order.id, stale))).code).toBe(ErrorCode.INVALID_STATE);
  });

  test("malformed id → BAD_USER_INPUT fields.id", async () => {
    const { start } = setup();
    const error = await appError(start("x"));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ id: "must be a valid order id" });
  });
});

describe("cancelOrder", () => {
  test("OPEN → CANCELLED: pending offers are rejected, a withdrawn one stays withdrawn", async () => {
    const { orderIn, offer, cancel, service, loaders, repo } = setup();
    const { order, offer: mine, rivalOffer } = await orderIn("OPEN");
    const withdrawn = await offer(watcher, order.id);
    await service.withdrawOffer(watcher, withdrawn.id, loaders(watcher));
    expect((await cancel(order.id)).status).toBe("CANCELLED");
    expect([mine, rivalOffer, withdrawn].map((o) => repo.offers.get(o.id)?.status)).toEqual(["REJECTED", "REJECTED", "WITHDRAWN"]);
    expect(repo.outboxOfType("OrderStatusChanged").at(-1)?.payload).toEqual({
      orderId: order.id, customerId: customer.userId, from: "OPEN", to: "CANCELLED",
    });
  });

  test("ASSIGNED → CANCELLED, the accepted offer stays ACCEPTED", async () => {
    const { orderIn, cancel, repo } = setup();
    const { order, offer } = await orderIn("ASSIGNED");
    expect((await cancel(order.id)).status).toBe("CANCELLED");
    expect(repo.offers.get(offer.id)?.status).toBe("ACCEPTED");
    expect(repo.outboxOfType("OrderStatusChanged").at(-1)?.payload).toMatchObject({ from: "ASSIGNED", to: "CANCELLED" });
  });

  test.each<OrderStatus>(["IN_PROGRESS", "COMPLETED", "CANCELLED"])("%s → INVALID_STATE", async (status) => {
    const { orderIn, cancel, repo } = setup();
    const { order } = await orderIn(status);
    const outboxBefore = repo.outbox.length;
    expect((await appError(cancel(order.id))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)?.status).toBe(status);
    expect(repo.outbox).toHaveLength(outboxBefore);
  });

  test.each<[string, ActorName, ErrorCode]>([
    ["an offering provider", "provider", ErrorCode.FORBIDDEN],
    ["a provider who performs the service", "watcher", ErrorCode.FORBIDDEN],
    ["an admin", "admin", ErrorCode.FORBIDDEN],
    ["a stranger", "stranger", ErrorCode.NOT_FOUND],
    ["a provider of another service", "outsider", ErrorCode.NOT_FOUND],
  ])("by %s → %s", async (_case, name, code) => {
    const { orderIn, cancel, repo } = setup();
    const { order } = await orderIn("OPEN");
    expect((await appError(cancel(order.id, ACTORS[name]))).code).toBe(code);
    expect(repo.orders.get(order.id)?.status).toBe("OPEN");
  });

  test("the order was started meanwhile (StaleStateError) → INVALID_STATE", async () => {
    const { orderIn, start, service, loaders, repo } = setup();
    const { order } = await orderIn("ASSIGNED");
    const stale = loaders(customer);
    await service.getOrder(customer, order.id, stale); // cached as ASSIGNED
    await start(order.id);
    expect((await appError(service.cancelOrder(customer, order.id, stale))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)?.status).toBe("IN_PROGRESS");
  });
});

describe("reviewOrder", () => {
  test("the customer reviews a COMPLETED order; the review names the accepted provider and feeds the rating", async () => {
    const { orderIn, review, loaders } = setup();
    const { order } = await orderIn("COMPLETED");
    const saved = await review(order.id, 4.5, customer, "  Great work  ");
    expect(saved).toMatchObject({ orderId: order.id, authorId: customer.userId, providerId: provider.userId, rating: 4.5, comment: "Great work" });
    const l = loaders(customer);
    expect(await l.rating.load(provider.userId)).toEqual({ average: 4.5, count: 1 });
    expect(await l.rating.load(rival.userId)).toBeNull();
    expect(await l.reviewOfOrder.load(order.id)).toEqual(saved);
  });

  test.each<OrderStatus>(["OPEN", "ASSIGNED", "IN_PROGRESS", "CANCELLED"])("before completion (%s) → INVALID_STATE", async (status) => {
    const { orderIn, review, repo } = setup();
    const { order } = await orderIn(status);
    expect((await appError(review(order.id, 5))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.reviews.size).toBe(0);
  });

  test.each<[string, ActorName, ErrorCode]>([
    ["the accepted provider", "provider", ErrorCode.FORBIDDEN],
    ["the rejected provider", "rival", ErrorCode.FORBIDDEN],
    ["an admin", "admin", ErrorCode.FORBIDDEN],
    ["a provider of the service without an offer (cannot see it)", "watcher", ErrorCode.NOT_FOUND],
    ["a stranger (cannot see it)", "stranger", ErrorCode.NOT_FOUND],
  ])("by %s → %s", async (_case, name, code) => {
    const { orderIn, review, repo } = setup();
    const { order } = await orderIn("COMPLETED");
    expect((await appError(review(order.id, 5, ACTORS[name]))).code).toBe(code);
    expect(repo.reviews.size).toBe(0);
  });

  test("twice → CONFLICT, the first review stands", async () => {
    const { orderIn, review, repo } = setup();
    const { order } = await orderIn("COMPLETED");
    await review(order.id, 4);
    expect((await appError(review(order.id, 1))).code).toBe(ErrorCode.CONFLICT);
    expect([...repo.reviews.values()].map((r) => r.rating)).toEqual([4]);
  });

  test.each([0, 0.5, 3.5, 5])("rating %d is accepted", async (rating) => {
    const { orderIn, review } = setup();
    const { order } = await orderIn("COMPLETED");
    expect((await review(order.id, rating)).rating).toBe(rating);
  });

  test.each<[number, string]>([
    [5.5, "must be between 0 and 5"],
    [-1, "must be between 0 and 5"],
    [-0.5, "must be between 0 and 5"],
    [4.25, "must be in steps of 0.5"],
    [0.1, "must be in steps of 0.5"],
  ])("rating %d → BAD_USER_INPUT fields.rating %j", async (rating, message) => {
    const { orderIn, review, repo } = setup();
    const { order } = await orderIn("COMPLETED");
    const error = await appError(review(order.id, rating));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ rating: message });
    expect(repo.reviews.size).toBe(0);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["NaN rating", { rating: Number.NaN }, "rating"],
    ["string rating", { rating: "5" }, "rating"],
    ["missing rating", { rating: undefined }, "rating"],
    ["malformed orderId", { orderId: "x" }, "orderId"],
    ["comment over 2000 characters", { comment: "c".repeat(2001) }, "comment"],
  ])("%s → BAD_USER_INPUT fields.%s", async (_case, overrides, field) => {
    const { orderIn, service, loaders, repo } = setup();
    const { order } = await orderIn("COMPLETED");
    const error = await appError(service.reviewOrder(customer, { orderId: order.id, rating: 5, ...overrides }, loaders(customer)));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(Object.keys(error.fields ?? {})).toEqual([field]);
    expect(repo.reviews.size).toBe(0);
  });

  test("a comment of exactly 2000 characters is fine", async () => {
    const { orderIn, review } = setup();
    const { order } = await orderIn("COMPLETED");
    expect((await review(order.id, 5, customer, "c".repeat(2000))).comment).toHaveLength(2000);
  });
});

describe("offersOf / acceptedOfferOf", () => {
  test.each<[ActorName, Array<"provider" | "rival">]>([
    ["customer", ["provider", "rival"]],
    ["admin", ["provider", "rival"]],
    ["provider", ["provider"]],
    ["rival", ["rival"]],
  ])("%s sees offers of %j", async (name, expected) => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn("OPEN");
    const offers = await service.offersOf(ACTORS[name], order, loaders(ACTORS[name]));
    expect(offers.map((o) => o.providerId)).toEqual(expected.map((p) => ACTORS[p].userId));
  });

  test.each<[ActorName, boolean]>([
    ["customer", true],
    ["provider", true],
    ["rival", false],
  ])("acceptedOffer for %s visible: %s", async (name, visible) => {
    const { orderIn, service, loaders } = setup();
    const { order, offer } = await orderIn("ASSIGNED");
    const accepted = await service.acceptedOfferOf(ACTORS[name], order, loaders(ACTORS[name]));
    expect(accepted?.id ?? null).toBe(visible ? offer.id : null);
  });

  test("acceptedOffer is null while OPEN", async () => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn("OPEN");
    expect(await service.acceptedOfferOf(customer, order, loaders(customer))).toBeNull();
  });
});

describe("lists", () => {
  test("myOrders: only the actor's orders, filtered by status, paged by (createdAt, id) even when timestamps tie", async () => {
    const tied = new Date("2026-02-01T00:00:00Z");
    const { createOrder, service, cancel } = setup(() => tied);
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await createOrder(customer, { title: `Order ${i}` }));
    await createOrder(hybrid);
    await cancel(mine[0]!.id);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const page = await service.myOrders(customer, null, { first: 2, after });
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(mine.map((o) => o.id).sort());

    const open = await service.myOrders(customer, "OPEN", {});
    expect(open.totalCount).toBe(4);
    expect(open.edges.every((e) => e.node.status === "OPEN")).toBe(true);
    const cancelled = await service.myOrders(customer, "CANCELLED", { first: 10 });
    expect(cancelled.edges.map((e) => e.node.id)).toEqual([mine[0]!.id]);
  });

  test("myOffers: only the actor's offers, filtered by status", async () => {
    const { orderIn, offer, createOrder, service } = setup();
    await orderIn("ASSIGNED"); // provider ACCEPTED, rival REJECTED
    const second = await createOrder();
    await offer(rival, second.id);
    const all = await service.myOffers(rival, null, {});
    expect(all.totalCount).toBe(2);
    expect(all.edges.every((e) => e.node.providerId === rival.userId)).toBe(true);
    const pending = await service.myOffers(rival, "PENDING", {});
    expect(pending.edges.map((e) => e.node.orderId)).toEqual([second.id]);
    expect((await service.myOffers(provider, "ACCEPTED", {})).totalCount).toBe(1);
  });

  test("openOrders: OPEN orders of the provider's services, never their own", async () => {
    const { createOrder, orderIn, service } = setup();
    const open = await createOrder();
    await orderIn("ASSIGNED");
    await createOrder(customer, { serviceId: OTHER_SERVICE });
    const own = await createOrder(hybrid);
    const feed = async (a: Actor) => (await service.openOrders(a, { first: 50 })).edges.map((e) => e.node.id);
    expect(await feed(watcher)).toEqual([open.id, own.id]);
    expect(await feed(hybrid)).toEqual([open.id]);
    expect(await feed(outsider)).toHaveLength(1);
  });

  test.each<[string, Actor]>([
    ["a customer", customer],
    ["an admin", admin],
  ])("openOrders for %s (not a provider) → FORBIDDEN", async (_case, who) => {
    const { service } = setup();
    expect((await appError(service.openOrders(who, {}))).code).toBe(ErrorCode.FORBIDDEN);
  });

  test("ordersOfUser: the user themself and admins; anyone else → FORBIDDEN", async () => {
    const { createOrder, service } = setup();
    await createOrder();
    expect((await service.ordersOfUser(customer, customer.userId, null, {})).totalCount).toBe(1);
    expect((await service.ordersOfUser(admin, customer.userId, "OPEN", {})).totalCount).toBe(1);
    for (const other of [stranger, provider]) {
      expect((await appError(service.ordersOfUser(other, customer.userId, null, {}))).code).toBe(ErrorCode.FORBIDDEN);
    }
  });

  test("reviewsOf: the provider's reviews", async () => {
    const { orderIn, review, service } = setup();
    const { order } = await orderIn("COMPLETED");
    await review(order.id, 3);
    const page = await service.reviewsOf(provider.userId, { first: 1 });
    expect(page).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
    expect((await service.reviewsOf(rival.userId, {})).totalCount).toBe(0);
  });

  test("first: 0 returns no edges but tells whether there is more", async () => {
    const { createOrder, service } = setup();
    await createOrder();
    expect(await service.myOrders(customer, null, { first: 0 })).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 1 });
  });

  const lists: Array<[string, (s: OrderService, args: PageArgs) => Promise<unknown>]> = [
    ["myOrders", (s, args) => s.myOrders(customer, null, args)],
    ["myOffers", (s, args) => s.myOffers(provider, null, args)],
    ["openOrders", (s, args) => s.openOrders(provider, args)],
    ["ordersOfUser", (s, args) => s.ordersOfUser(customer, customer.userId, null, args)],
    ["reviewsOf", (s, args) => s.reviewsOf(provider.userId, args)],
  ];
  const badArgs: Array<[string, PageArgs, "first" | "after"]> = [
    ["first > 100", { first: 101 }, "first"],
    ["negative first", { first: -1 }, "first"],
    ["fractional first", { first: 2.5 }, "first"],
    ["garbage cursor", { after: "not a cursor" }, "after"],
    ["cursor of the wrong shape", { after: b64({ createdAt: "2026-01-01T00:00:00Z", id: randomUUID() }) }, "after"],
    ["cursor with a bad date", { after: b64(["yesterday", randomUUID()]) }, "after"],
  ];
  test.each(lists.flatMap(([name, call]) => badArgs.map(([what, args, field]) => [name, what, call, args, field] as const)))(
    "%s with %s → BAD_USER_INPUT fields.%s",
    async (_name, _what, call, args, field) => {
      const { service } = setup();
      const error = await appError(call(service, args));
      expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
      expect(Object.keys(error.fields ?? {})).toEqual([field]);
    },
  );

  test.each(lists)("%s accepts first: 100", async (_name, call) => {
    const { service } = setup();
    await expect(call(service, { first: 100 })).resolves.toMatchObject({ totalCount: 0 });
  });
});

describe("loaders", () => {
  test("rating averages the provider's reviews; null without reviews", async () => {
    const { orderIn, review, loaders } = setup();
    const first = await orderIn("COMPLETED");
    const second = await orderIn("COMPLETED");
    await review(first.order.id, 4);
    await review(second.order.id, 5);
    const l = loaders(customer);
    expect(await l.rating.loadMany([provider.userId, rival.userId])).toEqual([{ average: 4.5, count: 2 }, null]);
  });

  test("offersOfOrder groups one batch by order; viewerProvides reads the read model once", async () => {
    const { orderIn, repo, loaders } = setup();
    const a = await orderIn("OPEN");
    const b = await orderIn("ASSIGNED");
    const l = loaders(watcher);
    const [ofA, ofB, none] = await Promise.all([l.offersOfOrder.load(a.order.id), l.offersOfOrder.load(b.order.id), l.offersOfOrder.load(randomUUID())]);
    expect(ofA?.map((o) => o.id)).toEqual([a.offer.id, a.rivalOffer.id]);
    expect(ofB?.map((o) => o.status)).toEqual(["ACCEPTED", "REJECTED"]);
    expect(none).toEqual([]);
    let reads = 0;
    const original = repo.servicesOfProvider.bind(repo);
    repo.servicesOfProvider = (id) => {
      reads++;
      return original(id);
    };
    const fresh = loaders(watcher);
    expect(await fresh.viewerProvides(SERVICE)).toBe(true);
    await fresh.viewerProvides(SERVICE);
    expect(reads).toBe(1);
    // A "no" is said only after one catch-up, and only once per request however many times it is asked.
    expect(await Promise.all([fresh.viewerProvides(OTHER_SERVICE), fresh.viewerProvides(OTHER_SERVICE)])).toEqual([false, false]);
    expect(await fresh.viewerProvides(OTHER_SERVICE)).toBe(false);
    expect(reads).toBe(2);
  });
});

describe("read-your-writes: catalog facts still in flight", () => {
  /** A read model whose next catalog event (an assignment, a new service) is applied only when the service catches up. */
  function lagging() {
    const repo = new FakeOrderRepository();
    repo.assignService(provider.userId, SERVICE);
    const inFlight: Array<() => void> = [];
    let catchUps = 0;
    const service = new OrderService(repo, undefined, {
      caughtUp: async () => {
        catchUps++;
        for (const apply of inFlight.splice(0)) apply();
        return true;
      },
    });
    const loaders = (a: Actor) => service.createLoaders(async () => a);
    return { repo, service, loaders, inFlight, catchUps: () => catchUps };
  }

  test("submitOffer right after assignService: the assignment is caught up, not refused", async () => {
    const { repo, service, loaders, inFlight } = lagging();
    const order = await service.createOrder(customer, orderInput());
    inFlight.push(() => repo.assignService(rival.userId, SERVICE));
    const offer = await service.submitOffer(rival, { orderId: order.id, price: EUR(100) }, loaders(rival));
    expect(offer.providerId).toBe(rival.userId);
  });

  test("createOrder right after createService: the new service is caught up, not refused", async () => {
    const { repo, service, inFlight } = lagging();
    const fresh = randomUUID();
    repo.unknownServices.add(fresh);
    inFlight.push(() => repo.unknownServices.delete(fresh));
    const order = await service.createOrder(customer, orderInput({ serviceId: fresh }));
    expect(order.serviceId).toBe(fresh);
  });

  test("openOrders right after assignService shows the new service's orders", async () => {
    const { repo, service, inFlight } = lagging();
    const order = await service.createOrder(customer, orderInput());
    inFlight.push(() => repo.assignService(watcher.userId, SERVICE));
    const feed = await service.openOrders(watcher, {});
    expect(feed.edges.map((e) => e.node.id)).toEqual([order.id]);
  });

  test("a provider who does not perform the service is still refused, after one catch-up", async () => {
    const { service, loaders, catchUps } = lagging();
    const order = await service.createOrder(customer, orderInput());
    const error = await appError(service.submitOffer(outsider, { orderId: order.id, price: EUR(100) }, loaders(outsider)));
    expect(error.code).toBe(ErrorCode.NOT_FOUND);
    expect(catchUps()).toBe(1);
  });
});

describe("offer(id)", () => {
  test.each<[ActorName, boolean]>([
    ["provider", true], // their own offer
    ["customer", true],
    ["admin", true],
    ["rival", false],
    ["watcher", false],
    ["stranger", false],
  ])("%s may see the offer: %s", async (name, visible) => {
    const { orderIn, service, loaders } = setup();
    const { offer } = await orderIn("OPEN");
    const result = service.getOffer(ACTORS[name], offer.id, loaders(ACTORS[name]));
    if (visible) expect((await result).id).toBe(offer.id);
    else expect((await appError(result)).code).toBe(ErrorCode.NOT_FOUND);
  });

  test("unknown offer → NOT_FOUND; malformed id → BAD_USER_INPUT fields.id", async () => {
    const { service, loaders } = setup();
    expect((await appError(service.getOffer(customer, randomUUID(), loaders(customer)))).code).toBe(ErrorCode.NOT_FOUND);
    const error = await appError(service.getOffer(customer, "7", loaders(customer)));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ id: "must be a valid offer id" });
  });
});

describe("subscription authorization", () => {
  test.each<[ActorName, OrderStatus, ErrorCode | null]>([
    ["customer", "OPEN", null],
    ["admin", "OPEN", null],
    ["provider", "OPEN", ErrorCode.FORBIDDEN], // offered, but offers are the customer's feed
    ["watcher", "OPEN", ErrorCode.FORBIDDEN],
    ["stranger", "OPEN", ErrorCode.NOT_FOUND],
  ])("offerSubmitted feed for %s on a %s order → %s", async (name, status, code) => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn(status);
    const result = service.authorizeOfferFeed(ACTORS[name], order.id, loaders(ACTORS[name]));
    if (code) expect((await appError(result)).code).toBe(code);
    else expect((await result).id).toBe(order.id);
  });

  test.each<[ActorName, OrderStatus, ErrorCode | null]>([
    ["customer", "ASSIGNED", null],
    ["admin", "ASSIGNED", null],
    ["provider", "ASSIGNED", null],
    ["rival", "ASSIGNED", null], // offered, even though rejected
    ["watcher", "OPEN", ErrorCode.FORBIDDEN], // could offer, has not
    ["watcher", "ASSIGNED", ErrorCode.NOT_FOUND],
    ["stranger", "OPEN", ErrorCode.NOT_FOUND],
  ])("orderUpdated feed for %s on a %s order → %s", async (name, status, code) => {
    const { orderIn, service, loaders } = setup();
    const { order } = await orderIn(status);
    const result = service.authorizeOrderFeed(ACTORS[name], order.id, loaders(ACTORS[name]));
    if (code) expect((await appError(result)).code).toBe(code);
    else expect((await result).id).toBe(order.id);
  });
});

describe("live notifications", () => {
  test("every successful change notifies once, after it is stored", async () => {
    const { createOrder, offer, accept, start, complete, service, loaders, published, repo } = setup();
    const order = await createOrder();
    expect(published).toEqual([]);
    const mine = await offer(provider, order.id);
    expect(published.splice(0)).toEqual([`offerSubmitted ${mine.id}`, `orderUpdated ${order.id} OPEN`]);
    const theirs = await offer(rival, order.id);
    published.length = 0;
    await service.withdrawOffer(rival, theirs.id, loaders(rival));
    expect(published.splice(0)).toEqual([`orderUpdated ${order.id} OPEN`]);
    await accept(mine.id);
    await start(order.id);
    await complete(order.id);
    expect(published.splice(0)).toEqual([`orderUpdated ${order.id} ASSIGNED`, `orderUpdated ${order.id} IN_PROGRESS`, `orderUpdated ${order.id} COMPLETED`]);
    expect(repo.orders.get(order.id)?.status).toBe("COMPLETED");
  });

  test("cancel notifies with the new status", async () => {
    const { createOrder, cancel, published } = setup();
    const order = await createOrder();
    await cancel(order.id);
    expect(published).toEqual([`orderUpdated ${order.id} CANCELLED`]);
  });

  test("refused commands notify nobody", async () => {
    const { orderIn, offer, cancel, accept, published } = setup();
    const { order, rivalOffer } = await orderIn("IN_PROGRESS");
    published.length = 0;
    await appError(offer(rival, order.id));
    await appError(cancel(order.id));
    await appError(accept(rivalOffer.id));
    const open = await orderIn("OPEN");
    published.length = 0;
    await appError(offer(provider, open.order.id)); // CONFLICT
    expect(published).toEqual([]);
  });
});

test("after submitOffer the same request's loaders list the new offer (a mutation's payload shows its change)", async () => {
  const { createOrder, service, loaders } = setup();
  const order = await createOrder();
  const request = loaders(provider);
  const offer = await service.submitOffer(provider, { orderId: order.id, price: EUR(100) }, request);
  const seen = await service.offersOf(provider, await service.getOrder(provider, order.id, request), request);
  expect(seen.map((o) => o.id)).toContain(offer.id);
  expect((await service.offersOf(provider, order, loaders(provider))).map((o) => o.id)).toEqual([offer.id]);
});

describe("accountDeleted (users' UserDeleted)", () => {
  test("cancels the customer's OPEN and ASSIGNED orders (rejecting their pending offers), leaves the rest; safe to repeat", async () => {
    const { service, orderIn, loaders } = setup();
    const open = await orderIn("OPEN");
    const assigned = await orderIn("ASSIGNED");
    const underWay = await orderIn("IN_PROGRESS");
    const done = await orderIn("COMPLETED");
    expect(await service.accountDeleted(customer.userId)).toEqual({ cancelled: 2, withdrawn: 0 });
    const status = async (id: string) => (await service.getOrder(admin, id, loaders(admin))).status;
    expect(await Promise.all([open, assigned, underWay, done].map((s) => status(s.order.id)))).toEqual(["CANCELLED", "CANCELLED", "IN_PROGRESS", "COMPLETED"]);
    const offers = await service.offersOf(admin, open.order, loaders(admin));
    expect(offers.map((o) => o.status)).toEqual(["REJECTED", "REJECTED"]);
    expect(await service.accountDeleted(customer.userId)).toEqual({ cancelled: 0, withdrawn: 0 });
  });

  test("withdraws the provider's PENDING offers and nothing else", async () => {
    const { service, orderIn, loaders } = setup();
    const open = await orderIn("OPEN");
    const assigned = await orderIn("ASSIGNED");
    expect(await service.accountDeleted(rival.userId)).toEqual({ cancelled: 0, withdrawn: 1 });
    expect((await service.getOffer(rival, open.rivalOffer.id, loaders(rival))).status).toBe("WITHDRAWN");
    expect((await service.getOffer(rival, assigned.rivalOffer.id, loaders(rival))).status).toBe("REJECTED");
    expect((await service.getOffer(provider, open.offer.id, loaders(provider))).status).toBe("PENDING");
  });
});

describe("verified e-mail gate (REQUIRE_VERIFIED_EMAIL)", () => {
  const verified = (a: Actor): Actor => ({ ...a, emailVerified: true });
  function gated() {
    const repo = new FakeOrderRepository();
    repo.assignService(provider.userId, SERVICE);
    const service = new OrderService(repo, undefined, undefined, tradingGate(true));
    const loaders = (a: Actor) => service.createLoaders(async () => a);
    return { service, loaders };
  }
  const refusedAsUnverified = expect.objectContaining({ code: ErrorCode.FORBIDDEN, reason: "EMAIL_NOT_VERIFIED" });

  test.each<{ step: "createOrder" | "submitOffer" | "acceptOffer" }>([{ step: "createOrder" }, { step: "submitOffer" }, { step: "acceptOffer" }])(
    "$step by an unverified account → FORBIDDEN (EMAIL_NOT_VERIFIED); verified → allowed",
    async ({ step }) => {
      const { service, loaders } = gated();
      /** The three steps, every actor verified except the one taking `step` when `unverifiedStep` is set. */
      const run = async (unverifiedStep: boolean) => {
        const as = (a: Actor, at: typeof step) => (unverifiedStep && step === at ? a : verified(a));
        const order = await service.createOrder(as(customer, "createOrder"), orderInput());
        const p = as(provider, "submitOffer");
        const offer = await service.submitOffer(p, { orderId: order.id, price: EUR(100) }, loaders(p));
        const c = as(customer, "acceptOffer");
        return service.acceptOffer(c, offer.id, loaders(c));
      };
      await expect(run(true)).rejects.toThrow(refusedAsUnverified);
      await expect(run(false)).resolves.toMatchObject({ status: "ASSIGNED" });
    },
  );

  test("off (the default outside production): unverified accounts trade", async () => {
    const { createOrder } = setup();
    await expect(createOrder(customer)).resolves.toMatchObject({ status: "OPEN" });
  });
});

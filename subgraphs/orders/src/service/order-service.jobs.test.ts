import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ErrorCode } from "@fixup/platform";
import { appError } from "@fixup/platform/testing";
import type { Actor } from "../domain/access.js";
import type { Role } from "../domain/generated/roles.js";
import type { Order } from "../domain/order.js";
import type { OrderStatus } from "../domain/order-status.js";
import { FakeOrderRepository } from "../../test/fake-order-repository.js";
import type { LiveEvents } from "./live-events.js";
import { OrderService } from "./order-service.js";

// Issue 13's job rules at the service layer: pause/resume, offer expiry, hidden reviews, suspended accounts.

const SERVICE = randomUUID();
const actor = (...roles: Role[]): Actor => ({ userId: randomUUID(), roles });
const customer = actor("CUSTOMER");
const provider = actor("PROVIDER");
const rival = actor("PROVIDER");
const watcher = actor("PROVIDER");
const stranger = actor("CUSTOMER");
const moderator = actor("MODERATOR");
const admin = actor("ADMIN");
const ACTORS = { customer, provider, rival, watcher, stranger, moderator, admin };
type ActorName = keyof typeof ACTORS;
const EUR = (amount: number) => ({ amount, currency: "EUR" });
const T0 = new Date("2026-06-01T12:00:00Z");

function setup() {
  const repo = new FakeOrderRepository();
  for (const p of [provider, rival, watcher]) repo.assignService(p.userId, SERVICE);
  const published: string[] = [];
  const live: LiveEvents = {
    offerSubmitted: (o) => void published.push(`offerSubmitted ${o.id}`),
    orderUpdated: (o) => void published.push(`orderUpdated ${o.id} ${o.status}`),
  };
  let now = T0;
  const clock = { set: (d: Date) => void (now = d) };
  const service = new OrderService(repo, live, undefined, undefined, () => now);
  const loaders = (a: Actor) => service.createLoaders(async () => a);
  const createOrder = () => service.createOrder(customer, { serviceId: SERVICE, title: "Fix my sink", description: "Drips", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } });
  const offer = (by: Actor, orderId: string, extra: Record<string, unknown> = {}) =>
    service.submitOffer(by, { orderId, price: EUR(5000), ...extra }, loaders(by));
  const accept = (offerId: string) => service.acceptOffer(customer, offerId, loaders(customer));
  const pause = (orderId: string, by: Actor = provider, reason: unknown = "Waiting for parts") => service.pauseOrder(by, orderId, reason, loaders(by));
  const resume = (orderId: string, by: Actor = provider) => service.resumeOrder(by, orderId, loaders(by));

  /** customer's order with offers by provider and rival; from ASSIGNED on, provider's is accepted. */
  async function orderIn(status: OrderStatus): Promise<Order> {
    let order = await createOrder();
    const mine = await offer(provider, order.id);
    await offer(rival, order.id);
    if (status === "OPEN") return order;
    order = await accept(mine.id);
    if (status === "ASSIGNED") return order;
    if (status === "CANCELLED") return service.cancelOrder(customer, order.id, loaders(customer));
    order = await service.startOrder(provider, order.id, loaders(provider));
    if (status === "PAUSED") order = await pause(order.id);
    if (status === "COMPLETED") order = await service.completeOrder(provider, order.id, loaders(provider));
    expect(order.status).toBe(status);
    return order;
  }
  return { repo, published, service, clock, loaders, createOrder, offer, accept, pause, resume, orderIn };
}

describe("pauseOrder / resumeOrder", () => {
  test("IN_PROGRESS → PAUSED (reason kept) → IN_PROGRESS → COMPLETED, each with OrderStatusChanged and a live update", async () => {
    const { repo, published, service, loaders, pause, resume, orderIn } = setup();
    const order = await orderIn("IN_PROGRESS");
    const paused = await pause(order.id, customer, "  Away until Monday  ");
    expect(paused).toMatchObject({ status: "PAUSED", pauseReason: "Away until Monday" });
    expect((await appError(service.completeOrder(provider, order.id, loaders(provider)))).code).toBe(ErrorCode.INVALID_STATE);
    const resumed = await resume(order.id, provider);
    expect(resumed).toMatchObject({ status: "IN_PROGRESS", pauseReason: "Away until Monday" });
    await service.completeOrder(provider, order.id, loaders(provider));
    const changes = repo.outboxOfType("OrderStatusChanged").map((e) => e.payload).filter((p) => p.orderId === order.id).slice(-3);
    expect(changes).toEqual([
      { orderId: order.id, customerId: customer.userId, from: "IN_PROGRESS", to: "PAUSED" },
      { orderId: order.id, customerId: customer.userId, from: "PAUSED", to: "IN_PROGRESS" },
      { orderId: order.id, customerId: customer.userId, from: "IN_PROGRESS", to: "COMPLETED" },
    ]);
    expect(published.slice(-3)).toEqual([`orderUpdated ${order.id} PAUSED`, `orderUpdated ${order.id} IN_PROGRESS`, `orderUpdated ${order.id} COMPLETED`]);
  });

  test("a paused job can be cancelled by its customer", async () => {
    const { service, loaders, orderIn } = setup();
    const order = await orderIn("PAUSED");
    expect((await service.cancelOrder(customer, order.id, loaders(customer))).status).toBe("CANCELLED");
  });

  test.each<[OrderStatus, "pause" | "resume"]>([
    ["OPEN", "pause"], ["ASSIGNED", "pause"], ["PAUSED", "pause"], ["COMPLETED", "pause"], ["CANCELLED", "pause"],
    ["OPEN", "resume"], ["ASSIGNED", "resume"], ["IN_PROGRESS", "resume"], ["COMPLETED", "resume"], ["CANCELLED", "resume"],
  ])("%s: %s → INVALID_STATE", async (status, command) => {
    const { pause, resume, orderIn } = setup();
    const order = await orderIn(status);
    const by = status === "OPEN" ? customer : provider; // on an OPEN order nobody is assigned yet
    const error = await appError(command === "pause" ? pause(order.id, by) : resume(order.id, by));
    expect(error.code).toBe(ErrorCode.INVALID_STATE);
  });

  test.each<[ActorName, ErrorCode]>([
    ["rival", ErrorCode.FORBIDDEN], // offered (rejected): sees the order, not theirs to pause
    ["admin", ErrorCode.FORBIDDEN],
    ["watcher", ErrorCode.NOT_FOUND], // performs the service but the order is no longer OPEN
    ["stranger", ErrorCode.NOT_FOUND],
  ])("%s → %s, nothing changes", async (name, code) => {
    const { repo, pause, orderIn } = setup();
    const order = await orderIn("IN_PROGRESS");
    expect((await appError(pause(order.id, ACTORS[name]))).code).toBe(code);
    expect(repo.orders.get(order.id)?.status).toBe("IN_PROGRESS");
  });

  test.each<[unknown, string]>([
    ["", "must not be empty"],
    ["   ", "must not be empty"],
    ["x".repeat(501), "must be at most 500 characters"],
  ])("reason %j → BAD_USER_INPUT fields.reason", async (reason, message) => {
    const { pause, orderIn } = setup();
    const order = await orderIn("IN_PROGRESS");
    const error = await appError(pause(order.id, provider, reason));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ reason: message });
  });
});

describe("offer validUntil", () => {
  test("stored; past it the offer shows EXPIRED, cannot be accepted, and myOffers lists it under EXPIRED not PENDING", async () => {
    const { service, clock, createOrder, offer, accept, repo } = setup();
    const order = await createOrder();
    const until = new Date(T0.getTime() + 60_000);
    const made = await offer(provider, order.id, { validUntil: until.toISOString(), message: "Valid one minute" });
    expect(made).toMatchObject({ validUntil: until, message: "Valid one minute", status: "PENDING" });
    expect(service.offerStatus(made)).toBe("PENDING");
    const list = async (status: "PENDING" | "EXPIRED") => (await service.myOffers(provider, status, {})).edges.map((e) => e.node.id);
    expect(await list("PENDING")).toEqual([made.id]);

    clock.set(until);
    expect(service.offerStatus(made)).toBe("EXPIRED");
    expect(await list("PENDING")).toEqual([]);
    expect(await list("EXPIRED")).toEqual([made.id]);
    const error = await appError(accept(made.id));
    expect(error.code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.orders.get(order.id)?.status).toBe("OPEN");
  });

  test.each([T0.toISOString(), "2020-01-01T00:00:00Z"])("validUntil %s (not in the future) → BAD_USER_INPUT fields input.validUntil", async (validUntil) => {
    const { createOrder, offer, repo } = setup();
    const order = await createOrder();
    const error = await appError(offer(provider, order.id, { validUntil }));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ "input.validUntil": "must be in the future" });
    expect(repo.offers.size).toBe(0);
  });
});

describe("hideReview", () => {
  async function reviewed() {
    const s = setup();
    const order = await s.orderIn("COMPLETED");
    const review = await s.service.reviewOrder(customer, { orderId: order.id, rating: 1, comment: "  Terrible, also rude words  " }, s.loaders(customer));
    return { ...s, order, review };
  }

  test("a moderator hides it with an audit row: gone for customer and provider (and from the rating), staff still see it", async () => {
    const { service, loaders, repo, order, review } = await reviewed();
    expect(review.comment).toBe("Terrible, also rude words");
    const hidden = await service.hideReview(moderator, review.id, "  Abusive language ", loaders(moderator));
    expect(hidden).toMatchObject({ id: review.id, hiddenReason: "Abusive language", hiddenAt: expect.any(Date) });
    expect(repo.moderationActions).toEqual([
      { id: expect.any(String), actorId: moderator.userId, action: "HIDE_REVIEW", targetId: review.id, reason: "Abusive language", at: expect.any(Date) },
    ]);
    for (const who of [customer, provider, null]) expect(await service.reviewOf(who, order, loaders(customer))).toBeNull();
    for (const who of [moderator, admin]) expect((await service.reviewOf(who, order, loaders(who)))?.id).toBe(review.id);
    expect(service.hiddenReasonOf(admin, hidden)).toBe("Abusive language");
    expect(service.hiddenReasonOf(customer, hidden)).toBeNull();
    expect((await service.reviewsOf(provider.userId, {}, customer)).totalCount).toBe(0);
    expect((await service.reviewsOf(provider.userId, {}, moderator)).totalCount).toBe(1);
    expect(await loaders(customer).rating.load(provider.userId)).toBeNull();
  });

  test.each<[ActorName]>([["customer"], ["provider"], ["stranger"]])("%s → FORBIDDEN, nothing hidden", async (name) => {
    const { service, loaders, repo, review } = await reviewed();
    expect((await appError(service.hideReview(ACTORS[name], review.id, "x", loaders(ACTORS[name])))).code).toBe(ErrorCode.FORBIDDEN);
    expect(repo.reviews.get(review.id)?.hiddenAt).toBeNull();
    expect(repo.moderationActions).toEqual([]);
  });

  test("twice → INVALID_STATE (one audit row); unknown → NOT_FOUND; blank reason → BAD_USER_INPUT fields.reason", async () => {
    const { service, loaders, repo, review } = await reviewed();
    await service.hideReview(admin, review.id, "Spam", loaders(admin));
    expect((await appError(service.hideReview(moderator, review.id, "Again", loaders(moderator)))).code).toBe(ErrorCode.INVALID_STATE);
    expect(repo.moderationActions).toHaveLength(1);
    expect((await appError(service.hideReview(moderator, randomUUID(), "x", loaders(moderator)))).code).toBe(ErrorCode.NOT_FOUND);
    const blank = await appError(service.hideReview(moderator, review.id, " ", loaders(moderator)));
    expect(blank).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, fields: { reason: "must not be empty" } });
  });

  test("a comment longer than 2,000 characters → BAD_USER_INPUT fields.comment", async () => {
    const { service, loaders, orderIn } = setup();
    const order = await orderIn("COMPLETED");
    const error = await appError(service.reviewOrder(customer, { orderId: order.id, rating: 4, comment: "x".repeat(2001) }, loaders(customer)));
    expect(error).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, fields: { comment: "must be at most 2000 characters" } });
  });
});

describe("suspended accounts", () => {
  test("a suspended customer's OPEN order leaves the feed and is NOT_FOUND to providers who never offered; lifting restores it", async () => {
    const { service, loaders, createOrder, offer } = setup();
    const order = await createOrder();
    await service.accountSuspended(customer.userId, null);
    expect((await service.openOrders(watcher, {})).totalCount).toBe(0);
    expect((await appError(service.getOrder(watcher, order.id, loaders(watcher)))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await appError(offer(watcher, order.id))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await service.getOrder(customer, order.id, loaders(customer))).status).toBe("OPEN"); // nothing cancelled
    await service.accountUnsuspended(customer.userId);
    expect((await service.openOrders(watcher, {})).edges.map((e) => e.node.id)).toEqual([order.id]);
    expect((await offer(watcher, order.id)).status).toBe("PENDING");
  });

  test("a provider who offered before still sees the order, but cannot offer again while the customer is suspended → INVALID_STATE", async () => {
    const { service, loaders, createOrder, offer } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    await service.withdrawOffer(provider, mine.id, loaders(provider));
    await service.accountSuspended(customer.userId, new Date("2100-01-01T00:00:00Z"));
    expect((await service.getOrder(provider, order.id, loaders(provider))).id).toBe(order.id);
    expect((await appError(offer(provider, order.id))).code).toBe(ErrorCode.INVALID_STATE);
  });

  test("a suspended provider's PENDING offer is not listed to the customer and cannot be accepted; lifting restores both", async () => {
    const { service, loaders, createOrder, offer, accept } = setup();
    const order = await createOrder();
    const mine = await offer(provider, order.id);
    const theirs = await offer(rival, order.id);
    await service.accountSuspended(provider.userId, null);
    const listed = async (who: Actor) => (await service.offersOf(who, order, loaders(who))).map((o) => o.id).sort();
    expect(await listed(customer)).toEqual([theirs.id]);
    expect(await listed(admin)).toEqual([mine.id, theirs.id].sort());
    expect(await listed(provider)).toEqual([mine.id]);
    expect((await appError(accept(mine.id))).code).toBe(ErrorCode.INVALID_STATE);
    await service.accountUnsuspended(provider.userId);
    expect(await listed(customer)).toEqual([mine.id, theirs.id].sort());
    expect((await accept(mine.id)).status).toBe("ASSIGNED");
  });
});

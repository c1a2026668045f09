import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type { Order } from "../src/domain/order.js";
import { ConflictError, PrismaOrderRepository, StaleStateError, type OrderRepository } from "../src/repository/order-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../src/repository/read-model-repository.js";
import { FakeOrderRepository } from "./fake-order-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations: the fake the service tests use must behave as the Prisma repository does on
// real Postgres, or a rule could pass in unit tests and fail in production. Only the repository interface is used
// (plus "this provider performs this service", which each side seeds its own way).
interface Subject {
  repo: OrderRepository;
  performs(providerId: string, serviceId: string): Promise<void>;
}

const database = usePrismaDatabase("orders_contract", migrationsDir, (url) => createPrisma(url, 4));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaOrderRepository (real Postgres)",
    create: () => {
      const readModel = new PrismaProviderServicesReadModel(database.prisma);
      return { repo: new PrismaOrderRepository(database.prisma), performs: async (p, s) => void (await readModel.assign(randomUUID(), p, s)) };
    },
  },
  {
    name: "FakeOrderRepository",
    create: () => {
      const repo = new FakeOrderRepository();
      return { repo, performs: async (p, s) => repo.assignService(p, s) };
    },
  },
];

const EUR = (amount: number) => ({ amount, currency: "EUR" });
const event = (type: string) => () => outboxRow(type, {});
const page = { take: 50, after: null };

describe.each(implementations)("OrderRepository contract: $name", ({ create }) => {
  function setup() {
    const subject = create();
    const { repo } = subject;
    const customer = randomUUID();
    const serviceId = randomUUID();
    const newOrder = () =>
      repo.createOrder({ customerId: customer, serviceId, title: "Fix", description: "Drips", address: "1 Main St", scheduledFor: null, budget: EUR(100) }, event("OrderCreated"));
    const offer = (orderId: string, providerId = randomUUID(), amount = 50) =>
      repo.submitOffer({ orderId, providerId, price: EUR(amount), message: null, proposedStart: null }, event("OfferSubmitted"));
    const status = async (order: Order) => (await repo.findOrders([order.id]))[0]?.status;
    const offerStatuses = async (order: Order) => (await repo.offersOfOrders([order.id])).map((o) => o.status);
    return { ...subject, customer, serviceId, newOrder, offer, status, offerStatuses };
  }

  test("a new order is OPEN, unassigned, and found by id and in its customer's list", async () => {
    const { repo, customer, newOrder } = setup();
    const order = await newOrder();
    expect(order).toMatchObject({ status: "OPEN", acceptedOfferId: null, budget: EUR(100) });
    expect(await repo.findOrders([order.id, randomUUID()])).toEqual([order]);
    expect((await repo.listCustomerOrders(customer, "OPEN", page)).rows.map((o) => o.id)).toEqual([order.id]);
    expect((await repo.listCustomerOrders(customer, "CANCELLED", page)).totalCount).toBe(0);
  });

  test("offers: PENDING; a second live one is a conflict; withdrawn then resubmitted is revived; not on a moved order", async () => {
    const { repo, newOrder, offer } = setup();
    const order = await newOrder();
    const provider = randomUUID();
    const first = await offer(order.id, provider);
    expect(first.status).toBe("PENDING");
    await expect(offer(order.id, provider)).rejects.toBeInstanceOf(ConflictError);
    expect((await repo.withdrawOffer(first.id, event("OfferWithdrawn"))).status).toBe("WITHDRAWN");
    await expect(repo.withdrawOffer(first.id, event("OfferWithdrawn"))).rejects.toBeInstanceOf(StaleStateError);
    const revived = await offer(order.id, provider, 70);
    expect(revived).toMatchObject({ id: first.id, status: "PENDING", price: EUR(70) });
    await repo.changeStatus(order.id, ["OPEN"], "CANCELLED", event("OrderStatusChanged"));
    await expect(offer(order.id)).rejects.toBeInstanceOf(StaleStateError);
  });

  test("accept: order ASSIGNED to that offer, other live offers REJECTED, withdrawn ones kept; only once", async () => {
    const { repo, newOrder, offer, status, offerStatuses } = setup();
    const order = await newOrder();
    const winner = await offer(order.id);
    await offer(order.id);
    const gone = await offer(order.id);
    await repo.withdrawOffer(gone.id, event("OfferWithdrawn"));
    const assigned = await repo.acceptOffer(winner.id, () => [outboxRow("OfferAccepted", {})]);
    expect(assigned).toMatchObject({ status: "ASSIGNED", acceptedOfferId: winner.id });
    expect(await status(order)).toBe("ASSIGNED");
    expect((await offerStatuses(order)).sort()).toEqual(["ACCEPTED", "REJECTED", "WITHDRAWN"]);
    const late = (await repo.offersOfOrders([order.id])).find((o) => o.status === "REJECTED")!;
    await expect(repo.acceptOffer(late.id, () => [])).rejects.toBeInstanceOf(StaleStateError);
  });

  test("changeStatus is conditional; cancelling rejects live offers only", async () => {
    const { repo, newOrder, offer, status, offerStatuses } = setup();
    const order = await newOrder();
    await offer(order.id);
    const gone = await offer(order.id);
    await repo.withdrawOffer(gone.id, event("OfferWithdrawn"));
    await expect(repo.changeStatus(order.id, ["ASSIGNED"], "IN_PROGRESS", event("X"))).rejects.toBeInstanceOf(StaleStateError);
    expect(await status(order)).toBe("OPEN");
    await repo.changeStatus(order.id, ["OPEN", "ASSIGNED"], "CANCELLED", event("OrderStatusChanged"));
    expect((await offerStatuses(order)).sort()).toEqual(["REJECTED", "WITHDRAWN"]);
  });

  test("the provider feed: OPEN orders of the provider's services, never their own", async () => {
    const { repo, performs, serviceId, newOrder, customer } = setup();
    const provider = randomUUID();
    const open = await newOrder();
    const cancelled = await newOrder();
    await repo.changeStatus(cancelled.id, ["OPEN"], "CANCELLED", event("X"));
    expect((await repo.listOpenOrdersForProvider(provider, page)).totalCount).toBe(0);
    await performs(provider, serviceId);
    expect((await repo.listOpenOrdersForProvider(provider, page)).rows.map((o) => o.id)).toEqual([open.id]);
    await performs(customer, serviceId);
    expect((await repo.listOpenOrdersForProvider(customer, page)).totalCount).toBe(0);
    expect(await repo.servicesOfProvider(provider)).toEqual([serviceId]);
  });

  test("reviews: one per order; ratings average per provider", async () => {
    const { repo, newOrder, customer } = setup();
    const provider = randomUUID();
    const [a, b] = [await newOrder(), await newOrder()];
    await repo.createReview({ orderId: a.id, authorId: customer, providerId: provider, rating: 4, comment: null });
    await expect(repo.createReview({ orderId: a.id, authorId: customer, providerId: provider, rating: 1, comment: null })).rejects.toBeInstanceOf(ConflictError);
    await repo.createReview({ orderId: b.id, authorId: customer, providerId: provider, rating: 5, comment: "Great" });
    expect((await repo.ratingsOf([provider, randomUUID()])).get(provider)).toEqual({ average: 4.5, count: 2 });
    expect((await repo.listProviderReviews(provider, page)).totalCount).toBe(2);
  });

  test("pause and resume: the reason is kept with the status change, and stays after resuming", async () => {
    const { repo, newOrder, status } = setup();
    const order = await newOrder();
    await repo.changeStatus(order.id, ["OPEN"], "IN_PROGRESS", event("X"));
    const paused = await repo.changeStatus(order.id, ["IN_PROGRESS"], "PAUSED", event("OrderStatusChanged"), { pauseReason: "Waiting for parts" });
    expect(paused).toMatchObject({ status: "PAUSED", pauseReason: "Waiting for parts" });
    const resumed = await repo.changeStatus(order.id, ["PAUSED"], "IN_PROGRESS", event("OrderStatusChanged"));
    expect(resumed).toMatchObject({ status: "IN_PROGRESS", pauseReason: "Waiting for parts" });
    await expect(repo.changeStatus(order.id, ["PAUSED"], "IN_PROGRESS", event("X"))).rejects.toBeInstanceOf(StaleStateError);
    expect(await status(order)).toBe("IN_PROGRESS");
  });

  test("offers keep validUntil; a provider's PENDING offers split into still valid and expired at a given instant", async () => {
    const { repo, newOrder } = setup();
    const provider = randomUUID();
    const [a, b, c] = [await newOrder(), await newOrder(), await newOrder()];
    const submit = (orderId: string, validUntil: Date | null) =>
      repo.submitOffer({ orderId, providerId: provider, price: EUR(10), message: "Hi", proposedStart: null, validUntil }, event("OfferSubmitted"));
    const limited = await submit(a.id, new Date("2030-01-01T00:00:00Z"));
    const open = await submit(b.id, null);
    const gone = await submit(c.id, new Date("2030-01-01T00:00:00Z"));
    await repo.withdrawOffer(gone.id, event("OfferWithdrawn"));
    expect(limited.validUntil).toEqual(new Date("2030-01-01T00:00:00Z"));
    const ids = async (expired: boolean, now: string) =>
      (await repo.listProviderOffers(provider, null, page, { expired, now: new Date(now) })).rows.map((o) => o.id).sort();
    expect(await ids(false, "2029-12-31T23:59:59Z")).toEqual([limited.id, open.id].sort());
    expect(await ids(true, "2029-12-31T23:59:59Z")).toEqual([]);
    expect(await ids(true, "2030-01-01T00:00:00Z")).toEqual([limited.id]);
    expect(await ids(false, "2030-01-01T00:00:00Z")).toEqual([open.id]);
    expect((await repo.listProviderOffers(provider, "PENDING", page)).totalCount).toBe(2);
  });

  test("hiding a review: once, audited, out of the provider's list and rating unless asked for", async () => {
    const { repo, newOrder, customer } = setup();
    const provider = randomUUID();
    const moderator = randomUUID();
    const [a, b] = [await newOrder(), await newOrder()];
    const bad = await repo.createReview({ orderId: a.id, authorId: customer, providerId: provider, rating: 1, comment: "Rude words" });
    await repo.createReview({ orderId: b.id, authorId: customer, providerId: provider, rating: 5, comment: null });
    expect(bad).toMatchObject({ hiddenAt: null, hiddenReason: null });
    const hidden = await repo.hideReview(bad.id, { actorId: moderator, reason: "Abusive" });
    expect(hidden).toMatchObject({ id: bad.id, hiddenReason: "Abusive", hiddenAt: expect.any(Date) });
    await expect(repo.hideReview(bad.id, { actorId: moderator, reason: "Again" })).rejects.toBeInstanceOf(StaleStateError);
    expect(await repo.hideReview(randomUUID(), { actorId: moderator, reason: "x" })).toBeNull();
    expect(await repo.moderationActionsOn(bad.id)).toEqual([
      { id: expect.any(String), actorId: moderator, action: "HIDE_REVIEW", targetId: bad.id, reason: "Abusive", at: expect.any(Date) },
    ]);
    expect((await repo.findReviews([bad.id]))[0]).toEqual(hidden);
    expect((await repo.reviewsOfOrders([a.id])).map((r) => r.id)).toEqual([bad.id]);
    expect((await repo.listProviderReviews(provider, page)).totalCount).toBe(1);
    expect((await repo.listProviderReviews(provider, page, { includeHidden: true })).totalCount).toBe(2);
    expect((await repo.ratingsOf([provider])).get(provider)).toEqual({ average: 5, count: 1 });
  });

  test("suspensions: held while the row lasts (until ahead or null), lifted by unsuspend; the feed skips suspended customers", async () => {
    const { repo, performs, serviceId, newOrder, customer } = setup();
    const provider = randomUUID();
    const [forever, later, lapsed, never] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await repo.suspendAccount(forever, null);
    await repo.suspendAccount(later, new Date("2100-01-01T00:00:00Z"));
    await repo.suspendAccount(lapsed, new Date("2000-01-01T00:00:00Z"));
    await repo.suspendAccount(forever, null); // repeated event
    expect((await repo.suspendedAmong([forever, later, lapsed, never])).sort()).toEqual([forever, later].sort());
    await repo.unsuspendAccount(later);
    await repo.unsuspendAccount(later);
    expect(await repo.suspendedAmong([later])).toEqual([]);

    const open = await newOrder();
    await performs(provider, serviceId);
    expect((await repo.listOpenOrdersForProvider(provider, page)).rows.map((o) => o.id)).toEqual([open.id]);
    await repo.suspendAccount(customer, null);
    expect(await repo.listOpenOrdersForProvider(provider, page)).toEqual({ rows: [], totalCount: 0 });
    await repo.unsuspendAccount(customer);
    expect((await repo.listOpenOrdersForProvider(provider, page)).rows.map((o) => o.id)).toEqual([open.id]);
  });
});

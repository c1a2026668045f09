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
});

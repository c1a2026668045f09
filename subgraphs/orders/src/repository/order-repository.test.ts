import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { outboxRow, pageRequest, toConnection, type PageRequest } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import type { OfferStatus } from "../domain/offer-status.js";
import type { Order } from "../domain/order.js";
import type { OrderStatus } from "../domain/order-status.js";
import { ConflictError, PrismaOrderRepository, StaleStateError, type Page } from "./order-repository.js";
import { createPrisma, type OrdersPrisma } from "./prisma.js";

let db: TestDatabase;
let prisma: OrdersPrisma;
let repo: PrismaOrderRepository;
let queries: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase("orders_repo", migrationsDir);
  prisma = createPrisma(db.url, 4, (sql) => queries.push(sql));
  repo = new PrismaOrderRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});
beforeEach(() => {
  queries = [];
});

const EUR = (amount: number) => ({ amount, currency: "EUR" });
const at = (iso: string) => new Date(iso);

/** Inserts an order row directly, so tests control status and createdAt. */
async function insertOrder(o: { customerId?: string; serviceId?: string; status?: OrderStatus; createdAt?: Date } = {}) {
  const row = await prisma.order.create({
    data: {
      customerId: o.customerId ?? randomUUID(),
      serviceId: o.serviceId ?? randomUUID(),
      title: "Fix my sink",
      description: "It drips",
      address: "1 Main St",
      status: o.status ?? "OPEN",
      ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    },
  });
  return row;
}

async function insertOffer(o: { orderId: string; providerId?: string; status?: OfferStatus; createdAt?: Date; amount?: number }) {
  return prisma.offer.create({
    data: {
      orderId: o.orderId,
      providerId: o.providerId ?? randomUUID(),
      priceAmount: o.amount ?? 5000,
      priceCurrency: "EUR",
      status: o.status ?? "PENDING",
      ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    },
  });
}

async function insertReview(providerId: string, rating: number, createdAt?: Date) {
  const order = await insertOrder({ status: "COMPLETED" });
  return prisma.review.create({
    data: { orderId: order.id, authorId: order.customerId, providerId, rating, ...(createdAt ? { createdAt } : {}) },
  });
}

const marker = () => `Test-${randomUUID()}`;
const outboxCount = (type: string) => prisma.outboxEvent.count({ where: { type } });

/** Pages through a list with the platform's cursor encoding, as the service does; returns ids in page order. */
async function walk<T extends { id: string; createdAt: Date }>(first: number, fetch: (page: PageRequest) => Promise<Page<T>>) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const page = pageRequest({ first, after });
    const result = await fetch(page);
    const connection = toConnection(result.rows, page, result.totalCount, (r) => r, (r) => r);
    expect(connection.edges.length).toBeLessThanOrEqual(first);
    ids.push(...connection.edges.map((e) => e.node.id));
    totals.add(result.totalCount);
    if (!connection.pageInfo.hasNextPage) return { ids, totals: [...totals] };
    after = connection.pageInfo.endCursor;
  }
  throw new Error("pagination did not terminate");
}

/** The order the lists promise: createdAt, then id. */
const sortedIds = (rows: Array<{ id: string; createdAt: Date }>) =>
  [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((r) => r.id);

describe("PrismaOrderRepository lists (real Postgres)", () => {
  test("listCustomerOrders: stable (createdAt, id) order across pages with tied timestamps, totalCount, status filter", async () => {
    const customerId = randomUUID();
    // Three rows share one timestamp and two another, so page boundaries fall inside ties.
    const spec = [
      ["2026-01-02T10:00:00.000Z", "OPEN"],
      ["2026-01-02T10:00:00.000Z", "CANCELLED"],
      ["2026-01-02T10:00:00.000Z", "OPEN"],
      ["2026-01-01T08:00:00.000Z", "ASSIGNED"],
      ["2026-01-03T00:00:00.000Z", "CANCELLED"],
      ["2026-01-03T00:00:00.000Z", "OPEN"],
      ["2026-01-02T10:00:00.001Z", "OPEN"],
    ] as const;
    const rows = await Promise.all(spec.map(([iso, status]) => insertOrder({ customerId, status, createdAt: at(iso) })));
    await insertOrder({ createdAt: at("2026-01-02T10:00:00.000Z") }); // someone else's

    for (const first of [1, 2, 3, 7, 100]) {
      const { ids, totals } = await walk(first, (page) => repo.listCustomerOrders(customerId, null, page));
      expect(ids).toEqual(sortedIds(rows));
      expect(totals).toEqual([7]);
    }

    const cancelled = rows.filter((r) => r.status === "CANCELLED");
    const { ids, totals } = await walk(1, (page) => repo.listCustomerOrders(customerId, "CANCELLED", page));
    expect(ids).toEqual(sortedIds(cancelled));
    expect(totals).toEqual([2]);
    expect((await repo.listCustomerOrders(customerId, "COMPLETED", { take: 10, after: null })).totalCount).toBe(0);
  });

  test("listCustomerOrders fetches take + 1 rows (the extra one only signals another page)", async () => {
    const customerId = randomUUID();
    for (let i = 0; i < 3; i++) await insertOrder({ customerId });
    const page = await repo.listCustomerOrders(customerId, null, { take: 2, after: null });
    expect(page.rows).toHaveLength(3);
    expect(page.totalCount).toBe(3);
  });

  test("listProviderOffers: stable order with tied timestamps, status filter, only the provider's offers", async () => {
    const providerId = randomUUID();
    const statuses: OfferStatus[] = ["PENDING", "REJECTED", "PENDING", "WITHDRAWN", "ACCEPTED", "PENDING"];
    const offers = await Promise.all(
      statuses.map(async (status, i) => {
        const order = await insertOrder();
        await insertOffer({ orderId: order.id }); // another provider's offer on the same order
        return insertOffer({ orderId: order.id, providerId, status, createdAt: at(`2026-02-0${1 + (i % 2)}T12:00:00.000Z`) });
      }),
    );
    const all = await walk(2, (page) => repo.listProviderOffers(providerId, null, page));
    expect(all.ids).toEqual(sortedIds(offers));
    expect(all.totals).toEqual([6]);
    const pending = await walk(2, (page) => repo.listProviderOffers(providerId, "PENDING", page));
    expect(pending.ids).toEqual(sortedIds(offers.filter((o) => o.status === "PENDING")));
    expect(pending.totals).toEqual([3]);
  });

  test("listProviderReviews: stable order with tied timestamps", async () => {
    const providerId = randomUUID();
    const reviews = await Promise.all([0, 1, 2, 3, 4].map((i) => insertReview(providerId, 4, at(`2026-03-0${1 + (i % 2)}T00:00:00.000Z`))));
    await insertReview(randomUUID(), 2);
    const { ids, totals } = await walk(2, (page) => repo.listProviderReviews(providerId, page));
    expect(ids).toEqual(sortedIds(reviews));
    expect(totals).toEqual([5]);
  });

  test("listOpenOrdersForProvider: only OPEN orders of services in the read model, never the provider's own", async () => {
    const providerId = randomUUID();
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    await prisma.providerService.createMany({ data: [{ providerId, serviceId: s1 }, { providerId, serviceId: s2 }] });
    const [visible] = await Promise.all([
      Promise.all([
        insertOrder({ serviceId: s1, createdAt: at("2026-04-01T00:00:00.000Z") }),
        insertOrder({ serviceId: s2, createdAt: at("2026-04-01T00:00:00.000Z") }),
        insertOrder({ serviceId: s1, createdAt: at("2026-04-02T00:00:00.000Z") }),
      ]),
      insertOrder({ serviceId: s1, status: "ASSIGNED" }),
      insertOrder({ serviceId: s1, status: "IN_PROGRESS" }),
      insertOrder({ serviceId: s2, status: "CANCELLED" }),
      insertOrder({ serviceId: s1, status: "COMPLETED" }),
      insertOrder({ serviceId: s3 }), // a service the provider does not perform
      insertOrder({ serviceId: s1, customerId: providerId }), // their own order
    ]);

    const { ids, totals } = await walk(2, (page) => repo.listOpenOrdersForProvider(providerId, page));
    expect(ids).toEqual(sortedIds(visible));
    expect(totals).toEqual([3]);

    await prisma.providerService.deleteMany({ where: { providerId, serviceId: s2 } });
    const after = await repo.listOpenOrdersForProvider(providerId, { take: 10, after: null });
    expect(after.rows.map((r) => r.serviceId)).toEqual([s1, s1]);
    expect(after.totalCount).toBe(2);
  });

  test("listOpenOrdersForProvider: a provider with no services gets nothing", async () => {
    await insertOrder();
    expect(await repo.listOpenOrdersForProvider(randomUUID(), { take: 10, after: null })).toEqual({ rows: [], totalCount: 0 });
  });

  test("findOrders / findOffers return the rows that exist, mapped to domain objects", async () => {
    const row = await insertOrder();
    await prisma.order.update({ where: { id: row.id }, data: { budgetAmount: 1200, budgetCurrency: "EUR" } });
    const [order, ...rest] = await repo.findOrders([row.id, randomUUID()]);
    expect(rest).toEqual([]);
    expect(order).toMatchObject({ id: row.id, budget: EUR(1200), status: "OPEN", acceptedOfferId: null, scheduledFor: null });
    const offer = await insertOffer({ orderId: row.id, amount: 700 });
    expect(await repo.findOffers([offer.id, randomUUID()])).toEqual([expect.objectContaining({ id: offer.id, price: EUR(700), message: null })]);
    expect(await repo.findOrders([])).toEqual([]);
  });

  test.each([
    ["an id that is not a UUID", ["2026-01-01T00:00:00.000Z", "not-a-uuid"]],
    ["a date outside Postgres' range", ["-200000-01-01T00:00:00.000Z", randomUUID()]],
  ])("a well-formed cursor with %s is refused as BAD_USER_INPUT before it reaches Postgres", (_case, key) => {
    expect(() => pageRequest({ first: 2, after: Buffer.from(JSON.stringify(key)).toString("base64url") })).toThrow(
      expect.objectContaining({ code: "BAD_USER_INPUT", fields: { after: "is not a valid cursor" } }),
    );
  });
});

describe("PrismaOrderRepository writes (real Postgres)", () => {
  test("createOrder stores the order and its outbox row together; a failing event leaves nothing", async () => {
    const type = marker();
    const customerId = randomUUID();
    const order = await repo.createOrder(
      { customerId, serviceId: randomUUID(), title: "t", description: "d", address: "a", scheduledFor: null, budget: EUR(100) },
      (o) => outboxRow(type, { orderId: o.id }),
    );
    expect(order).toMatchObject({ customerId, status: "OPEN", budget: EUR(100) });
    const events = await prisma.outboxEvent.findMany({ where: { type } });
    expect(events.map((e) => e.payload)).toEqual([{ orderId: order.id }]);

    const failing = repo.createOrder(
      { customerId, serviceId: randomUUID(), title: "t", description: "d", address: "a", scheduledFor: null, budget: null },
      () => {
        throw new Error("boom");
      },
    );
    await expect(failing).rejects.toThrow("boom");
    expect(await prisma.order.count({ where: { customerId } })).toBe(1);
  });

  test("changeStatus is conditional: StaleStateError when the status moved, nothing written", async () => {
    const row = await insertOrder({ status: "IN_PROGRESS" });
    const type = marker();
    await expect(repo.changeStatus(row.id, ["OPEN", "ASSIGNED"], "CANCELLED", (o) => outboxRow(type, { orderId: o.id }))).rejects.toBeInstanceOf(
      StaleStateError,
    );
    await expect(repo.changeStatus(randomUUID(), ["OPEN"], "CANCELLED", (o) => outboxRow(type, { orderId: o.id }))).rejects.toBeInstanceOf(
      StaleStateError,
    );
    expect((await prisma.order.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("IN_PROGRESS");
    expect(await outboxCount(type)).toBe(0);

    const moved = await repo.changeStatus(row.id, ["IN_PROGRESS"], "COMPLETED", (o) => outboxRow(type, { orderId: o.id, to: o.status }));
    expect(moved.status).toBe("COMPLETED");
    expect(moved.updatedAt.getTime()).toBeGreaterThanOrEqual(row.updatedAt.getTime());
    expect((await prisma.outboxEvent.findMany({ where: { type } })).map((e) => e.payload)).toEqual([{ orderId: row.id, to: "COMPLETED" }]);
  });

  test("cancel rejects PENDING offers and leaves WITHDRAWN and ACCEPTED ones alone", async () => {
    const row = await insertOrder({ status: "OPEN" });
    const pending = await insertOffer({ orderId: row.id });
    const pending2 = await insertOffer({ orderId: row.id });
    const withdrawn = await insertOffer({ orderId: row.id, status: "WITHDRAWN" });
    const other = await insertOffer({ orderId: (await insertOrder()).id }); // another order's pending offer
    const cancelled = await repo.changeStatus(row.id, ["OPEN", "ASSIGNED"], "CANCELLED", (o) => outboxRow(marker(), { orderId: o.id }));
    expect(cancelled.status).toBe("CANCELLED");
    const statuses = async (ids: string[]) =>
      Promise.all(ids.map(async (id) => (await prisma.offer.findUniqueOrThrow({ where: { id } })).status));
    expect(await statuses([pending.id, pending2.id, withdrawn.id, other.id])).toEqual(["REJECTED", "REJECTED", "WITHDRAWN", "PENDING"]);

    const assigned = await insertOrder({ status: "ASSIGNED" });
    const accepted = await insertOffer({ orderId: assigned.id, status: "ACCEPTED" });
    await repo.changeStatus(assigned.id, ["OPEN", "ASSIGNED"], "CANCELLED", (o) => outboxRow(marker(), { orderId: o.id }));
    expect(await statuses([accepted.id])).toEqual(["ACCEPTED"]);
  });

  test("submitOffer: StaleStateError unless OPEN, ConflictError on a live offer, a WITHDRAWN offer is revived", async () => {
    const type = marker();
    const event = (o: { id: string }, order: Order) => outboxRow(type, { offerId: o.id, orderId: order.id });
    const providerId = randomUUID();
    for (const status of ["ASSIGNED", "CANCELLED"] as const) {
      const closed = await insertOrder({ status });
      await expect(repo.submitOffer({ orderId: closed.id, providerId, price: EUR(1), message: null, proposedStart: null }, event)).rejects.toBeInstanceOf(
        StaleStateError,
      );
    }
    await expect(repo.submitOffer({ orderId: randomUUID(), providerId, price: EUR(1), message: null, proposedStart: null }, event)).rejects.toBeInstanceOf(
      StaleStateError,
    );

    const order = await insertOrder();
    const first = await repo.submitOffer({ orderId: order.id, providerId, price: EUR(100), message: "hi", proposedStart: null }, event);
    expect(first).toMatchObject({ status: "PENDING", price: EUR(100), message: "hi" });
    await expect(repo.submitOffer({ orderId: order.id, providerId, price: EUR(90), message: null, proposedStart: null }, event)).rejects.toBeInstanceOf(
      ConflictError,
    );
    await repo.withdrawOffer(first.id, (o) => outboxRow(marker(), { offerId: o.id }));
    const revived = await repo.submitOffer({ orderId: order.id, providerId, price: EUR(80), message: null, proposedStart: at("2026-05-01T09:00:00Z") }, event);
    expect(revived).toMatchObject({ id: first.id, status: "PENDING", price: EUR(80), message: null, proposedStart: at("2026-05-01T09:00:00Z") });
    expect(await prisma.offer.count({ where: { orderId: order.id } })).toBe(1);
    expect(await outboxCount(type)).toBe(2);
  });

  test("withdrawOffer: only PENDING, StaleStateError otherwise", async () => {
    const order = await insertOrder();
    for (const status of ["WITHDRAWN", "ACCEPTED", "REJECTED"] as const) {
      const offer = await insertOffer({ orderId: order.id, status });
      await expect(repo.withdrawOffer(offer.id, (o) => outboxRow(marker(), { offerId: o.id }))).rejects.toBeInstanceOf(StaleStateError);
      expect((await prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).status).toBe(status);
    }
  });

  test("acceptOffer: order ASSIGNED, offer ACCEPTED, other PENDING offers REJECTED, events written", async () => {
    const type = marker();
    const order = await insertOrder();
    const chosen = await insertOffer({ orderId: order.id });
    const other = await insertOffer({ orderId: order.id });
    const withdrawn = await insertOffer({ orderId: order.id, status: "WITHDRAWN" });
    const assigned = await repo.acceptOffer(chosen.id, (o, offer) => [outboxRow(type, { orderId: o.id }), outboxRow(type, { offerId: offer.id })]);
    expect(assigned).toMatchObject({ id: order.id, status: "ASSIGNED", acceptedOfferId: chosen.id });
    const statuses = await prisma.offer.findMany({ where: { orderId: order.id }, select: { id: true, status: true } });
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
      [chosen.id]: "ACCEPTED",
      [other.id]: "REJECTED",
      [withdrawn.id]: "WITHDRAWN",
    });
    expect(await outboxCount(type)).toBe(2);
  });

  test("acceptOffer of a non-PENDING offer rolls the whole transaction back: the order stays OPEN", async () => {
    const type = marker();
    const order = await insertOrder();
    const withdrawn = await insertOffer({ orderId: order.id, status: "WITHDRAWN" });
    const pending = await insertOffer({ orderId: order.id });
    await expect(repo.acceptOffer(withdrawn.id, () => [outboxRow(type, {})])).rejects.toBeInstanceOf(StaleStateError);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ status: "OPEN", acceptedOfferId: null });
    expect((await prisma.offer.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("PENDING");
    expect(await outboxCount(type)).toBe(0);
    await expect(repo.acceptOffer(randomUUID(), () => [])).rejects.toBeInstanceOf(StaleStateError);
  });

  test("acceptOffer on an order that is no longer OPEN → StaleStateError", async () => {
    const order = await insertOrder({ status: "ASSIGNED" });
    const offer = await insertOffer({ orderId: order.id });
    await expect(repo.acceptOffer(offer.id, () => [])).rejects.toBeInstanceOf(StaleStateError);
    expect((await prisma.offer.findUniqueOrThrow({ where: { id: offer.id } })).status).toBe("PENDING");
  });
});

describe("PrismaOrderRepository reviews and batches (real Postgres)", () => {
  test("createReview twice for one order → ConflictError, one review kept", async () => {
    const order = await insertOrder({ status: "COMPLETED" });
    const review = { orderId: order.id, authorId: order.customerId, providerId: randomUUID(), rating: 4.5, comment: "good" };
    expect(await repo.createReview(review)).toMatchObject({ ...review, id: expect.any(String) });
    await expect(repo.createReview({ ...review, rating: 1 })).rejects.toBeInstanceOf(ConflictError);
    expect(await prisma.review.findMany({ where: { orderId: order.id }, select: { rating: true } })).toEqual([{ rating: 4.5 }]);
  });

  test("ratingsOf averages several providers in one query; providers without reviews are absent", async () => {
    const [p1, p2, p3] = [randomUUID(), randomUUID(), randomUUID()];
    await insertReview(p1, 4);
    await insertReview(p1, 5);
    await insertReview(p2, 3);
    await insertReview(p2, 0.5);
    await insertReview(p2, 2.5);
    queries = [];
    const ratings = await repo.ratingsOf([p1, p2, p3]);
    expect(queries).toHaveLength(1);
    expect(ratings.get(p1)).toEqual({ average: 4.5, count: 2 });
    expect(ratings.get(p2)).toEqual({ average: 2, count: 3 });
    expect(ratings.has(p3)).toBe(false);
    expect(ratings.size).toBe(2);
  });

  test("reviewsOfOrders and offersOfOrders load several orders in one query each", async () => {
    const providerId = randomUUID();
    const reviewed = await insertReview(providerId, 5);
    const reviewed2 = await insertReview(providerId, 4);
    const unreviewed = await insertOrder({ status: "COMPLETED" });
    queries = [];
    const reviews = await repo.reviewsOfOrders([reviewed.orderId, reviewed2.orderId, unreviewed.id]);
    expect(queries).toHaveLength(1);
    expect(reviews.map((r) => r.id).sort()).toEqual([reviewed.id, reviewed2.id].sort());

    const a = await insertOrder();
    const b = await insertOrder();
    const c = await insertOrder();
    const offers = [
      await insertOffer({ orderId: a.id, createdAt: at("2026-06-01T00:00:02.000Z") }),
      await insertOffer({ orderId: b.id, createdAt: at("2026-06-01T00:00:01.000Z") }),
      await insertOffer({ orderId: a.id, createdAt: at("2026-06-01T00:00:00.000Z") }),
    ];
    await insertOffer({ orderId: c.id });
    queries = [];
    const loaded = await repo.offersOfOrders([a.id, b.id]);
    expect(queries).toHaveLength(1);
    expect(loaded.map((o) => o.id)).toEqual(sortedIds(offers));
    expect(await repo.offersOfOrders([])).toEqual([]);
  });

  test("servicesOfProvider reads the read model", async () => {
    const providerId = randomUUID();
    const services = [randomUUID(), randomUUID()];
    await prisma.providerService.createMany({ data: services.map((serviceId) => ({ providerId, serviceId })) });
    expect((await repo.servicesOfProvider(providerId)).sort()).toEqual(services.sort());
    expect(await repo.servicesOfProvider(randomUUID())).toEqual([]);
  });
});

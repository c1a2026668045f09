import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import { distanceKm, type GeoPoint } from "../src/domain/location.js";
import { PrismaFeedRepository, type FeedRepository } from "../src/repository/feed-repository.js";
import { PrismaOrderRepository, type OrderRepository } from "../src/repository/order-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../src/repository/read-model-repository.js";
import { FakeFeedRepository } from "./fake-feed-repository.js";
import { FakeOrderRepository } from "./fake-order-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract for the place-aware feed, over Postgres (cube + earthdistance, raw SQL) and the in-memory fake
// (haversine): same rows, same order, same distances (to the micrometre), same pagination.
interface Subject {
  orders: OrderRepository;
  feed: FeedRepository;
  performs(providerId: string, serviceId: string): Promise<void>;
}

const database = usePrismaDatabase("orders_feed_contract", migrationsDir, (url) => createPrisma(url, 4));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaFeedRepository (real Postgres)",
    create: () => {
      const readModel = new PrismaProviderServicesReadModel(database.prisma);
      return {
        orders: new PrismaOrderRepository(database.prisma),
        feed: new PrismaFeedRepository(database.prisma),
        performs: async (p, s) => void (await readModel.assign(randomUUID(), p, s)),
      };
    },
  },
  {
    name: "FakeFeedRepository",
    create: () => {
      const orders = new FakeOrderRepository();
      return { orders, feed: new FakeFeedRepository(orders), performs: async (p, s) => orders.assignService(p, s) };
    },
  },
];

const BERLIN: GeoPoint = { lat: 52.52, lng: 13.405 };
/** A point `km` north of Berlin (1° of latitude ≈ 111.3 km on earthdistance's sphere). */
const north = (km: number): GeoPoint => ({ lat: BERLIN.lat + km / 111.32, lng: BERLIN.lng });
const page = (take = 50) => ({ take, after: null });
const event = () => outboxRow("OrderCreated", {});

describe.each(implementations)("FeedRepository contract: $name", ({ create }) => {
  function setup() {
    const subject = create();
    const provider = randomUUID();
    const serviceId = randomUUID();
    const customer = randomUUID();
    const order = (location: GeoPoint | null, overrides: { serviceId?: string; customerId?: string; title?: string; window?: { from: Date; to: Date } } = {}) =>
      subject.orders.createOrder(
        { customerId: overrides.customerId ?? customer, serviceId: overrides.serviceId ?? serviceId, title: overrides.title ?? "Job", description: "d",
          address: "1 Main St", location, city: "Berlin", window: overrides.window ?? null, scheduledFor: null, budget: null },
        event,
      );
    return { ...subject, provider, serviceId, customer, order };
  }

  test("service areas: replaced as a whole, kept in order, per provider; an empty list clears them", async () => {
    const { feed, provider } = setup();
    const other = randomUUID();
    const first = [{ center: BERLIN, radiusKm: 10 }, { center: north(100), radiusKm: 25.5 }];
    expect(await feed.replaceServiceAreas(provider, first)).toEqual(first);
    await feed.replaceServiceAreas(other, [{ center: north(5), radiusKm: 1 }]);
    const second = [{ center: north(50), radiusKm: 200 }, { center: BERLIN, radiusKm: 0.5 }, { center: north(-10), radiusKm: 3 }];
    await feed.replaceServiceAreas(provider, second);
    const areas = await feed.serviceAreasOf([provider, other, randomUUID()]);
    expect(areas.get(provider)).toEqual(second);
    expect(areas.get(other)).toEqual([{ center: north(5), radiusKm: 1 }]);
    expect(areas.size).toBe(2);
    await feed.replaceServiceAreas(provider, []);
    expect((await feed.serviceAreasOf([provider])).has(provider)).toBe(false);
  });

  test("nearby: within the radius, nearest first, exact distances; the feed rule and orders without a place excluded", async () => {
    const { feed, orders, performs, provider, serviceId, order } = setup();
    await performs(provider, serviceId);
    const far = await order(north(30));
    const near = await order(north(2));
    const middle = await order(north(12));
    await order(north(60)); // outside 50 km
    await order(null); // no place
    await order(north(1), { serviceId: randomUUID() }); // a service the provider does not perform
    await order(north(1), { customerId: provider }); // their own order
    const cancelled = await order(north(1));
    await orders.changeStatus(cancelled.id, ["OPEN"], "CANCELLED", event);

    const result = await feed.listNearby(provider, BERLIN, 50, page());
    expect(result.rows.map((r) => r.order.id)).toEqual([near.id, middle.id, far.id]);
    expect(result.totalCount).toBe(3);
    for (const r of result.rows) {
      expect(r.distanceKm).toBeCloseTo(distanceKm(BERLIN, r.order.location as GeoPoint), 6);
    }
    expect(result.rows[0]?.distanceKm).toBeCloseTo(2, 1);
    expect(result.rows[0]?.order).toMatchObject({ location: north(2), city: "Berlin", window: null, status: "OPEN" });
    expect((await feed.listNearby(provider, BERLIN, 10, page())).rows.map((r) => r.order.id)).toEqual([near.id]);
  });

  test("an order whose time window has ended leaves every feed; one whose window is ahead stays", async () => {
    const { feed, orders, performs, provider, serviceId, order } = setup();
    await performs(provider, serviceId);
    await feed.replaceServiceAreas(provider, [{ center: BERLIN, radiusKm: 10 }]);
    const hour = 3_600_000;
    const ended = await order(north(1), { window: { from: new Date(Date.now() - 3 * hour), to: new Date(Date.now() - hour) } });
    const ahead = await order(north(2), { window: { from: new Date(Date.now() + hour), to: new Date(Date.now() + 3 * hour) } });
    expect((await feed.listNearby(provider, BERLIN, 10, page())).rows.map((r) => r.order.id)).toEqual([ahead.id]);
    expect((await feed.listInServiceAreas(provider, page())).rows.map((o) => o.id)).toEqual([ahead.id]);
    expect((await orders.listOpenOrdersForProvider(provider, page())).rows.map((o) => o.id)).toEqual([ahead.id]);
    expect(ended.window?.to.getTime()).toBeLessThan(Date.now());
  });

  test("a suspended customer's orders are held back from both place feeds until the suspension is lifted", async () => {
    const { feed, orders, performs, provider, serviceId, order, customer } = setup();
    await performs(provider, serviceId);
    await feed.replaceServiceAreas(provider, [{ center: BERLIN, radiusKm: 10 }]);
    const held = await order(north(1));
    await orders.suspendAccount(customer, null);
    expect((await feed.listNearby(provider, BERLIN, 10, page())).rows).toEqual([]);
    expect((await feed.listInServiceAreas(provider, page())).rows).toEqual([]);
    await orders.unsuspendAccount(customer);
    expect((await feed.listNearby(provider, BERLIN, 10, page())).rows.map((r) => r.order.id)).toEqual([held.id]);
    expect((await feed.listInServiceAreas(provider, page())).rows.map((o) => o.id)).toEqual([held.id]);
  });

  test("nearby pagination: (distance, id) is stable through equal distances; take + 1 rows tell of a next page", async () => {
    const { feed, performs, provider, serviceId, order } = setup();
    await performs(provider, serviceId);
    const same = await Promise.all([order(north(5)), order(north(5)), order(north(5))]);
    const closer = await order(north(3));
    const further = await order(north(8));
    const expected = [closer.id, ...same.map((o) => o.id).sort(), further.id];
    const seen: string[] = [];
    let after: { distanceKm: number; id: string } | null = null;
    for (let i = 0; i < 5; i++) {
      const { rows, totalCount } = await feed.listNearby(provider, BERLIN, 50, { take: 2, after });
      expect(totalCount).toBe(5);
      const visible = rows.slice(0, 2);
      seen.push(...visible.map((r) => r.order.id));
      if (rows.length <= 2) break;
      const last = visible.at(-1);
      after = last ? { distanceKm: last.distanceKm, id: last.order.id } : null;
    }
    expect(seen).toEqual(expected);
  });

  test("in service areas: inside any area, oldest first, paged by (createdAt, id); none outside", async () => {
    const { feed, performs, provider, serviceId, order } = setup();
    await performs(provider, serviceId);
    await feed.replaceServiceAreas(provider, [{ center: BERLIN, radiusKm: 5 }, { center: north(100), radiusKm: 10 }]);
    const a = await order(north(1));
    await order(north(50)); // between the areas
    const b = await order(north(105));
    await order(null);
    const c = await order(north(-4.9));
    await order(north(1), { serviceId: randomUUID() });
    const all = await feed.listInServiceAreas(provider, page());
    expect(all.rows.map((o) => o.id)).toEqual([a.id, b.id, c.id]);
    expect(all.totalCount).toBe(3);
    const first = await feed.listInServiceAreas(provider, page(1));
    expect(first.rows.map((o) => o.id)).toEqual([a.id, b.id]);
    const next = await feed.listInServiceAreas(provider, { take: 5, after: { createdAt: a.createdAt, id: a.id } });
    expect(next.rows.map((o) => o.id)).toEqual([b.id, c.id]);
    expect((await feed.listInServiceAreas(randomUUID(), page())).rows).toEqual([]);
  });
});

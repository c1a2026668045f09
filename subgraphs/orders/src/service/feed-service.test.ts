import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ErrorCode } from "@fixup/platform";
import { appError } from "@fixup/platform/testing";
import type { Actor } from "../domain/access.js";
import type { Role } from "../domain/generated/roles.js";
import type { GeoPoint } from "../domain/location.js";
import { FakeFeedRepository } from "../../test/fake-feed-repository.js";
import { FakeOrderRepository } from "../../test/fake-order-repository.js";
import { FeedService, encodeDistanceCursor } from "./feed-service.js";
import { OrderService } from "./order-service.js";

const SERVICE = randomUUID();
const actor = (...roles: Role[]): Actor => ({ userId: randomUUID(), roles });
const customer = actor("CUSTOMER");
const provider = actor("PROVIDER");
const BERLIN: GeoPoint = { lat: 52.52, lng: 13.405 };
const north = (km: number): GeoPoint => ({ lat: BERLIN.lat + km / 111.32, lng: BERLIN.lng });
const future = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

function setup() {
  const repo = new FakeOrderRepository();
  repo.assignService(provider.userId, SERVICE);
  const orders = new OrderService(repo);
  const feed = new FeedService(new FakeFeedRepository(repo), orders);
  const loaders = () => feed.createLoaders();
  const order = (location: GeoPoint, extra: Record<string, unknown> = {}) =>
    orders.createOrder(customer, { serviceId: SERVICE, title: "Fix my sink", description: "Drips", address: "1 Main St", location, ...extra });
  return { repo, orders, feed, loaders, order };
}

describe("createOrder with a place and a time window", () => {
  test("stores location, trimmed city and window", async () => {
    const { order } = setup();
    const from = future(24);
    const to = future(28);
    const created = await order(north(3), { city: "  Berlin ", window: { from, to } });
    expect(created).toMatchObject({ location: north(3), city: "Berlin", window: { from: new Date(from), to: new Date(to) } });
    expect(await order(BERLIN, { city: "", window: null })).toMatchObject({ city: null, window: null });
  });

  test.each<{ case: string; extra: Record<string, unknown>; fields: Record<string, unknown> }>([
    { case: "no location", extra: { location: undefined }, fields: { "input.location": "is required" } },
    { case: "lat out of range", extra: { location: { lat: 91, lng: 0 } }, fields: { "input.location.lat": "must be between -90 and 90" } },
    { case: "lng out of range", extra: { location: { lat: 0, lng: -180.01 } }, fields: { "input.location.lng": "must be between -180 and 180" } },
    { case: "lat missing", extra: { location: { lng: 0 } }, fields: { "input.location.lat": "is required" } },
    { case: "window reversed", extra: { window: { from: future(5), to: future(4) } }, fields: { "input.window.from": "must be before to" } },
    { case: "window over", extra: { window: { from: "2020-01-01T08:00:00Z", to: "2020-01-01T09:00:00Z" } }, fields: { "input.window.to": "must be in the future" } },
    { case: "window without to", extra: { window: { from: future(1) } }, fields: { "input.window.to": expect.any(String) } },
    { case: "long city", extra: { city: "x".repeat(101) }, fields: { "input.city": "must be at most 100 characters" } },
  ])("$case → BAD_USER_INPUT $fields, nothing stored", async ({ extra, fields }) => {
    const { order, repo } = setup();
    const error = await appError(order(BERLIN, extra));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual(fields);
    expect(repo.orders.size).toBe(0);
  });
});

describe("service areas", () => {
  test("a provider sets, replaces and reads them; User.serviceAreas is the same list", async () => {
    const { feed, loaders } = setup();
    const areas = [{ center: BERLIN, radiusKm: 10 }, { center: north(100), radiusKm: 200 }];
    expect(await feed.setServiceAreas(provider, areas)).toEqual(areas);
    expect(await feed.myServiceAreas(provider, loaders())).toEqual(areas);
    expect(await feed.setServiceAreas(provider, [areas[1]])).toEqual([areas[1]]);
    expect(await loaders().serviceAreas.load(provider.userId)).toEqual([areas[1]]);
    expect(await feed.setServiceAreas(provider, [])).toEqual([]);
    expect(await feed.myServiceAreas(customer, loaders())).toEqual([]);
  });

  test.each([actor("CUSTOMER"), actor("ADMIN")])("a non-provider → FORBIDDEN", async (who) => {
    const { feed } = setup();
    expect((await appError(feed.setServiceAreas(who, [{ center: BERLIN, radiusKm: 5 }]))).code).toBe(ErrorCode.FORBIDDEN);
  });

  test.each<{ case: string; areas: unknown; fields: Record<string, string> }>([
    { case: "radius 0", areas: [{ center: BERLIN, radiusKm: 0 }], fields: { "areas.0.radiusKm": "must be greater than 0 and at most 200" } },
    { case: "radius 250", areas: [{ center: BERLIN, radiusKm: 5 }, { center: BERLIN, radiusKm: 250 }], fields: { "areas.1.radiusKm": "must be greater than 0 and at most 200" } },
    { case: "bad centre", areas: [{ center: { lat: -95, lng: 0 }, radiusKm: 5 }], fields: { "areas.0.center.lat": "must be between -90 and 90" } },
    { case: "21 areas", areas: Array.from({ length: 21 }, () => ({ center: BERLIN, radiusKm: 1 })), fields: { areas: "must have at most 20 areas" } },
    { case: "no radius", areas: [{ center: BERLIN }], fields: { "areas.0.radiusKm": "is required" } },
  ])("$case → BAD_USER_INPUT $fields; the old list stays", async ({ areas, fields }) => {
    const { feed, loaders } = setup();
    await feed.setServiceAreas(provider, [{ center: BERLIN, radiusKm: 1 }]);
    const error = await appError(feed.setServiceAreas(provider, areas));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual(fields);
    expect(await feed.myServiceAreas(provider, loaders())).toEqual([{ center: BERLIN, radiusKm: 1 }]);
  });
});

describe("openOrders with places", () => {
  test("near: within the radius, nearest first, distanceKm on each edge, paged by (distance, id)", async () => {
    const { feed, order, loaders } = setup();
    const far = await order(north(40));
    const close = await order(north(1));
    const mid = await order(north(20));
    await order(north(80));
    const first = await feed.openOrders(provider, { near: BERLIN, radiusKm: 50, first: 2 }, loaders());
    expect(first.edges.map((e) => e.node.id)).toEqual([close.id, mid.id]);
    expect(first.edges.map((e) => Math.round(e.distanceKm ?? -1))).toEqual([1, 20]);
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const second = await feed.openOrders(provider, { near: BERLIN, radiusKm: 50, first: 2, after: first.pageInfo.endCursor }, loaders());
    expect(second.edges.map((e) => e.node.id)).toEqual([far.id]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    // The default reach is 50 km.
    expect((await feed.openOrders(provider, { near: north(-60) }, loaders())).edges.map((e) => e.node.id)).toEqual([]);
  });

  test("without near: inside any of the provider's areas, oldest first, no distance; no areas: every open order as before", async () => {
    const { feed, order, loaders, repo } = setup();
    const inside = await order(north(2));
    const outside = await order(north(30));
    const legacy = await repo.createOrder(
      { customerId: customer.userId, serviceId: SERVICE, title: "Old", description: "d", address: "1 Old St", scheduledFor: null, budget: null },
      () => ({ id: randomUUID(), type: "OrderCreated", payload: {} }),
    );
    const everything = await feed.openOrders(provider, {}, loaders());
    expect(everything.edges.map((e) => [e.node.id, e.distanceKm])).toEqual([[inside.id, null], [outside.id, null], [legacy.id, null]]);
    await feed.setServiceAreas(provider, [{ center: BERLIN, radiusKm: 5 }]);
    const inAreas = await feed.openOrders(provider, {}, loaders());
    expect(inAreas.edges.map((e) => [e.node.id, e.distanceKm])).toEqual([[inside.id, null]]);
    expect(inAreas.totalCount).toBe(1);
  });

  test.each<{ case: string; args: Record<string, unknown>; fields: Record<string, string> }>([
    { case: "radius without near", args: { radiusKm: 5 }, fields: { radiusKm: "needs near" } },
    { case: "radius too large", args: { near: BERLIN, radiusKm: 500 }, fields: { radiusKm: "must be greater than 0 and at most 200" } },
    { case: "negative radius", args: { near: BERLIN, radiusKm: -1 }, fields: { radiusKm: "must be greater than 0 and at most 200" } },
    { case: "bad near", args: { near: { lat: 0, lng: 999 } }, fields: { "near.lng": "must be between -180 and 180" } },
    { case: "a created-order cursor on the distance feed", args: { near: BERLIN, after: Buffer.from(JSON.stringify([new Date().toISOString(), randomUUID()])).toString("base64url") }, fields: { after: "is not a valid cursor" } },
    { case: "a distance cursor on the areas feed", args: { after: encodeDistanceCursor({ distanceKm: 1, id: randomUUID() }) }, fields: { after: "is not a valid cursor" } },
    { case: "garbage cursor", args: { near: BERLIN, after: "nope" }, fields: { after: "is not a valid cursor" } },
    { case: "first too large", args: { near: BERLIN, first: 1000 }, fields: { first: "must be between 0 and 100" } },
  ])("$case → BAD_USER_INPUT $fields", async ({ args, fields }) => {
    const { feed, loaders } = setup();
    const error = await appError(feed.openOrders(provider, args, loaders()));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual(fields);
  });

  test("a customer → FORBIDDEN, with or without near", async () => {
    const { feed, loaders } = setup();
    expect((await appError(feed.openOrders(customer, { near: BERLIN }, loaders()))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await appError(feed.openOrders(customer, {}, loaders()))).code).toBe(ErrorCode.FORBIDDEN);
  });
});

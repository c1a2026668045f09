import { expect, test } from "vitest";
import { registerUser } from "../support/federation.js";
import { BERLIN, providerFor, seededServiceId } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// "Jobs near me" through the gateway: a provider declares a service area, a customer posts orders at different
// distances, and the provider's feed lists those in reach nearest first with their distance.
const federation = useFederation();
const { call, ok } = federation;

const north = (km: number) => ({ lat: BERLIN.lat + km / 111.32, lng: BERLIN.lng });
const CREATE = `mutation($i: CreateOrderInput!) { createOrder(input: $i) { id location { lat lng } city window { from to } } }`;
const FEED = `query($near: GeoPointInput, $r: Float, $first: Int, $after: String) {
  openOrders(near: $near, radiusKm: $r, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { distanceKm node { id title address city location { lat lng } customer { name } } }
  }
}`;
type Feed = { openOrders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ distanceKm: number | null; node: { id: string; title: string } }> } };

test("a provider's feed: orders in reach, nearest first with distanceKm; outside the area absent; areas are public to signed-in users", async () => {
  const serviceId = await seededServiceId(federation.url);
  const provider = await providerFor(federation.url, serviceId, "Nina Nearby");
  const customer = await registerUser(federation.url, ["CUSTOMER"], "Carl Customer");

  const areas = await ok<{ setServiceAreas: unknown }>(
    "mutation($a: [ServiceAreaInput!]!) { setServiceAreas(areas: $a) { center { lat lng } radiusKm } }",
    { a: [{ center: BERLIN, radiusKm: 25 }] },
    provider,
  );
  expect(areas.setServiceAreas).toEqual([{ center: BERLIN, radiusKm: 25 }]);
  const seen = await ok<{ myServiceAreas: unknown }>("query { myServiceAreas { radiusKm } }", {}, provider);
  expect(seen.myServiceAreas).toEqual([{ radiusKm: 25 }]);

  const window = { from: new Date(Date.now() + 86_400_000).toISOString(), to: new Date(Date.now() + 90_000_000).toISOString() };
  const place = async (title: string, km: number) =>
    (await ok<{ createOrder: { id: string; location: unknown; window: unknown } }>(
      CREATE,
      { i: { serviceId, title, description: "Some work", address: `${km} km north`, city: "Berlin", location: north(km), window } },
      customer,
    )).createOrder;
  const far = await place("Twenty km", 20);
  const near = await place("Two km", 2);
  const mid = await place("Ten km", 10);
  const outside = await place("Eighty km", 80);
  expect(near.location).toEqual(north(2));
  expect(near.window).toEqual({ from: window.from, to: window.to });

  // Near the centre: nearest first, each with its distance; the order 80 km away is out of reach.
  const first = await ok<Feed>(FEED, { near: BERLIN, r: 30, first: 2 }, provider);
  expect(first.openOrders.edges.map((e) => e.node.title)).toEqual(["Two km", "Ten km"]);
  expect(first.openOrders.edges.map((e) => Math.round(e.distanceKm ?? -1))).toEqual([2, 10]);
  expect(first.openOrders).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
  const rest = await ok<Feed>(FEED, { near: BERLIN, r: 30, first: 2, after: first.openOrders.pageInfo.endCursor }, provider);
  expect(rest.openOrders.edges.map((e) => [e.node.id, Math.round(e.distanceKm ?? -1)])).toEqual([[far.id, 20]]);

  // Without near: the orders inside the provider's area (25 km around Berlin), no distance; the 80 km one absent.
  const inArea = await ok<Feed>(FEED, {}, provider);
  expect(inArea.openOrders.edges.map((e) => e.node.id).sort()).toEqual([far.id, near.id, mid.id].sort());
  expect(inArea.openOrders.edges.every((e) => e.distanceKm === null)).toBe(true);
  expect(inArea.openOrders.edges.map((e) => e.node.id)).not.toContain(outside.id);

  // Near the far order: it is there, and the Berlin ones are not.
  const there = await ok<Feed>(FEED, { near: north(80), r: 5 }, provider);
  expect(there.openOrders.edges.map((e) => e.node.id)).toEqual([outside.id]);

  // A provider's areas are visible to other signed-in users (providers advertise where they work).
  const profile = await ok<{ user: { name: string; serviceAreas: unknown } }>(
    "query($id: ID!) { user(id: $id) { name serviceAreas { center { lat lng } radiusKm } } }", { id: provider.id }, customer);
  expect(profile.user).toEqual({ name: "Nina Nearby", serviceAreas: [{ center: BERLIN, radiusKm: 25 }] });

  // Errors are client errors with their fields.
  const bad = await call(FEED, { near: { lat: 95, lng: 0 }, r: 500 }, provider);
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "near.lat": "must be between -90 and 90", radiusKm: "must be greater than 0 and at most 200" } });
  const notProvider = await call("mutation { setServiceAreas(areas: []) { radiusKm } }", {}, customer);
  expect(notProvider.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  const badOrder = await call(CREATE, { i: { serviceId, title: "Nowhere", description: "x", address: "1 Main St", location: { lat: 0, lng: 200 } } }, customer);
  expect(badOrder.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { "input.location.lng": "must be between -180 and 180" } });
});

import { describe, expect, test } from "vitest";
import { distanceKm, geoPointProblems } from "./location.js";
import { covers, DEFAULT_FEED_RADIUS_KM, feedScope, serviceAreasProblems, type ServiceArea } from "./service-area.js";
import { timeWindowProblems } from "./time-window.js";

const BERLIN = { lat: 52.52, lng: 13.405 };
const MUNICH = { lat: 48.137, lng: 11.575 };

describe("geoPointProblems", () => {
  test.each([
    { point: BERLIN, problems: null },
    { point: { lat: 90, lng: 180 }, problems: null },
    { point: { lat: -90, lng: -180 }, problems: null },
    { point: { lat: 0, lng: 0 }, problems: null },
    { point: { lat: 90.0001, lng: 0 }, problems: { lat: "must be between -90 and 90" } },
    { point: { lat: -91, lng: 0 }, problems: { lat: "must be between -90 and 90" } },
    { point: { lat: 0, lng: 180.5 }, problems: { lng: "must be between -180 and 180" } },
    { point: { lat: 0, lng: -181 }, problems: { lng: "must be between -180 and 180" } },
    { point: { lat: Number.NaN, lng: Number.POSITIVE_INFINITY }, problems: { lat: "must be between -90 and 90", lng: "must be between -180 and 180" } },
  ])("$point → $problems", ({ point, problems }) => {
    expect(geoPointProblems(point)).toEqual(problems);
  });
});

describe("distanceKm (haversine on earthdistance's sphere)", () => {
  test.each([
    { a: BERLIN, b: BERLIN, km: 0 },
    { a: BERLIN, b: MUNICH, km: 504.905 }, // earth_distance(ll_to_earth(52.52,13.405), ll_to_earth(48.137,11.575)) / 1000
    { a: { lat: 0, lng: 0 }, b: { lat: 0, lng: 1 }, km: (6378.168 * Math.PI) / 180 },
    { a: { lat: 0, lng: 179.5 }, b: { lat: 0, lng: -179.5 }, km: (6378.168 * Math.PI) / 180 },
  ])("$a → $b ≈ $km km", ({ a, b, km }) => {
    expect(distanceKm(a, b)).toBeCloseTo(km, 2);
    expect(distanceKm(b, a)).toBeCloseTo(km, 2);
  });
});

describe("timeWindowProblems", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const at = (iso: string) => new Date(iso);
  test.each([
    { case: "ahead", from: at("2026-06-02T08:00:00Z"), to: at("2026-06-02T12:00:00Z"), problems: null },
    { case: "under way (from past, to ahead)", from: at("2026-06-01T08:00:00Z"), to: at("2026-06-01T13:00:00Z"), problems: null },
    { case: "from = to", from: at("2026-06-02T08:00:00Z"), to: at("2026-06-02T08:00:00Z"), problems: { from: "must be before to" } },
    { case: "from after to", from: at("2026-06-03T08:00:00Z"), to: at("2026-06-02T08:00:00Z"), problems: { from: "must be before to" } },
    { case: "to now", from: at("2026-06-01T08:00:00Z"), to: now, problems: { to: "must be in the future" } },
    { case: "all past, reversed", from: at("2026-05-02T08:00:00Z"), to: at("2026-05-01T08:00:00Z"), problems: { from: "must be before to", to: "must be in the future" } },
  ])("$case → $problems", ({ from, to, problems }) => {
    expect(timeWindowProblems({ from, to }, now)).toEqual(problems);
  });
});

describe("serviceAreasProblems", () => {
  const area = (radiusKm: number, center = BERLIN): ServiceArea => ({ center, radiusKm });
  test.each([
    { case: "none (clears the list)", areas: [], problems: null },
    { case: "one of 200 km", areas: [area(200)], problems: null },
    { case: "twenty", areas: Array.from({ length: 20 }, () => area(1)), problems: null },
    { case: "tiny radius", areas: [area(0.001)], problems: null },
    { case: "zero radius", areas: [area(0)], problems: { "0.radiusKm": "must be greater than 0 and at most 200" } },
    { case: "negative radius", areas: [area(5), area(-1)], problems: { "1.radiusKm": "must be greater than 0 and at most 200" } },
    { case: "over 200 km", areas: [area(200.01)], problems: { "0.radiusKm": "must be greater than 0 and at most 200" } },
    { case: "bad centre", areas: [area(5, { lat: 95, lng: 200 })], problems: { "0.center.lat": "must be between -90 and 90", "0.center.lng": "must be between -180 and 180" } },
    { case: "twenty-one", areas: Array.from({ length: 21 }, () => area(1)), problems: { "": "must have at most 20 areas" } },
  ])("$case → $problems", ({ areas, problems }) => {
    expect(serviceAreasProblems(areas)).toEqual(problems);
  });

  test("covers: inside, on the edge, outside", () => {
    const d = distanceKm(BERLIN, MUNICH);
    expect(covers({ center: BERLIN, radiusKm: d + 1 }, MUNICH)).toBe(true);
    expect(covers({ center: BERLIN, radiusKm: d }, MUNICH)).toBe(true);
    expect(covers({ center: BERLIN, radiusKm: d - 1 }, MUNICH)).toBe(false);
  });
});

describe("feedScope", () => {
  const areas = [{ center: BERLIN, radiusKm: 10 }];
  test.each([
    { case: "near with radius", args: { near: MUNICH, radiusKm: 20 }, areas, result: { scope: { kind: "near", center: MUNICH, radiusKm: 20 } } },
    { case: "near, default radius", args: { near: MUNICH, radiusKm: null }, areas: [], result: { scope: { kind: "near", center: MUNICH, radiusKm: DEFAULT_FEED_RADIUS_KM } } },
    { case: "no near, areas", args: { near: null, radiusKm: null }, areas, result: { scope: { kind: "areas", areas } } },
    { case: "no near, no areas", args: { near: null, radiusKm: null }, areas: [], result: { scope: { kind: "anywhere" } } },
    { case: "radius without near", args: { near: null, radiusKm: 5 }, areas, result: { problems: { radiusKm: "needs near" } } },
    { case: "radius 0", args: { near: MUNICH, radiusKm: 0 }, areas, result: { problems: { radiusKm: "must be greater than 0 and at most 200" } } },
    { case: "radius 201", args: { near: MUNICH, radiusKm: 201 }, areas, result: { problems: { radiusKm: "must be greater than 0 and at most 200" } } },
    { case: "bad near", args: { near: { lat: -100, lng: 0 }, radiusKm: null }, areas, result: { problems: { "near.lat": "must be between -90 and 90" } } },
  ])("$case", ({ args, areas: given, result }) => {
    expect(feedScope(args, given)).toEqual(result);
  });
});

import { distanceKm, geoPointProblems, type GeoPoint } from "./location.js";

/** A circle a provider works in. */
export interface ServiceArea {
  center: GeoPoint;
  radiusKm: number;
}

export const MAX_SERVICE_AREA_RADIUS_KM = 200;
export const MAX_SERVICE_AREAS = 20;
/** The feed's reach around `near` when the provider names none. */
export const DEFAULT_FEED_RADIUS_KM = 50;
export const MAX_FEED_RADIUS_KM = MAX_SERVICE_AREA_RADIUS_KM;

const radiusProblem = (radiusKm: number, max: number): string | null =>
  Number.isFinite(radiusKm) && radiusKm > 0 && radiusKm <= max ? null : `must be greater than 0 and at most ${max}`;

const prefixed = (prefix: string, problems: Record<string, string> | null): Record<string, string> =>
  Object.fromEntries(Object.entries(problems ?? {}).map(([k, v]) => [`${prefix}.${k}`, v]));

/** Problems keyed by path below the list (`0.center.lat`, `2.radiusKm`; `""` for the list itself), or null. */
export function serviceAreasProblems(areas: readonly ServiceArea[]): Record<string, string> | null {
  if (areas.length > MAX_SERVICE_AREAS) return { "": `must have at most ${MAX_SERVICE_AREAS} areas` };
  const problems: Record<string, string> = {};
  areas.forEach((area, i) => {
    Object.assign(problems, prefixed(`${i}.center`, geoPointProblems(area.center)));
    const radius = radiusProblem(area.radiusKm, MAX_SERVICE_AREA_RADIUS_KM);
    if (radius) problems[`${i}.radiusKm`] = radius;
  });
  return Object.keys(problems).length ? problems : null;
}

/** Whether the point lies in the area (its edge included). */
export const covers = (area: ServiceArea, point: GeoPoint): boolean => distanceKm(area.center, point) <= area.radiusKm;

/** Which open orders a provider's feed shows, by place. */
export type FeedScope =
  /** Within `radiusKm` of `center`, nearest first. */
  | { kind: "near"; center: GeoPoint; radiusKm: number }
  /** Inside any of the provider's areas, oldest first. */
  | { kind: "areas"; areas: ServiceArea[] }
  /** No place given and no areas declared: every open order for the provider's services (the feed before places). */
  | { kind: "anywhere" };

export interface FeedPlaceArgs {
  near: GeoPoint | null;
  radiusKm: number | null;
}

/**
 * The feed's scope from its arguments and the provider's areas; problems keyed by argument (`near.lat`, `radiusKm`)
 * when the arguments are unusable.
 */
export function feedScope(args: FeedPlaceArgs, areas: readonly ServiceArea[]): { scope: FeedScope } | { problems: Record<string, string> } {
  if (!args.near) {
    if (args.radiusKm !== null) return { problems: { radiusKm: "needs near" } };
    return { scope: areas.length ? { kind: "areas", areas: [...areas] } : { kind: "anywhere" } };
  }
  const problems = prefixed("near", geoPointProblems(args.near));
  const radiusKm = args.radiusKm ?? DEFAULT_FEED_RADIUS_KM;
  const radius = radiusProblem(radiusKm, MAX_FEED_RADIUS_KM);
  if (radius) problems.radiusKm = radius;
  if (Object.keys(problems).length) return { problems };
  return { scope: { kind: "near", center: args.near, radiusKm } };
}

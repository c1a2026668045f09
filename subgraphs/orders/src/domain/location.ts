/** A point on the earth in WGS 84 degrees. */
export interface GeoPoint {
  lat: number;
  lng: number;
}

/**
 * The sphere distances are measured on: Postgres earthdistance's `earth()` (6,378,168 m), so the in-memory
 * distance below and the database's `earth_distance` agree.
 */
export const EARTH_RADIUS_KM = 6378.168;

/** Problems per field (`lat`, `lng`), or null when the point is on the earth. */
export function geoPointProblems(point: GeoPoint): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (!Number.isFinite(point.lat) || point.lat < -90 || point.lat > 90) problems.lat = "must be between -90 and 90";
  if (!Number.isFinite(point.lng) || point.lng < -180 || point.lng > 180) problems.lng = "must be between -180 and 180";
  return Object.keys(problems).length ? problems : null;
}

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in km (haversine) on the sphere of EARTH_RADIUS_KM. */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

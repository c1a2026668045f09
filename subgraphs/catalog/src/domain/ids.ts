const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Canonical (lower-case) form of a UUID, or null when the value is not one. Ids are checked before any query so
 * Postgres never sees a malformed uuid, and lower-cased so lookups keyed by id match the rows Postgres returns.
 */
export function normalizeId(value: string): string | null {
  const trimmed = value.trim();
  return UUID.test(trimmed) ? trimmed.toLowerCase() : null;
}

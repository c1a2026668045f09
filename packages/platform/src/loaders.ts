/**
 * DataLoader batch functions must answer in the order of the keys asked, with null for missing ones; a query
 * returns rows in any order. This lines them up.
 */
export function alignByKey<T, K = string>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): Array<T | null> {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

export const alignById = <T extends { id: string }>(ids: readonly string[], rows: readonly T[]): Array<T | null> =>
  alignByKey(ids, rows, (row) => row.id);

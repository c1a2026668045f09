/** Prisma client options that make the client emit one event per SQL statement (tests count them). */
export const queryLogOptions = (onQuery?: (sql: string) => void) =>
  onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {};

interface QueryEmitter {
  $on(event: "query", callback: (e: { query: string }) => void): void;
}

/** Forwards every SQL statement of a client created with `queryLogOptions(onQuery)` to `onQuery`. */
export function attachQueryLog<C extends object>(client: C, onQuery?: (sql: string) => void): C {
  // Prisma types `$on("query")` only when the log option is a literal at the call site; the generic form needs a cast.
  if (onQuery) (client as unknown as QueryEmitter).$on("query", (e) => onQuery(e.query));
  return client;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The keys a uuid column can match, each once, in Postgres' canonical (lower-case) spelling: anything else (a forged
 * federation reference, a junk argument) matches no row, so it is dropped before Postgres sees it and fails the whole
 * statement.
 */
export const uuidsOnly = (ids: readonly string[]): string[] => [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];

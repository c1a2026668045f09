import { badInput } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Position in a list ordered by (createdAt, id): stable even when rows share a timestamp. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageRequest {
  take: number;
  after: Cursor | null;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Cursors are opaque to clients: base64url of the sort key, never a raw offset. */
export const encodeCursor = (c: Cursor): string =>
  Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString("base64url");

// Every entity id is a UUID; a cursor that names anything else was not made by us.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

export function decodeCursor(value: string, field = "after"): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string" && UUID.test(parsed[1])) {
      const createdAt = new Date(parsed[0]);
      const time = createdAt.getTime();
      // Checked here so Postgres never sees a timestamp outside its range (that would be a 500, not a 400).
      if (!Number.isNaN(time) && time >= 0 && time <= MAX_TIME) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through to the input error
  }
  throw badInput({ [field]: "is not a valid cursor" });
}

export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput({ first: `must be between 0 and ${MAX_PAGE_SIZE}` });
  }
  return { take: first, after: args.after ? decodeCursor(args.after) : null };
}

/**
 * Builds a connection from rows fetched with `take + 1` (the extra row only tells whether another page exists).
 */
export function toConnection<R, T>(
  rows: R[],
  page: PageRequest,
  totalCount: number,
  cursorOf: (row: R) => Cursor,
  nodeOf: (row: R) => T,
): Connection<T> {
  const visible = rows.slice(0, page.take);
  const edges = visible.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: nodeOf(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > page.take, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** Prisma `where` fragment for rows strictly after the cursor in (createdAt ASC, id ASC) order. */
export function afterCursorWhere(after: Cursor | null, createdAtField = "createdAt", idField = "id"): Record<string, unknown> {
  if (!after) return {};
  return {
    OR: [
      { [createdAtField]: { gt: after.createdAt } },
      { [createdAtField]: after.createdAt, [idField]: { gt: after.id } },
    ],
  };
}

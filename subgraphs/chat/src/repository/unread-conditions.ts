import { Prisma } from "../generated/prisma/client.js";
import { READ_MARK, UNREAD } from "../domain/unread.js";

/**
 * The domain's unread criteria (UNREAD) and read-mark rule (READ_MARK) translated into SQL, one fragment per
 * criterion. No unread rule is decided here.
 */

/** UNREAD as conditions on `messages m` left-joined with the reader's `read_marks r`. */
export function unreadSql(userId: string): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (UNREAD.othersOnly) conditions.push(Prisma.sql`m.sender_id <> ${userId}::uuid`);
  if (UNREAD.excludeHidden) conditions.push(Prisma.sql`m.hidden_at IS NULL`);
  if (UNREAD.afterReadMark) conditions.push(Prisma.sql`(r.last_read_at IS NULL OR m.created_at > r.last_read_at)`);
  return conditions.length ? Prisma.join(conditions, " AND ") : Prisma.sql`TRUE`;
}

/**
 * What an upsert into `read_marks` sets on conflict: advanceReadMark(current, candidate) in SQL — GREATEST, the later
 * of the two, while READ_MARK.forwardOnly; the candidate otherwise. (An absent mark is the INSERT itself.)
 */
export const advancedReadMarkSql = (): Prisma.Sql =>
  READ_MARK.forwardOnly ? Prisma.sql`GREATEST(read_marks.last_read_at, EXCLUDED.last_read_at)` : Prisma.sql`EXCLUDED.last_read_at`;

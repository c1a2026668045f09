import type { Message } from "./conversation.js";
import { isHidden } from "./moderation.js";

/**
 * What makes a message unread for a participant, as criteria the repositories translate into their queries and
 * `isUnread` applies to one message — so the Prisma repository's SQL and its fake cannot drift apart.
 */
export interface UnreadCriteria {
  /** Only messages someone else sent: your own are never unread. */
  othersOnly: boolean;
  /** Hidden (moderated) messages never count, for anyone — staff included: the count is the same for all viewers. */
  excludeHidden: boolean;
  /** Only messages newer than the participant's read mark (all of them while they have none). */
  afterReadMark: boolean;
}

export const UNREAD: UnreadCriteria = { othersOnly: true, excludeHidden: true, afterReadMark: true };

export const isUnread = (
  message: Pick<Message, "senderId" | "createdAt" | "hiddenAt">,
  userId: string,
  lastReadAt: Date | null,
): boolean =>
  !(UNREAD.othersOnly && message.senderId === userId) &&
  !(UNREAD.excludeHidden && isHidden(message)) &&
  !(UNREAD.afterReadMark && lastReadAt !== null && message.createdAt.getTime() <= lastReadAt.getTime());

/** How a read mark moves when it is set again (on markRead, and for the sender on every message they send). */
export interface ReadMarkRule {
  /** Never backwards: a late or repeated markRead never makes messages unread again. */
  forwardOnly: boolean;
}

export const READ_MARK: ReadMarkRule = { forwardOnly: true };

/** The mark after setting it to `candidate`: the later of the two while marks only move forward. */
export const advanceReadMark = (current: Date | null, candidate: Date): Date =>
  READ_MARK.forwardOnly && current !== null && current.getTime() >= candidate.getTime() ? current : candidate;

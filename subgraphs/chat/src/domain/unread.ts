import type { Message } from "./conversation.js";

/**
 * A message is unread for a participant when someone else sent it after the participant's read mark (or when they
 * have none). Your own messages are never unread.
 */
export const isUnread = (message: Pick<Message, "senderId" | "createdAt">, userId: string, lastReadAt: Date | null): boolean =>
  message.senderId !== userId && (lastReadAt === null || message.createdAt.getTime() > lastReadAt.getTime());

/** Read marks only move forward: a late or repeated markRead never makes messages unread again. */
export const advanceReadMark = (current: Date | null, candidate: Date): Date =>
  current && current.getTime() >= candidate.getTime() ? current : candidate;

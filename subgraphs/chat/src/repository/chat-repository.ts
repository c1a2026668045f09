import { uuidsOnly, type PageRequest } from "@fixup/platform";
import type { Conversation, Message, OrderParticipants } from "../domain/conversation.js";
import { Prisma } from "../generated/prisma/client.js";
import { hiddenFields, toConversation, toMessage } from "./mappers.js";
import { isUniqueViolation, type ChatPrisma } from "./prisma.js";
import { advancedReadMarkSql, unreadSql } from "./unread-conditions.js";

export interface NewConversation {
  orderId: string;
  customerId: string;
  providerId: string;
}

export interface NewMessage {
  conversationId: string;
  senderId: string;
  body: string;
}

export interface HideMessage {
  actorId: string;
  reason: string;
  at: Date;
}

/** Whether hidden messages are part of a read (staff) or left out (everyone else). */
export interface Visibility {
  includeHidden: boolean;
}

const VISIBLE_ONLY: Visibility = { includeHidden: false };

export interface Page<T> {
  rows: T[];
  totalCount: number;
}

/**
 * Chat's storage. Batch reads take many keys and cost one SQL statement each, whatever the number of keys; ids that
 * are not uuids match nothing (and are never sent to Postgres).
 */
export interface ChatRepository {
  /** The order's customer and offering providers per the read model; null when chat has not heard of the order. */
  findOrderParticipants(orderId: string): Promise<OrderParticipants | null>;
  /** Creates the (order, provider) conversation, or returns the one that exists (also when a parallel call won). */
  createConversation(conversation: NewConversation): Promise<Conversation>;
  findConversations(ids: readonly string[]): Promise<Conversation[]>;
  /** The conversations of these orders in which `userId` takes part. */
  conversationsOfOrders(orderIds: readonly string[], userId: string): Promise<Conversation[]>;
  /** `userId`'s conversations by (lastActivityAt, id) descending; `page.after` continues past a cursor of that order. */
  listConversations(userId: string, page: PageRequest): Promise<Page<Conversation>>;
  findMessages(ids: readonly string[]): Promise<Message[]>;
  /**
   * Newest first by (createdAt, id) descending; `page.after` continues with older messages past the cursor. Hidden
   * messages are left out (of the rows and the count) unless `visibility.includeHidden`.
   */
  listMessages(conversationId: string, page: PageRequest, visibility?: Visibility): Promise<Page<Message>>;
  /** The newest message of each conversation that has one (hidden ones left out unless `includeHidden`). */
  lastMessages(conversationIds: readonly string[], visibility?: Visibility): Promise<Message[]>;
  /**
   * One transaction: the message, the conversation's activity time, and the sender's read mark (replying means
   * having read what came before).
   */
  addMessage(message: NewMessage): Promise<Message>;
  /** Per conversation, the messages unread for `userId` per the domain's UNREAD criteria (domain/unread.ts; absent = 0). */
  unreadCounts(userId: string, conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** Moves `userId`'s read mark to the newest message as advanceReadMark does (never backwards); a no-op while there is none. */
  markRead(conversationId: string, userId: string): Promise<void>;
  /**
   * Hides the message and writes chat's moderation audit row, in one transaction. A message already hidden stays as
   * it was (no second audit row): `hiddenNow` false. Null when there is no such message.
   */
  hideMessage(id: string, hide: HideMessage): Promise<{ message: Message; hiddenNow: boolean } | null>;
}

const uuidList = (ids: string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

interface MessageRow {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  createdAt: Date | string;
  hiddenAt: Date | string | null;
  hiddenReason: string | null;
  hiddenBy: string | null;
}

export class PrismaChatRepository implements ChatRepository {
  constructor(private readonly prisma: ChatPrisma) {}

  async findOrderParticipants(orderId: string): Promise<OrderParticipants | null> {
    if (!uuidsOnly([orderId]).length) return null;
    const row = await this.prisma.orderParticipant.findUnique({
      where: { orderId },
      include: { providers: { select: { providerId: true }, orderBy: { createdAt: "asc" } } },
    });
    return row ? { orderId: row.orderId, customerId: row.customerId, providerIds: row.providers.map((p) => p.providerId) } : null;
  }

  async createConversation(conversation: NewConversation): Promise<Conversation> {
    const key = { orderId_providerId: { orderId: conversation.orderId, providerId: conversation.providerId } };
    const existing = await this.prisma.conversation.findUnique({ where: key });
    if (existing) return toConversation(existing);
    const now = new Date();
    try {
      return toConversation(await this.prisma.conversation.create({ data: { ...conversation, createdAt: now, lastActivityAt: now } }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return toConversation(await this.prisma.conversation.findUniqueOrThrow({ where: key })); // a parallel start won
    }
  }

  async findConversations(ids: readonly string[]): Promise<Conversation[]> {
    const valid = uuidsOnly(ids);
    if (!valid.length) return [];
    return (await this.prisma.conversation.findMany({ where: { id: { in: valid } } })).map(toConversation);
  }

  async conversationsOfOrders(orderIds: readonly string[], userId: string): Promise<Conversation[]> {
    const valid = uuidsOnly(orderIds);
    if (!valid.length || !uuidsOnly([userId]).length) return [];
    const rows = await this.prisma.conversation.findMany({
      where: { orderId: { in: valid }, OR: [{ customerId: userId }, { providerId: userId }] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(toConversation);
  }

  async listConversations(userId: string, page: PageRequest): Promise<Page<Conversation>> {
    const mine = { OR: [{ customerId: userId }, { providerId: userId }] };
    const past = page.after
      ? { OR: [{ lastActivityAt: { lt: page.after.createdAt } }, { lastActivityAt: page.after.createdAt, id: { lt: page.after.id } }] }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.conversation.findMany({
        where: { AND: [mine, past] },
        orderBy: [{ lastActivityAt: "desc" }, { id: "desc" }],
        take: page.take + 1,
      }),
      this.prisma.conversation.count({ where: mine }),
    ]);
    return { rows: rows.map(toConversation), totalCount };
  }

  async findMessages(ids: readonly string[]): Promise<Message[]> {
    const valid = uuidsOnly(ids);
    if (!valid.length) return [];
    return (await this.prisma.message.findMany({ where: { id: { in: valid } } })).map(toMessage);
  }

  async listMessages(conversationId: string, page: PageRequest, visibility: Visibility = VISIBLE_ONLY): Promise<Page<Message>> {
    const shown = visibility.includeHidden ? {} : { hiddenAt: null };
    const older = page.after
      ? { OR: [{ createdAt: { lt: page.after.createdAt } }, { createdAt: page.after.createdAt, id: { lt: page.after.id } }] }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.message.findMany({
        where: { conversationId, ...shown, ...older },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: page.take + 1,
      }),
      this.prisma.message.count({ where: { conversationId, ...shown } }),
    ]);
    return { rows: rows.map(toMessage), totalCount };
  }

  async lastMessages(conversationIds: readonly string[], visibility: Visibility = VISIBLE_ONLY): Promise<Message[]> {
    const valid = uuidsOnly(conversationIds);
    if (!valid.length) return [];
    const shown = visibility.includeHidden ? Prisma.empty : Prisma.sql`AND hidden_at IS NULL`;
    // DISTINCT ON walks the (conversation_id, created_at, id) index backwards: one row per conversation.
    const rows = await this.prisma.$queryRaw<MessageRow[]>`
      SELECT DISTINCT ON (conversation_id)
             id::text, conversation_id::text AS "conversationId", sender_id::text AS "senderId", body, created_at AS "createdAt",
             hidden_at AS "hiddenAt", hidden_reason AS "hiddenReason", hidden_by::text AS "hiddenBy"
        FROM messages
       WHERE conversation_id IN (${uuidList(valid)}) ${shown}
       ORDER BY conversation_id, created_at DESC, id DESC`;
    return rows.map(({ hiddenAt, hiddenReason, hiddenBy, ...r }) => ({
      ...r,
      createdAt: new Date(r.createdAt),
      ...hiddenFields({ hiddenAt: hiddenAt === null ? null : new Date(hiddenAt), hiddenReason, hiddenBy }),
    }));
  }

  addMessage(message: NewMessage): Promise<Message> {
    return this.prisma.$transaction(async (tx) => {
      const saved = toMessage(await tx.message.create({ data: message }));
      await tx.conversation.updateMany({
        where: { id: saved.conversationId, lastActivityAt: { lt: saved.createdAt } },
        data: { lastActivityAt: saved.createdAt },
      });
      await tx.$executeRaw`
        INSERT INTO read_marks (conversation_id, user_id, last_read_at)
        VALUES (${saved.conversationId}::uuid, ${saved.senderId}::uuid, ${saved.createdAt})
        ON CONFLICT (conversation_id, user_id)
        DO UPDATE SET last_read_at = ${advancedReadMarkSql()}`;
      return saved;
    });
  }

  async unreadCounts(userId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
    const valid = uuidsOnly(conversationIds);
    if (!valid.length || !uuidsOnly([userId]).length) return new Map();
    const rows = await this.prisma.$queryRaw<Array<{ conversationId: string; count: number }>>`
      SELECT m.conversation_id::text AS "conversationId", count(*)::int AS count
        FROM messages m
        LEFT JOIN read_marks r ON r.conversation_id = m.conversation_id AND r.user_id = ${userId}::uuid
       WHERE m.conversation_id IN (${uuidList(valid)}) AND ${unreadSql(userId)}
       GROUP BY m.conversation_id`;
    return new Map(rows.map((r) => [r.conversationId, Number(r.count)]));
  }

  async markRead(conversationId: string, userId: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO read_marks (conversation_id, user_id, last_read_at)
      SELECT ${conversationId}::uuid, ${userId}::uuid, max(created_at) FROM messages WHERE conversation_id = ${conversationId}::uuid
      HAVING max(created_at) IS NOT NULL
      ON CONFLICT (conversation_id, user_id)
      DO UPDATE SET last_read_at = ${advancedReadMarkSql()}`;
  }

  async hideMessage(id: string, hide: HideMessage): Promise<{ message: Message; hiddenNow: boolean } | null> {
    if (!uuidsOnly([id]).length) return null;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.message.updateMany({
        where: { id, hiddenAt: null },
        data: { hiddenAt: hide.at, hiddenReason: hide.reason, hiddenBy: hide.actorId },
      });
      if (count === 1) {
        await tx.moderationAction.create({ data: { actorId: hide.actorId, action: "HIDE_MESSAGE", messageId: id, reason: hide.reason, at: hide.at } });
      }
      const row = await tx.message.findUnique({ where: { id } });
      return row ? { message: toMessage(row), hiddenNow: count === 1 } : null;
    });
  }
}

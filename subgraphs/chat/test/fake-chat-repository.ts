import { randomUUID } from "node:crypto";
import { uuidsOnly, type PageRequest } from "@fixup/platform";
import { isParticipant, type Conversation, type Message, type OrderParticipants } from "../src/domain/conversation.js";
import type { ParticipantFact } from "../src/domain/events.js";
import { advanceReadMark, isUnread } from "../src/domain/unread.js";
import { isHidden } from "../src/domain/moderation.js";
import type { ChatRepository, HideMessage, NewConversation, NewMessage, Page, Visibility } from "../src/repository/chat-repository.js";
import type { OrderParticipantsReadModel } from "../src/repository/read-model-repository.js";

/** Descending by (time, id): the order of both chat lists. */
const newestFirst = <T extends { id: string }>(time: (row: T) => Date) => (a: T, b: T) =>
  time(b).getTime() - time(a).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const past = <T extends { id: string }>(time: (row: T) => Date, after: PageRequest["after"]) => (row: T) =>
  !after || time(row).getTime() < after.createdAt.getTime() || (time(row).getTime() === after.createdAt.getTime() && row.id < after.id);

/**
 * In-memory ChatRepository (and read model) with the Prisma repository's semantics, for service tests (held to them by
 * chat-repository.contract.test.ts and order-participants-read-model.contract.test.ts). Unread counts
 * use the domain rule the SQL implements; `calls` records each batch method's keys (to check loader batching).
 */
export class FakeChatRepository implements ChatRepository, OrderParticipantsReadModel {
  readonly orders = new Map<string, { customerId: string; providerIds: string[] }>();
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  /** `${conversationId}:${userId}` → lastReadAt */
  readonly readMarks = new Map<string, Date>();
  readonly processed = new Set<string>();
  /** Chat's moderation audit (moderation_actions). */
  readonly moderationActions: Array<{ actorId: string; action: string; messageId: string; reason: string; at: Date }> = [];
  readonly calls: Array<{ method: string; keys: readonly string[] }> = [];
  private readonly now: () => Date;

  /** A strictly increasing clock by default (1 ms per call), so orders are deterministic. */
  constructor(now?: () => Date) {
    let tick = 0;
    this.now = now ?? (() => new Date(Date.UTC(2026, 0, 1) + ++tick));
  }

  // ---- read model -----------------------------------------------------------------------------------------

  async apply(eventId: string, fact: ParticipantFact): Promise<boolean> {
    if (this.processed.has(eventId)) return false;
    this.processed.add(eventId);
    const order = this.orders.get(fact.orderId) ?? { customerId: fact.customerId, providerIds: [] };
    this.orders.set(fact.orderId, order);
    if (fact.kind === "provider" && !order.providerIds.includes(fact.providerId)) order.providerIds.push(fact.providerId);
    return true;
  }

  // ---- ChatRepository -------------------------------------------------------------------------------------

  async findOrderParticipants(orderId: string): Promise<OrderParticipants | null> {
    const order = this.orders.get(orderId);
    return order ? { orderId, customerId: order.customerId, providerIds: [...order.providerIds] } : null;
  }

  async createConversation(c: NewConversation): Promise<Conversation> {
    const existing = [...this.conversations.values()].find((x) => x.orderId === c.orderId && x.providerId === c.providerId);
    if (existing) return { ...existing };
    const now = this.now();
    const conversation: Conversation = { id: randomUUID(), ...c, createdAt: now, lastActivityAt: now };
    this.conversations.set(conversation.id, conversation);
    return { ...conversation };
  }

  async findConversations(ids: readonly string[]): Promise<Conversation[]> {
    this.calls.push({ method: "findConversations", keys: ids });
    return uuidsOnly(ids).flatMap((id) => {
      const c = this.conversations.get(id);
      return c ? [{ ...c }] : [];
    });
  }

  async conversationsOfOrders(orderIds: readonly string[], userId: string): Promise<Conversation[]> {
    this.calls.push({ method: "conversationsOfOrders", keys: orderIds });
    return [...this.conversations.values()]
      .filter((c) => uuidsOnly(orderIds).includes(c.orderId) && isParticipant(c, userId))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((c) => ({ ...c }));
  }

  async listConversations(userId: string, page: PageRequest): Promise<Page<Conversation>> {
    const mine = [...this.conversations.values()].filter((c) => isParticipant(c, userId));
    const time = (c: Conversation) => c.lastActivityAt;
    const rows = mine.filter(past(time, page.after)).sort(newestFirst(time)).slice(0, page.take + 1);
    return { rows: rows.map((c) => ({ ...c })), totalCount: mine.length };
  }

  async findMessages(ids: readonly string[]): Promise<Message[]> {
    this.calls.push({ method: "findMessages", keys: ids });
    return uuidsOnly(ids).flatMap((id) => {
      const m = this.messages.get(id);
      return m ? [{ ...m }] : [];
    });
  }

  async listMessages(conversationId: string, page: PageRequest, visibility?: Visibility): Promise<Page<Message>> {
    const all = [...this.messages.values()].filter((m) => m.conversationId === conversationId && (visibility?.includeHidden || !isHidden(m)));
    const time = (m: Message) => m.createdAt;
    const rows = all.filter(past(time, page.after)).sort(newestFirst(time)).slice(0, page.take + 1);
    return { rows: rows.map((m) => ({ ...m })), totalCount: all.length };
  }

  async lastMessages(conversationIds: readonly string[], visibility?: Visibility): Promise<Message[]> {
    this.calls.push({ method: "lastMessages", keys: conversationIds });
    const time = (m: Message) => m.createdAt;
    return uuidsOnly(conversationIds).flatMap((id) => {
      const newest = [...this.messages.values()]
        .filter((m) => m.conversationId === id && (visibility?.includeHidden || !isHidden(m)))
        .sort(newestFirst(time))[0];
      return newest ? [{ ...newest }] : [];
    });
  }

  async addMessage(m: NewMessage): Promise<Message> {
    const conversation = this.conversations.get(m.conversationId);
    if (!conversation) throw new Error(`conversation ${m.conversationId} not found`); // the messages' foreign key
    const message: Message = { id: randomUUID(), ...m, createdAt: this.now() };
    this.messages.set(message.id, message);
    if (conversation.lastActivityAt < message.createdAt) conversation.lastActivityAt = message.createdAt;
    this.advance(m.conversationId, m.senderId, message.createdAt);
    return { ...message };
  }

  async unreadCounts(userId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
    this.calls.push({ method: "unreadCounts", keys: conversationIds });
    const counts = new Map<string, number>();
    if (!uuidsOnly([userId]).length) return counts;
    for (const id of uuidsOnly(conversationIds)) {
      const mark = this.readMarks.get(`${id}:${userId}`) ?? null;
      const count = [...this.messages.values()].filter((m) => m.conversationId === id && isUnread(m, userId, mark)).length;
      if (count) counts.set(id, count);
    }
    return counts;
  }

  async markRead(conversationId: string, userId: string): Promise<void> {
    const times = [...this.messages.values()].filter((m) => m.conversationId === conversationId).map((m) => m.createdAt.getTime());
    if (times.length) this.advance(conversationId, userId, new Date(Math.max(...times)));
  }

  async hideMessage(id: string, hide: HideMessage): Promise<{ message: Message; hiddenNow: boolean } | null> {
    const [key] = uuidsOnly([id]);
    const message = key === undefined ? undefined : this.messages.get(key);
    if (!message) return null;
    if (isHidden(message)) return { message: { ...message }, hiddenNow: false };
    Object.assign(message, { hiddenAt: hide.at, hiddenReason: hide.reason, hiddenBy: hide.actorId });
    this.moderationActions.push({ actorId: hide.actorId, action: "HIDE_MESSAGE", messageId: message.id, reason: hide.reason, at: hide.at });
    return { message: { ...message }, hiddenNow: true };
  }

  private advance(conversationId: string, userId: string, to: Date): void {
    const key = `${conversationId}:${userId}`;
    this.readMarks.set(key, advanceReadMark(this.readMarks.get(key) ?? null, to));
  }
}

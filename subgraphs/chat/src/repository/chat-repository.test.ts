import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeCursor, encodeCursor, type PageRequest } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import type { Conversation } from "../domain/conversation.js";
import { PrismaChatRepository } from "./chat-repository.js";
import { toMessage } from "./mappers.js";
import { createPrisma, type ChatPrisma } from "./prisma.js";
import { PrismaOrderParticipantsReadModel } from "./read-model-repository.js";

let db: TestDatabase;
let prisma: ChatPrisma;
let repo: PrismaChatRepository;
const queries: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase("chat_repo", migrationsDir);
  prisma = createPrisma(db.url, 6, (sql) => queries.push(sql));
  repo = new PrismaChatRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

async function conversation(customerId: string = randomUUID(), providerId: string = randomUUID()): Promise<Conversation> {
  return repo.createConversation({ orderId: randomUUID(), customerId, providerId });
}

/** Inserts a message with a chosen timestamp (several may share one). */
async function message(conversationId: string, senderId: string, createdAt: Date, body = "m") {
  return toMessage(await prisma.message.create({ data: { conversationId, senderId, body, createdAt } }));
}

/** Follows `before` cursors page by page until the end; returns the ids per page. */
async function allPages(conversationId: string, take: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: PageRequest["after"] = null;
  for (;;) {
    const { rows } = await repo.listMessages(conversationId, { take, after });
    const visible = rows.slice(0, take);
    pages.push(visible.map((r) => r.id));
    if (rows.length <= take) return pages;
    const last = visible.at(-1)!;
    after = decodeCursor(encodeCursor({ createdAt: last.createdAt, id: last.id }), "before");
  }
}

describe("PrismaChatRepository (real Postgres)", () => {
  test("findOrderParticipants: null for unknown or malformed ids, customer and providers otherwise", async () => {
    const readModel = new PrismaOrderParticipantsReadModel(prisma);
    const [orderId, customerId, p1, p2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await readModel.apply(randomUUID(), { kind: "customer", orderId, customerId });
    await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId: p1 });
    await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId: p2 });
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [p1, p2] });
    expect(await repo.findOrderParticipants(randomUUID())).toBeNull();
    expect(await repo.findOrderParticipants("not-a-uuid")).toBeNull();
  });

  test("createConversation is idempotent per (order, provider), also under concurrency", async () => {
    const input = { orderId: randomUUID(), customerId: randomUUID(), providerId: randomUUID() };
    const results = await Promise.all(Array.from({ length: 6 }, () => repo.createConversation(input)));
    expect(new Set(results.map((c) => c.id)).size).toBe(1);
    expect(await prisma.conversation.count({ where: { orderId: input.orderId } })).toBe(1);
    expect(results[0]!.lastActivityAt).toEqual(results[0]!.createdAt);
    const other = await repo.createConversation({ ...input, providerId: randomUUID() });
    expect(other.id).not.toBe(results[0]!.id);
  });

  test("messages newest first; `before` pages through equal timestamps without gaps or repeats", async () => {
    const c = await conversation();
    // 7 messages on only 3 distinct timestamps: the id breaks ties.
    const times = [0, 0, 0, 5, 5, 9, 9];
    const rows = [];
    for (const t of times) rows.push(await message(c.id, c.customerId, at(t)));
    const expected = [...rows]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);

    for (const take of [1, 2, 3, 7, 10]) {
      const pages = await allPages(c.id, take);
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every((p) => p.length === take)).toBe(true);
    }
    const { totalCount } = await repo.listMessages(c.id, { take: 2, after: null });
    expect(totalCount).toBe(7);
  });

  test("lastMessages: the newest (by time, then id) of each conversation, one SQL statement for all", async () => {
    const [a, b, empty] = [await conversation(), await conversation(), await conversation()];
    await message(a.id, a.customerId, at(1), "a-old");
    const aNew = await message(a.id, a.providerId, at(2), "a-new");
    const tied = [await message(b.id, b.customerId, at(3), "b1"), await message(b.id, b.customerId, at(3), "b2")];
    const bNewest = tied.sort((x, y) => (x.id < y.id ? 1 : -1))[0]!;
    queries.length = 0;
    const last = await repo.lastMessages([a.id, b.id, empty.id, "junk"]);
    expect(queries).toHaveLength(1);
    expect(new Map(last.map((m) => [m.conversationId, m.id]))).toEqual(new Map([[a.id, aNew.id], [b.id, bNewest.id]]));
    expect(last.find((m) => m.id === aNew.id)).toEqual({
      id: aNew.id, conversationId: a.id, senderId: a.providerId, body: "a-new", createdAt: at(2),
    });
  });

  test("addMessage bumps the conversation's activity time and the sender's read mark", async () => {
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.providerId, body: "hi" });
    const row = await prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.lastActivityAt).toEqual(m.createdAt);
    const mark = await prisma.readMark.findUnique({ where: { conversationId_userId: { conversationId: c.id, userId: c.providerId } } });
    expect(mark?.lastReadAt).toEqual(m.createdAt);
    expect(await repo.unreadCounts(c.customerId, [c.id])).toEqual(new Map([[c.id, 1]]));
    expect(await repo.unreadCounts(c.providerId, [c.id])).toEqual(new Map());
  });

  test("unreadCounts and markRead: others' messages after the mark, batched in one statement; marks never go back", async () => {
    const [a, b] = [await conversation(), await conversation()];
    const me = a.customerId;
    const b2 = await conversation(me);
    await message(a.id, a.providerId, at(10));
    await message(a.id, a.providerId, at(20));
    await message(a.id, me, at(30)); // own: never unread
    await message(b2.id, b2.providerId, at(10));
    queries.length = 0;
    expect(await repo.unreadCounts(me, [a.id, b2.id, b.id])).toEqual(new Map([[a.id, 2], [b2.id, 1]]));
    expect(queries).toHaveLength(1);

    await repo.markRead(a.id, me);
    expect(await repo.unreadCounts(me, [a.id])).toEqual(new Map());
    await message(a.id, a.providerId, at(25)); // older than the mark (at 30): counts as read
    await message(a.id, a.providerId, at(40));
    expect(await repo.unreadCounts(me, [a.id])).toEqual(new Map([[a.id, 1]]));

    // A mark set further ahead is not moved back by markRead.
    await prisma.readMark.update({ where: { conversationId_userId: { conversationId: a.id, userId: me } }, data: { lastReadAt: at(100) } });
    await repo.markRead(a.id, me);
    const mark = await prisma.readMark.findUniqueOrThrow({ where: { conversationId_userId: { conversationId: a.id, userId: me } } });
    expect(mark.lastReadAt).toEqual(at(100));
  });

  test("markRead without messages sets no mark", async () => {
    const c = await conversation();
    await repo.markRead(c.id, c.customerId);
    expect(await prisma.readMark.count({ where: { conversationId: c.id } })).toBe(0);
  });

  test("listConversations: the user's, by last activity then id descending, stable across pages with equal times", async () => {
    const me = randomUUID();
    const mine = [
      await conversation(me), // customer side
      await conversation(randomUUID(), me), // provider side
      await conversation(me),
      await conversation(me),
    ];
    await conversation(); // someone else's
    const activity = [at(5), at(5), at(5), at(50)];
    for (const [i, c] of mine.entries()) {
      await prisma.conversation.update({ where: { id: c.id }, data: { lastActivityAt: activity[i] } });
    }
    const expected = [mine[3]!.id, ...[mine[0]!, mine[1]!, mine[2]!].map((c) => c.id).sort().reverse()];
    const seen: string[] = [];
    let after: PageRequest["after"] = null;
    for (;;) {
      const { rows, totalCount } = await repo.listConversations(me, { take: 1, after });
      expect(totalCount).toBe(4);
      seen.push(rows[0]!.id);
      if (rows.length <= 1) break;
      after = { createdAt: rows[0]!.lastActivityAt, id: rows[0]!.id };
    }
    expect(seen).toEqual(expected);
  });

  test("batch reads: one statement per batch; malformed ids match nothing and are never sent", async () => {
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.customerId, body: "x" });
    queries.length = 0;
    expect((await repo.findConversations([c.id, randomUUID(), "junk"])).map((x) => x.id)).toEqual([c.id]);
    expect((await repo.findMessages([m.id, "junk"])).map((x) => x.id)).toEqual([m.id]);
    expect((await repo.conversationsOfOrders([c.orderId, randomUUID()], c.providerId)).map((x) => x.id)).toEqual([c.id]);
    expect(await repo.conversationsOfOrders([c.orderId], randomUUID())).toEqual([]);
    expect(queries).toHaveLength(4);
    queries.length = 0;
    expect(await repo.findConversations(["junk"])).toEqual([]);
    expect(await repo.unreadCounts(c.customerId, ["junk"])).toEqual(new Map());
    expect(queries).toHaveLength(0);
  });
});

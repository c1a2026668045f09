import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { PageRequest } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type { Conversation, Message } from "../src/domain/conversation.js";
import { PrismaChatRepository, type ChatRepository } from "../src/repository/chat-repository.js";
import { toMessage } from "../src/repository/mappers.js";
import { createPrisma } from "../src/repository/prisma.js";
import { FakeChatRepository } from "./fake-chat-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see orders' order-repository.contract.test.ts; the fake's read-model half has
// its own suite). Two seeding hooks stand in for what the interface cannot do: a message at a chosen instant (several
// may share one) and a conversation's activity time.
interface Subject {
  repo: ChatRepository;
  messageAt(conversation: Conversation, senderId: string, createdAt: Date): Promise<Message>;
  activityAt(conversation: Conversation, at: Date): Promise<void>;
}

const database = usePrismaDatabase("chat_contract", migrationsDir, (url) => createPrisma(url, 8));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaChatRepository (real Postgres)",
    create: () => ({
      repo: new PrismaChatRepository(database.prisma),
      messageAt: async (c, senderId, createdAt) => toMessage(await database.prisma.message.create({ data: { conversationId: c.id, senderId, body: "m", createdAt } })),
      activityAt: async (c, at) => void (await database.prisma.conversation.update({ where: { id: c.id }, data: { lastActivityAt: at } })),
    }),
  },
  {
    name: "FakeChatRepository",
    create: () => {
      const repo = new FakeChatRepository();
      return {
        repo,
        messageAt: async (c, senderId, createdAt) => {
          const message = { id: randomUUID(), conversationId: c.id, senderId, body: "m", createdAt };
          repo.messages.set(message.id, message);
          return { ...message };
        },
        activityAt: async (c, at) => void (repo.conversations.get(c.id)!.lastActivityAt = at),
      };
    },
  },
];

const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
/** Newest first by (time, id): the order of both chat lists. */
const newestFirst = <T extends { id: string }>(rows: T[], time: (row: T) => Date) =>
  [...rows].sort((a, b) => time(b).getTime() - time(a).getTime() || (a.id < b.id ? 1 : -1));

describe.each(implementations)("ChatRepository contract: $name", ({ create }) => {
  function setup() {
    const subject = create();
    const conversation = (customerId: string = randomUUID(), providerId: string = randomUUID(), orderId: string = randomUUID()) =>
      subject.repo.createConversation({ orderId, customerId, providerId });
    return { ...subject, conversation };
  }

  test("createConversation: one per (order, provider), also under concurrency; a new one's activity is its creation", async () => {
    const { repo } = setup();
    const input = { orderId: randomUUID(), customerId: randomUUID(), providerId: randomUUID() };
    const results = await Promise.all(Array.from({ length: 4 }, () => repo.createConversation(input)));
    expect(new Set(ids(results)).size).toBe(1);
    expect(results[0]).toEqual({ id: expect.any(String), ...input, createdAt: expect.any(Date), lastActivityAt: results[0]!.createdAt });
    expect(await repo.createConversation(input)).toEqual(results[0]);
    const other = await repo.createConversation({ ...input, providerId: randomUUID() });
    expect(other.id).not.toBe(results[0]!.id);
    expect(byId(await repo.findConversations([other.id, results[0]!.id]))).toEqual(byId([other, results[0]!]));
  });

  test("batch reads skip unknown and malformed ids (a malformed user id matches nothing either)", async () => {
    const { repo, conversation } = setup();
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.customerId, body: "x" });
    expect(ids(await repo.findConversations([c.id, randomUUID(), "junk"]))).toEqual([c.id]);
    expect(await repo.findMessages([m.id, "junk", randomUUID()])).toEqual([m]);
    expect(await repo.lastMessages([c.id, "junk", randomUUID()])).toEqual([m]);
    expect(await repo.unreadCounts(c.providerId, [c.id, "junk", randomUUID()])).toEqual(new Map([[c.id, 1]]));
    expect(await repo.unreadCounts("junk", [c.id])).toEqual(new Map());
    expect(await repo.conversationsOfOrders([c.orderId, "junk"], "junk")).toEqual([]);
    expect(await repo.findConversations([])).toEqual([]);
    expect(await repo.findMessages(["junk"])).toEqual([]);
    expect(await repo.lastMessages([])).toEqual([]);
    expect(await repo.unreadCounts(c.providerId, [])).toEqual(new Map());
  });

  test("batch reads return each row once, however often its key is asked for", async () => {
    const { repo, conversation } = setup();
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.customerId, body: "x" });
    expect(ids(await repo.findConversations([c.id, c.id]))).toEqual([c.id]);
    expect(await repo.findMessages([m.id, m.id])).toEqual([m]);
    expect(await repo.lastMessages([c.id, c.id])).toEqual([m]);
    expect(await repo.unreadCounts(c.providerId, [c.id, c.id])).toEqual(new Map([[c.id, 1]]));
    expect(ids(await repo.conversationsOfOrders([c.orderId, c.orderId], c.customerId))).toEqual([c.id]);
  });

  test("ids are uuids, compared as uuids: a key in upper case finds the same rows (which keep their canonical ids)", async () => {
    const { repo, conversation } = setup();
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.customerId, body: "x" });
    const shout = (id: string) => id.toUpperCase();
    expect(ids(await repo.findConversations([shout(c.id)]))).toEqual([c.id]);
    expect(await repo.findMessages([shout(m.id)])).toEqual([m]);
    expect(await repo.lastMessages([shout(c.id)])).toEqual([m]);
    expect(await repo.unreadCounts(c.providerId, [shout(c.id)])).toEqual(new Map([[c.id, 1]]));
    expect(ids(await repo.conversationsOfOrders([shout(c.orderId)], c.customerId))).toEqual([c.id]);
  });

  test("conversationsOfOrders: the user's conversations of those orders, oldest first", async () => {
    const { repo, conversation } = setup();
    const [me, orderA, orderB] = [randomUUID(), randomUUID(), randomUUID()];
    const a1 = await conversation(me, randomUUID(), orderA);
    const a2 = await conversation(me, randomUUID(), orderA);
    const asProvider = await conversation(randomUUID(), me, orderB);
    const notMine = await conversation(randomUUID(), randomUUID(), orderB);
    const mine = await repo.conversationsOfOrders([orderA, orderB, randomUUID()], me);
    const oldestFirst = [a1, a2, asProvider].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1));
    expect(mine).toEqual(oldestFirst);
    expect(ids(await repo.conversationsOfOrders([orderB], notMine.providerId))).toEqual([notMine.id]);
    expect(await repo.conversationsOfOrders([orderA], randomUUID())).toEqual([]);
  });

  test("listConversations: the user's, by last activity then id descending; take + 1 rows; the cursor continues", async () => {
    const { repo, conversation, activityAt } = setup();
    const me = randomUUID();
    const mine = [await conversation(me), await conversation(randomUUID(), me), await conversation(me), await conversation(me)];
    await conversation(); // someone else's
    for (const [i, c] of mine.entries()) await activityAt(c, [at(5), at(5), at(5), at(50)][i]!);
    const expected = [mine[3]!.id, ...ids(mine.slice(0, 3)).sort().reverse()];

    const first = await repo.listConversations(me, { take: 2, after: null });
    expect(first.totalCount).toBe(4);
    expect(ids(first.rows)).toEqual(expected.slice(0, 3));
    const seen: string[] = [];
    let after: PageRequest["after"] = null;
    for (let i = 0; i < 10; i++) {
      const { rows, totalCount } = await repo.listConversations(me, { take: 1, after });
      expect(totalCount).toBe(4);
      seen.push(rows[0]!.id);
      if (rows.length <= 1) break;
      after = { createdAt: rows[0]!.lastActivityAt, id: rows[0]!.id };
    }
    expect(seen).toEqual(expected);
    expect(await repo.listConversations(randomUUID(), { take: 5, after: null })).toEqual({ rows: [], totalCount: 0 });
  });

  test("listMessages: newest first by (createdAt, id); pages through equal timestamps without gaps or repeats", async () => {
    const { repo, conversation, messageAt } = setup();
    const c = await conversation();
    const rows: Message[] = [];
    for (const t of [0, 0, 0, 5, 5, 9, 9]) rows.push(await messageAt(c, c.customerId, at(t)));
    await messageAt(await conversation(), c.customerId, at(7)); // another conversation's
    const expected = ids(newestFirst(rows, (m) => m.createdAt));
    for (const take of [1, 2, 3, 7, 10]) {
      const seen: string[] = [];
      let after: PageRequest["after"] = null;
      for (let i = 0; i < 10; i++) {
        const page = await repo.listMessages(c.id, { take, after });
        expect(page.totalCount).toBe(7);
        expect(page.rows.length).toBeLessThanOrEqual(take + 1);
        const visible = page.rows.slice(0, take);
        seen.push(...ids(visible));
        if (page.rows.length <= take) break;
        after = { createdAt: visible.at(-1)!.createdAt, id: visible.at(-1)!.id };
      }
      expect(seen).toEqual(expected);
    }
    expect((await repo.listMessages(c.id, { take: 2, after: null })).rows).toEqual(newestFirst(rows, (m) => m.createdAt).slice(0, 3));
  });

  test("lastMessages: the newest (by time, then id) of each conversation that has one", async () => {
    const { repo, conversation, messageAt } = setup();
    const [a, b, empty] = [await conversation(), await conversation(), await conversation()];
    await messageAt(a, a.customerId, at(1));
    const aNew = await messageAt(a, a.providerId, at(2));
    const tied = [await messageAt(b, b.customerId, at(3)), await messageAt(b, b.customerId, at(3))];
    const bNew = newestFirst(tied, (m) => m.createdAt)[0]!;
    expect(byId(await repo.lastMessages([a.id, b.id, empty.id]))).toEqual(byId([aNew, bNew]));
  });

  test("addMessage: the message, the conversation's activity (never backwards) and the sender's read mark", async () => {
    const { repo, conversation, activityAt } = setup();
    const c = await conversation();
    const m = await repo.addMessage({ conversationId: c.id, senderId: c.providerId, body: "hi" });
    expect(m).toEqual({ id: expect.any(String), conversationId: c.id, senderId: c.providerId, body: "hi", createdAt: expect.any(Date) });
    expect(await repo.findMessages([m.id])).toEqual([m]);
    expect((await repo.findConversations([c.id]))[0]!.lastActivityAt).toEqual(m.createdAt);
    expect(await repo.unreadCounts(c.customerId, [c.id])).toEqual(new Map([[c.id, 1]]));
    expect(await repo.unreadCounts(c.providerId, [c.id])).toEqual(new Map());

    const future = new Date("2100-01-01T00:00:00.000Z");
    await activityAt(c, future);
    await repo.addMessage({ conversationId: c.id, senderId: c.customerId, body: "late" });
    expect((await repo.findConversations([c.id]))[0]!.lastActivityAt).toEqual(future);
    expect(await repo.unreadCounts(c.customerId, [c.id])).toEqual(new Map());
  });

  test("addMessage to a conversation that does not exist is refused and stores nothing", async () => {
    const { repo } = setup();
    const ghost = randomUUID();
    await expect(repo.addMessage({ conversationId: ghost, senderId: randomUUID(), body: "lost" })).rejects.toThrow();
    expect(await repo.listMessages(ghost, { take: 5, after: null })).toEqual({ rows: [], totalCount: 0 });
    expect(await repo.lastMessages([ghost])).toEqual([]);
  });

  test("unreadCounts and markRead: others' messages after the mark; the mark moves to the newest message only", async () => {
    const { repo, conversation, messageAt } = setup();
    const me = randomUUID();
    const [a, b, untouched] = [await conversation(me), await conversation(me), await conversation(me)];
    await messageAt(a, a.providerId, at(10));
    await messageAt(a, a.providerId, at(20));
    await messageAt(a, me, at(30)); // own: never unread
    await messageAt(b, b.providerId, at(10));
    expect(await repo.unreadCounts(me, [a.id, b.id, untouched.id])).toEqual(new Map([[a.id, 2], [b.id, 1]]));
    expect(await repo.unreadCounts(a.providerId, [a.id])).toEqual(new Map([[a.id, 1]]));

    await repo.markRead(a.id, me);
    expect(await repo.unreadCounts(me, [a.id, b.id])).toEqual(new Map([[b.id, 1]]));
    await messageAt(a, a.providerId, at(25)); // older than the mark (at 30): read
    await messageAt(a, a.providerId, at(30)); // at the mark: read
    await messageAt(a, a.providerId, at(40));
    expect(await repo.unreadCounts(me, [a.id])).toEqual(new Map([[a.id, 1]]));
    await repo.markRead(a.id, me);
    await repo.markRead(a.id, me);
    expect(await repo.unreadCounts(me, [a.id])).toEqual(new Map());

    await repo.markRead(untouched.id, me); // no message yet: no mark, so the first one is unread
    await messageAt(untouched, untouched.providerId, at(1));
    expect(await repo.unreadCounts(me, [untouched.id])).toEqual(new Map([[untouched.id, 1]]));
  });

  test("hideMessage: once (a second call changes nothing); hidden messages leave lists, counts, lastMessages and unread counts unless included", async () => {
    const { repo, conversation, messageAt } = setup();
    const c = await conversation();
    const reader = c.providerId;
    const one = await messageAt(c, c.customerId, at(1));
    const two = await messageAt(c, c.customerId, at(2));
    const moderator = randomUUID();
    const first = await repo.hideMessage(two.id, { actorId: moderator, reason: "insults", at: at(3) });
    const hidden = { ...two, hiddenAt: at(3), hiddenReason: "insults", hiddenBy: moderator };
    expect(first).toEqual({ message: hidden, hiddenNow: true });
    expect(await repo.hideMessage(two.id.toUpperCase(), { actorId: randomUUID(), reason: "again", at: at(4) })).toEqual({ message: hidden, hiddenNow: false });
    expect(await repo.hideMessage(randomUUID(), { actorId: moderator, reason: "x", at: at(4) })).toBeNull();
    expect(await repo.hideMessage("junk", { actorId: moderator, reason: "x", at: at(4) })).toBeNull();
    const page = { take: 10, after: null };
    expect(await repo.listMessages(c.id, page)).toEqual({ rows: [one], totalCount: 1 });
    expect(await repo.listMessages(c.id, page, { includeHidden: true })).toEqual({ rows: [hidden, one], totalCount: 2 });
    expect(await repo.lastMessages([c.id])).toEqual([one]);
    expect(await repo.lastMessages([c.id], { includeHidden: true })).toEqual([hidden]);
    expect(await repo.findMessages([two.id])).toEqual([hidden]);
    expect(await repo.unreadCounts(reader, [c.id])).toEqual(new Map([[c.id, 1]]));
  });
});

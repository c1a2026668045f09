import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import { usePrismaDatabase } from "../../../test/support/database.js";
import { migrationsDir } from "../src/app.js";
import type * as UnreadModule from "../src/domain/unread.js";
import { PrismaChatRepository } from "../src/repository/chat-repository.js";
import { createPrisma } from "../src/repository/prisma.js";

// The unread rule lives in the domain only: change it there and the Prisma repository's SQL follows, with no edit to
// a repository. Changed here: hidden messages count as unread (UNREAD.excludeHidden), and read marks may move back
// (READ_MARK.forwardOnly).
vi.mock("../src/domain/unread.js", async (importOriginal) => {
  const original = await importOriginal<typeof UnreadModule>();
  return { ...original, UNREAD: { ...original.UNREAD, excludeHidden: false }, READ_MARK: { forwardOnly: false } };
});

const database = usePrismaDatabase("chat_rules", migrationsDir, (url) => createPrisma(url, 2));
const repo = () => new PrismaChatRepository(database.prisma);

const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const conversation = () => repo().createConversation({ orderId: randomUUID(), customerId: randomUUID(), providerId: randomUUID() });

test("the unread criteria changed in the domain change the Prisma repository's counts: hidden messages count", async () => {
  const c = await conversation();
  for (const ms of [10, 20]) await database.prisma.message.create({ data: { conversationId: c.id, senderId: c.providerId, body: "m", createdAt: at(ms) } });
  const [hidden] = await database.prisma.message.findMany({ where: { conversationId: c.id }, orderBy: { createdAt: "asc" } });
  await repo().hideMessage(hidden!.id, { actorId: randomUUID(), reason: "spam", at: at(30) });
  // With the stock criteria this is 1 (chat-repository.contract.test.ts, hideMessage: hidden messages leave unread counts).
  expect(await repo().unreadCounts(c.customerId, [c.id])).toEqual(new Map([[c.id, 2]]));
});

test("the read-mark rule changed in the domain changes the Prisma repository's upsert: a mark set ahead moves back", async () => {
  const c = await conversation();
  await database.prisma.message.create({ data: { conversationId: c.id, senderId: c.providerId, body: "m", createdAt: at(10) } });
  await database.prisma.readMark.create({ data: { conversationId: c.id, userId: c.customerId, lastReadAt: at(100) } });
  await repo().markRead(c.id, c.customerId);
  // With the stock rule the mark stays at 100 (chat-repository.test.ts: "marks never go back").
  const mark = await database.prisma.readMark.findUniqueOrThrow({ where: { conversationId_userId: { conversationId: c.id, userId: c.customerId } } });
  expect(mark.lastReadAt).toEqual(at(10));
});

import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ErrorCode } from "@fixup/platform";
import { MAX_BODY_LENGTH } from "../domain/message-body.js";
import { ChatService, type Actor } from "./chat-service.js";
import { actor, chatServiceHarness } from "../../test/chat-service-harness.js";
import { FakeChatRepository } from "../../test/fake-chat-repository.js";
import { appError } from "@fixup/platform/testing";

/** The order's customer. */
const customer = actor("CUSTOMER");
/** Offered on the order; has a conversation with the customer in every scenario. */
const provider = actor("PROVIDER");
/** Offered on the order too; has their own conversation with the customer. */
const rival = actor("PROVIDER");
/** A provider without an offer on the order. */
const watcher = actor("PROVIDER");
const stranger = actor("CUSTOMER");
/** Admins get no special access to private chats. */
const admin = actor("ADMIN");
const ACTORS = { customer, provider, rival, watcher, stranger, admin };
type ActorName = keyof typeof ACTORS;

async function setup() {
  const harness = await chatServiceHarness(customer, [provider, rival]);
  const { service, loaders, start, send, published } = harness;
  const unread = async (by: Actor, conversationId: string) =>
    service.unreadCountOf(by, await service.getConversation(by, conversationId, loaders(by)), loaders(by));
  const markRead = (by: Actor, conversationId: string) => service.markRead(by, conversationId, loaders(by));
  const conversation = await start(customer, provider.userId);
  const rivalConversation = await start(rival);
  const message = await send(provider, conversation.id, "first");
  published.length = 0;
  return { ...harness, unread, markRead, conversation, rivalConversation, message };
}

describe("authorization: only the two participants, NOT_FOUND for everyone else", () => {
  type Setup = Awaited<ReturnType<typeof setup>>;
  const operations: Record<string, (s: Setup, a: Actor) => Promise<unknown>> = {
    conversation: (s, a) => s.service.getConversation(a, s.conversation.id, s.loaders(a)),
    message: (s, a) => s.service.getMessage(a, s.message.id, s.loaders(a)),
    sendMessage: (s, a) => s.send(a, s.conversation.id),
    markRead: (s, a) => s.markRead(a, s.conversation.id),
    messageAdded: (s, a) => s.service.authorizeMessageFeed(a, s.conversation.id, s.loaders(a)),
    messages: (s, a) => s.service.messagesOf(a, s.conversation, {}),
    lastMessage: (s, a) => s.service.lastMessageOf(a, s.conversation, s.loaders(a)),
    unreadCount: (s, a) => s.service.unreadCountOf(a, s.conversation, s.loaders(a)),
  };
  const cases = Object.keys(operations).flatMap((operation) =>
    (Object.keys(ACTORS) as ActorName[]).map((who) => ({ operation, who, allowed: who === "customer" || who === "provider" })),
  );

  test.each(cases)("$operation by $who → allowed=$allowed", async ({ operation, who, allowed }) => {
    const s = await setup();
    const run = operations[operation]!(s, ACTORS[who]);
    if (allowed) await expect(run).resolves.toBeDefined();
    else expect((await appError(run)).code).toBe(ErrorCode.NOT_FOUND);
  });

  test.each([
    { who: "customer", sees: ["provider", "rival"] },
    { who: "provider", sees: ["provider"] },
    { who: "rival", sees: ["rival"] },
    { who: "watcher", sees: [] },
    { who: "stranger", sees: [] },
    { who: "admin", sees: [] },
  ] as Array<{ who: ActorName; sees: ActorName[] }>)("Order.conversations for $who → conversations with $sees", async ({ who, sees }) => {
    const s = await setup();
    const list = await s.service.conversationsOfOrder(s.orderId, s.loaders(ACTORS[who]));
    expect(list.map((c) => c.providerId).sort()).toEqual(sees.map((n) => ACTORS[n].userId).sort());
  });

  test("unknown and malformed ids: NOT_FOUND for a well-formed id, BAD_USER_INPUT naming the field otherwise", async () => {
    const s = await setup();
    expect((await appError(s.service.getConversation(customer, randomUUID(), s.loaders(customer)))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await appError(s.service.getMessage(customer, randomUUID(), s.loaders(customer)))).code).toBe(ErrorCode.NOT_FOUND);
    const bad = await appError(s.service.getConversation(customer, "nope", s.loaders(customer)));
    expect(bad.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(bad.fields).toEqual({ id: "must be a valid conversation id" });
    expect((await appError(s.markRead(customer, "nope"))).fields).toEqual({ conversationId: "must be a valid conversation id" });
  });

  test("federation references: null (not an error) for non-participants and anonymous callers", async () => {
    const s = await setup();
    expect(await s.service.visibleConversation(customer, s.conversation.id, s.loaders(customer))).toMatchObject({ id: s.conversation.id });
    expect(await s.service.visibleConversation(rival, s.conversation.id, s.loaders(rival))).toBeNull();
    expect(await s.service.visibleConversation(null, s.conversation.id, s.loaders(customer))).toBeNull();
    expect(await s.service.visibleMessage(provider, s.message.id, s.loaders(provider))).toMatchObject({ id: s.message.id });
    expect(await s.service.visibleMessage(stranger, s.message.id, s.loaders(stranger))).toBeNull();
  });
});

describe("startConversation", () => {
  test.each([
    { case: "customer names an offering provider", by: "customer", providerId: "provider", result: "provider" },
    { case: "offering provider names nobody", by: "provider", providerId: null, result: "provider" },
    { case: "offering provider names themself", by: "rival", providerId: "rival", result: "rival" },
    { case: "customer names nobody", by: "customer", providerId: null, code: "BAD_USER_INPUT", fields: { providerId: "is required when the customer starts a conversation" } },
    { case: "customer names a provider without an offer", by: "customer", providerId: "watcher", code: "BAD_USER_INPUT", fields: { providerId: "has no offer on this order" } },
    { case: "provider names another provider", by: "provider", providerId: "rival", code: "FORBIDDEN" },
    { case: "provider without an offer", by: "watcher", providerId: null, code: "NOT_FOUND" },
    { case: "stranger", by: "stranger", providerId: "provider", code: "NOT_FOUND" },
    { case: "admin", by: "admin", providerId: "provider", code: "NOT_FOUND" },
  ] as Array<{ case: string; by: ActorName; providerId: ActorName | null; result?: ActorName; code?: string; fields?: Record<string, string> }>)(
    "$case",
    async ({ by, providerId, result, code, fields }) => {
      const s = await setup();
      const run = s.start(ACTORS[by], providerId ? ACTORS[providerId].userId : null);
      if (result) {
        await expect(run).resolves.toMatchObject({ orderId: s.orderId, customerId: customer.userId, providerId: ACTORS[result].userId });
      } else {
        const error = await appError(run);
        expect(error.code).toBe(code);
        if (fields) expect(error.fields).toEqual(fields);
      }
    },
  );

  test("an order chat has not heard of is NOT_FOUND, also for its would-be customer", async () => {
    const s = await setup();
    expect((await appError(s.start(customer, provider.userId, randomUUID()))).code).toBe(ErrorCode.NOT_FOUND);
  });

  test("idempotent per (order, provider): whoever starts it, the same conversation comes back", async () => {
    const s = await setup();
    const again = await s.start(customer, provider.userId);
    const byProvider = await s.start(provider);
    expect(again.id).toBe(s.conversation.id);
    expect(byProvider.id).toBe(s.conversation.id);
    expect(s.repo.conversations.size).toBe(2);
  });

  test.each([
    { input: { orderId: "x" }, fields: { orderId: "must be a valid order id" } },
    { input: { providerId: randomUUID() }, fields: { orderId: "is required" } },
    { input: { orderId: randomUUID(), providerId: "x" }, fields: { providerId: "must be a valid user id" } },
  ])("invalid input $input → BAD_USER_INPUT $fields", async ({ input, fields }) => {
    const s = await setup();
    const error = await appError(s.service.startConversation(customer, input));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual(fields);
  });
});

describe("sendMessage", () => {
  test("stores the trimmed body, publishes the message once after it is saved", async () => {
    const s = await setup();
    const message = await s.send(customer, s.conversation.id, "  Hi there!\n");
    expect(message).toMatchObject({ conversationId: s.conversation.id, senderId: customer.userId, body: "Hi there!" });
    expect(s.repo.messages.get(message.id)?.body).toBe("Hi there!");
    expect(s.published).toEqual([message]);
  });

  test.each([
    { case: "empty", body: "", problem: "must not be empty" },
    { case: "whitespace only", body: " \n\t ", problem: "must not be empty" },
    { case: "too long", body: "x".repeat(MAX_BODY_LENGTH + 1), problem: "must be at most 4000 characters" },
  ])("$case body → BAD_USER_INPUT fields.body, nothing saved or published", async ({ body, problem }) => {
    const s = await setup();
    const before = s.repo.messages.size;
    const error = await appError(s.send(customer, s.conversation.id, body));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual({ body: problem });
    expect(s.repo.messages.size).toBe(before);
    expect(s.published).toEqual([]);
  });

  test("a non-participant learns nothing and nothing is published", async () => {
    const s = await setup();
    expect((await appError(s.send(rival, s.conversation.id))).code).toBe(ErrorCode.NOT_FOUND);
    expect(s.published).toEqual([]);
  });

  test("moves the conversation to the top of myConversations", async () => {
    const s = await setup();
    const first = await s.service.myConversations(customer, {});
    expect(first.edges.map((e) => e.node.id)).toEqual([s.conversation.id, s.rivalConversation.id]);
    await s.send(rival, s.rivalConversation.id);
    const after = await s.service.myConversations(customer, {});
    expect(after.edges.map((e) => e.node.id)).toEqual([s.rivalConversation.id, s.conversation.id]);
    expect(after.totalCount).toBe(2);
  });
});

describe("unreadCount and markRead", () => {
  test("others' messages count until marked read; own messages never count; replying marks read", async () => {
    const s = await setup();
    const id = s.conversation.id;
    // setup: provider sent "first"
    expect(await s.unread(customer, id)).toBe(1);
    expect(await s.unread(provider, id)).toBe(0);

    await s.send(provider, id, "second");
    expect(await s.unread(customer, id)).toBe(2);

    await s.markRead(customer, id);
    expect(await s.unread(customer, id)).toBe(0);
    expect(await s.unread(provider, id)).toBe(0);

    await s.send(provider, id, "third");
    expect(await s.unread(customer, id)).toBe(1);
    await s.send(customer, id, "reply");
    expect(await s.unread(customer, id)).toBe(0); // replying reads what came before
    expect(await s.unread(provider, id)).toBe(1);

    await s.markRead(provider, id);
    await s.markRead(provider, id); // repeatable
    expect(await s.unread(provider, id)).toBe(0);
  });

  test("markRead on a conversation without messages sets no mark; later messages are unread", async () => {
    const s = await setup();
    const empty = s.rivalConversation.id;
    await s.markRead(customer, empty);
    expect(s.repo.readMarks.has(`${empty}:${customer.userId}`)).toBe(false);
    await s.send(rival, empty);
    expect(await s.unread(customer, empty)).toBe(1);
  });

  test("markRead returns the conversation and a later unreadCount in the same request is fresh", async () => {
    const s = await setup();
    const loaders = s.loaders(customer);
    const conversation = await s.service.getConversation(customer, s.conversation.id, loaders);
    expect(await s.service.unreadCountOf(customer, conversation, loaders)).toBe(1);
    const marked = await s.service.markRead(customer, conversation.id, loaders);
    expect(marked.id).toBe(conversation.id);
    expect(await s.service.unreadCountOf(customer, marked, loaders)).toBe(0);
  });
});

describe("reads", () => {
  test("messages: newest first, `before` continues with older ones; lastMessage is the newest", async () => {
    const s = await setup();
    for (const body of ["2", "3", "4", "5"]) await s.send(customer, s.conversation.id, body);
    const page1 = await s.service.messagesOf(customer, s.conversation, { first: 2 });
    expect(page1.edges.map((e) => e.node.body)).toEqual(["5", "4"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.totalCount).toBe(5);
    const page2 = await s.service.messagesOf(customer, s.conversation, { first: 2, before: page1.pageInfo.endCursor });
    expect(page2.edges.map((e) => e.node.body)).toEqual(["3", "2"]);
    const page3 = await s.service.messagesOf(customer, s.conversation, { first: 2, before: page2.pageInfo.endCursor });
    expect(page3.edges.map((e) => e.node.body)).toEqual(["first"]);
    expect(page3.pageInfo.hasNextPage).toBe(false);
    expect((await s.service.lastMessageOf(provider, s.conversation, s.loaders(provider)))?.body).toBe("5");
    expect(await s.service.lastMessageOf(customer, s.rivalConversation, s.loaders(customer))).toBeNull();
  });

  test.each([
    { args: { before: "garbage" }, fields: { before: "is not a valid cursor" } },
    { args: { first: -1 }, fields: { first: "must be between 0 and 100" } },
    { args: { first: 101 }, fields: { first: "must be between 0 and 100" } },
  ])("messages($args) → BAD_USER_INPUT $fields", async ({ args, fields }) => {
    const s = await setup();
    const error = await appError(s.service.messagesOf(customer, s.conversation, args));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.fields).toEqual(fields);
  });

  test("loaders batch: many conversations, messages, last messages and unread counts cost one repository call each", async () => {
    const s = await setup();
    const loaders = s.loaders(customer);
    s.repo.calls.length = 0;
    const ids = [s.conversation.id, s.rivalConversation.id, randomUUID()];
    const conversations = await Promise.all(ids.map((id) => loaders.conversation.load(id)));
    expect(conversations.map((c) => c?.id ?? null)).toEqual([ids[0], ids[1], null]);
    const mine = conversations.filter((c) => c !== null);
    await Promise.all(mine.map((c) => s.service.unreadCountOf(customer, c, loaders)));
    await Promise.all(mine.map((c) => s.service.lastMessageOf(customer, c, loaders)));
    await Promise.all([s.orderId, randomUUID()].map((id) => s.service.conversationsOfOrder(id, loaders)));
    await Promise.all([s.message.id, randomUUID()].map((id) => s.service.visibleMessage(customer, id, loaders)));
    expect(s.repo.calls.map((c) => `${c.method}:${c.keys.length}`)).toEqual([
      "findConversations:3",
      "unreadCounts:2",
      "lastMessages:2",
      "conversationsOfOrders:2",
      "findMessages:2",
    ]);
  });
});

describe("read-your-writes: orders' facts still in flight", () => {
  /** Chat whose next orders event (an order, an offer) is applied only when the service catches up. */
  function lagging() {
    const repo = new FakeChatRepository();
    const inFlight: Array<() => Promise<unknown>> = [];
    let catchUps = 0;
    const service = new ChatService(repo, undefined, {
      caughtUp: async () => {
        catchUps++;
        for (const apply of inFlight.splice(0)) await apply();
        return true;
      },
    });
    return { repo, service, inFlight, catchUps: () => catchUps };
  }

  test("startConversation right after submitOffer: the offer is caught up, not refused", async () => {
    const { repo, service, inFlight } = lagging();
    const orderId = randomUUID();
    await repo.apply(randomUUID(), { kind: "customer", orderId, customerId: customer.userId });
    inFlight.push(() => repo.apply(randomUUID(), { kind: "provider", orderId, customerId: customer.userId, providerId: provider.userId }));
    const conversation = await service.startConversation(customer, { orderId, providerId: provider.userId });
    expect(conversation.providerId).toBe(provider.userId);
  });

  test("a provider's first words right after their offer on a brand-new order", async () => {
    const { repo, service, inFlight } = lagging();
    const orderId = randomUUID();
    inFlight.push(async () => {
      await repo.apply(randomUUID(), { kind: "customer", orderId, customerId: customer.userId });
      await repo.apply(randomUUID(), { kind: "provider", orderId, customerId: customer.userId, providerId: provider.userId });
    });
    const conversation = await service.startConversation(provider, { orderId });
    expect(conversation.customerId).toBe(customer.userId);
  });

  test("someone who really has no offer is still refused, after one catch-up; a missing providerId needs none", async () => {
    const { repo, service, catchUps } = lagging();
    const orderId = randomUUID();
    await repo.apply(randomUUID(), { kind: "customer", orderId, customerId: customer.userId });
    expect((await appError(service.startConversation(customer, { orderId, providerId: watcher.userId }))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(catchUps()).toBe(1);
    expect((await appError(service.startConversation(customer, { orderId }))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(catchUps()).toBe(1);
  });
});

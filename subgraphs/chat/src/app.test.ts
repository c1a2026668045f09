// The chat subgraph end to end: real Postgres, a tiny local JWKS server standing in for the users service, orders'
// events on an in-process bus, HTTP for queries and mutations, graphql-ws for messageAdded.
import { randomUUID } from "node:crypto";
import { createClient, type Client } from "graphql-ws";
import { generateKeyPair, type CryptoKey } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import {
  createLogger,
  eventStream,
  memoryEventBus,
  memoryPubSub,
  WS_UNAUTHORIZED,
  type EventBus,
  type PubSub,
  type Role,
  type RunningServer,
} from "@fixup/platform";
import { createTestDatabase, startTestIssuer, type TestDatabase, type TestIssuer } from "@fixup/platform/testing";
import { migrationsDir, startChatService } from "./app.js";
import { loadChatConfig } from "./config.js";

let db: TestDatabase;
let issuer: TestIssuer;
let server: RunningServer;
let bus: EventBus;
let pubsub: PubSub;
/** Topics with a live subscriber, so a test knows when a message sent now will be delivered. */
const subscribedTopics: string[] = [];
const queries: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  const usersUrl = issuer.usersUrl;

  db = await createTestDatabase("chat_app", migrationsDir);
  const logger = createLogger("chat-test", "silent");
  bus = memoryEventBus(logger);
  const inner = memoryPubSub();
  pubsub = {
    publish: (topic, payload) => inner.publish(topic, payload),
    subscribe: async (topic) => {
      const iterator = await inner.subscribe(topic);
      subscribedTopics.push(topic);
      return iterator;
    },
    close: () => inner.close(),
  };
  server = await startChatService(
    loadChatConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", CHAT_PORT: "0", CHAT_DATABASE_URL: db.url, USERS_URL: usersUrl }),
    { logger, bus, pubsub, redis: null, onQuery: (sql) => queries.push(sql) },
  );
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await server?.close();
  await bus?.close();
  await pubsub?.close();
  await issuer?.close();
  await db?.drop();
});

beforeEach(() => {
  queries.length = 0;
});

const token = (sub: string, roles: Role[] = ["CUSTOMER"], key?: CryptoKey) => issuer.token({ sub, roles, key });

interface GqlError {
  message: string;
  extensions?: { code?: string; fields?: Record<string, string> };
}
interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
}

async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, bearer?: string): Promise<GraphQLResult<T>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResult<T>, "status">) };
}

async function ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, bearer: string): Promise<T> {
  const res = await gql<T>(query, variables, bearer);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const codeOf = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions?.code;

const START = `mutation S($orderId: ID!, $providerId: ID) {
  startConversation(orderId: $orderId, providerId: $providerId) { id order { id } customer { id } provider { id } unreadCount lastMessage { id } }
}`;
const SEND = `mutation M($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id body createdAt sender { id } conversation { id } } }`;
const CONVERSATION = `query C($id: ID!, $first: Int, $before: String) {
  conversation(id: $id) {
    id unreadCount lastMessage { id body }
    messages(first: $first, before: $before) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id body sender { id } } } }
  }
}`;
const MARK_READ = `mutation R($id: ID!) { markRead(conversationId: $id) { id unreadCount } }`;
const MESSAGE = `query Q($id: ID!) { message(id: $id) { id body conversation { id } } }`;
const MINE = `query My($first: Int, $after: String) {
  myConversations(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id provider { id } } } }
}`;
const ENTITIES = `query E($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Conversation { id unreadCount }
    ... on Message { id body }
    ... on Order { id conversations { id provider { id } } }
  }
}`;

interface Party {
  id: string;
  token: string;
}
const party = async (roles: Role[]): Promise<Party> => {
  const id = randomUUID();
  return { id, token: await token(id, roles) };
};

/** A fresh order known to chat through orders' events: a customer and two offering providers. */
async function orderScenario() {
  const [customer, provider, rival, stranger] = [
    await party(["CUSTOMER"]),
    await party(["PROVIDER"]),
    await party(["PROVIDER"]),
    await party(["CUSTOMER", "PROVIDER"]),
  ];
  const orderId = randomUUID();
  const publish = (type: string, payload: Record<string, string>) =>
    bus.publish(eventStream("orders"), { id: randomUUID(), type, source: "orders", occurredAt: new Date().toISOString(), payload });
  await publish("OrderCreated", { orderId, customerId: customer.id, serviceId: randomUUID() });
  for (const p of [provider, rival]) await publish("OfferSubmitted", { offerId: randomUUID(), orderId, providerId: p.id, customerId: customer.id });
  // The consumer applies events asynchronously: wait until the last provider can start their conversation (which opens
  // the rival's conversation with the customer as a side effect).
  await vi.waitFor(async () => expect((await gql(START, { orderId }, rival.token)).errors).toBeUndefined(), { timeout: 5_000 });
  return { orderId, customer, provider, rival, stranger };
}

type StartResult = { startConversation: { id: string; order: { id: string }; customer: { id: string }; provider: { id: string }; unreadCount: number; lastMessage: null | { id: string } } };
type SendResult = { sendMessage: { id: string; body: string; createdAt: string; sender: { id: string }; conversation: { id: string } } };
type ConversationResult = {
  conversation: {
    id: string;
    unreadCount: number;
    lastMessage: { id: string; body: string } | null;
    messages: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { id: string; body: string; sender: { id: string } } }> };
  };
};

describe("over HTTP", () => {
  test("startConversation: the customer names a provider, the provider omits it: one conversation per (order, provider)", async () => {
    const { orderId, customer, provider, rival } = await orderScenario();
    const byCustomer = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;
    expect(byCustomer).toMatchObject({ order: { id: orderId }, customer: { id: customer.id }, provider: { id: provider.id }, unreadCount: 0, lastMessage: null });
    const byProvider = (await ok<StartResult>(START, { orderId }, provider.token)).startConversation;
    expect(byProvider.id).toBe(byCustomer.id);
    const rivals = (await ok<StartResult>(START, { orderId }, rival.token)).startConversation;
    expect(rivals.id).not.toBe(byCustomer.id);

    const noProvider = await gql(START, { orderId }, customer.token);
    expect(codeOf(noProvider)).toBe("BAD_USER_INPUT");
    expect(noProvider.errors?.[0]?.extensions?.fields).toEqual({ providerId: "is required when the customer starts a conversation" });
    expect(codeOf(await gql(START, { orderId, providerId: rival.id }, provider.token))).toBe("FORBIDDEN");
  });

  test("messages both ways, newest first with `before` cursors; unreadCount and markRead per participant", async () => {
    const { orderId, customer, provider } = await orderScenario();
    const { id } = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;

    const hello = (await ok<SendResult>(SEND, { id, body: "  Hello, can you come Monday?  " }, customer.token)).sendMessage;
    expect(hello).toMatchObject({ body: "Hello, can you come Monday?", sender: { id: customer.id }, conversation: { id } });
    await ok(SEND, { id, body: "Yes, at 9." }, provider.token);
    await ok(SEND, { id, body: "Bring a ladder." }, provider.token);

    const asCustomer = (await ok<ConversationResult>(CONVERSATION, { id, first: 2 }, customer.token)).conversation;
    expect(asCustomer.unreadCount).toBe(2);
    expect(asCustomer.lastMessage?.body).toBe("Bring a ladder.");
    expect(asCustomer.messages.totalCount).toBe(3);
    expect(asCustomer.messages.edges.map((e) => e.node.body)).toEqual(["Bring a ladder.", "Yes, at 9."]);
    expect(asCustomer.messages.pageInfo.hasNextPage).toBe(true);
    const older = (await ok<ConversationResult>(CONVERSATION, { id, first: 2, before: asCustomer.messages.pageInfo.endCursor }, customer.token)).conversation;
    expect(older.messages.edges.map((e) => ({ body: e.node.body, sender: e.node.sender.id }))).toEqual([{ body: hello.body, sender: customer.id }]);
    expect(older.messages.pageInfo.hasNextPage).toBe(false);

    // Replying marked the provider's view read; the customer has two unread until markRead.
    expect((await ok<ConversationResult>(CONVERSATION, { id }, provider.token)).conversation.unreadCount).toBe(0);
    expect((await ok<{ markRead: { id: string; unreadCount: number } }>(MARK_READ, { id }, customer.token)).markRead).toEqual({ id, unreadCount: 0 });
    expect((await ok<ConversationResult>(CONVERSATION, { id }, customer.token)).conversation.unreadCount).toBe(0);
    await ok(SEND, { id, body: "Thanks!" }, customer.token);
    expect((await ok<ConversationResult>(CONVERSATION, { id }, provider.token)).conversation.unreadCount).toBe(1);

    const message = (await ok<{ message: { id: string; body: string; conversation: { id: string } } }>(MESSAGE, { id: hello.id }, provider.token)).message;
    expect(message).toEqual({ id: hello.id, body: hello.body, conversation: { id } });

    const mine = (await ok<{ myConversations: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(MINE, {}, provider.token)).myConversations;
    expect(mine.edges.map((e) => e.node.id)).toEqual([id]);
  });

  test.each([
    { case: "empty", body: "", problem: "must not be empty" },
    { case: "blank", body: " \n\t ", problem: "must not be empty" },
    { case: "4001 characters", body: "x".repeat(4001), problem: "must be at most 4000 characters" },
  ])("sendMessage with a $case body → BAD_USER_INPUT fields.body", async ({ body, problem }) => {
    const { orderId, customer, provider } = await orderScenario();
    const { id } = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;
    const res = await gql(SEND, { id, body }, customer.token);
    expect(codeOf(res)).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.extensions?.fields).toEqual({ body: problem });
  });

  test("a third user gets NOT_FOUND everywhere, exactly as for ids that do not exist", async () => {
    const { orderId, customer, provider, rival, stranger } = await orderScenario();
    const { id } = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;
    const sent = (await ok<SendResult>(SEND, { id, body: "private" }, customer.token)).sendMessage;

    for (const outsider of [stranger, rival]) {
      for (const [query, variables] of [
        [CONVERSATION, { id }],
        [CONVERSATION, { id: randomUUID() }],
        [SEND, { id, body: "hi" }],
        [MARK_READ, { id }],
        [MESSAGE, { id: sent.id }],
      ] as const) {
        const res = await gql(query, variables, outsider.token);
        expect(codeOf(res), `${query.slice(0, 30)} as ${outsider === rival ? "rival" : "stranger"}`).toBe("NOT_FOUND");
        expect(JSON.stringify(res.data ?? null)).not.toContain("private");
      }
    }
    expect(codeOf(await gql(START, { orderId, providerId: provider.id }, stranger.token))).toBe("NOT_FOUND");
    expect(codeOf(await gql(START, { orderId: randomUUID(), providerId: provider.id }, customer.token))).toBe("NOT_FOUND");
    expect((await ok<{ myConversations: { totalCount: number } }>(MINE, {}, stranger.token)).myConversations.totalCount).toBe(0);
    // The rival has their own conversation on the order (opened while waiting for the events), never the other one.
    const rivals = (await ok<{ myConversations: { edges: Array<{ node: { id: string; provider: { id: string } } }> } }>(MINE, {}, rival.token))
      .myConversations.edges;
    expect(rivals.map((e) => e.node.provider.id)).toEqual([rival.id]);
    expect(rivals.map((e) => e.node.id)).not.toContain(id);
  });

  test("without a token: UNAUTHENTICATED", async () => {
    expect(codeOf(await gql(MINE, {}))).toBe("UNAUTHENTICATED");
    expect(codeOf(await gql(MINE, {}, "not-a-jwt"))).toBe("UNAUTHENTICATED");
  });

  test("federation: Conversation, Message and Order references resolve per viewer, one SQL statement per batch", async () => {
    const s1 = await orderScenario();
    const s2 = await orderScenario();
    const customer = s1.customer;
    const c1 = (await ok<StartResult>(START, { orderId: s1.orderId, providerId: s1.provider.id }, customer.token)).startConversation;
    const c2 = (await ok<StartResult>(START, { orderId: s1.orderId, providerId: s1.rival.id }, customer.token)).startConversation;
    const foreign = (await ok<StartResult>(START, { orderId: s2.orderId, providerId: s2.provider.id }, s2.customer.token)).startConversation;
    const m1 = (await ok<SendResult>(SEND, { id: c1.id, body: "one" }, s1.provider.token)).sendMessage;
    const m2 = (await ok<SendResult>(SEND, { id: c2.id, body: "two" }, s1.rival.token)).sendMessage;
    const mForeign = (await ok<SendResult>(SEND, { id: foreign.id, body: "secret" }, s2.customer.token)).sendMessage;

    queries.length = 0;
    const conversations = await ok<{ _entities: Array<{ id: string; unreadCount: number } | null> }>(
      `query E($representations: [_Any!]!) { _entities(representations: $representations) { ... on Conversation { id } } }`,
      { representations: [c1, c2, foreign, { id: "junk" }].map((c) => ({ __typename: "Conversation", id: c.id })) },
      customer.token,
    );
    expect(conversations._entities).toEqual([{ id: c1.id }, { id: c2.id }, null, null]);
    expect(queries).toHaveLength(1);

    queries.length = 0;
    const messages = await ok<{ _entities: Array<{ id: string; body: string } | null> }>(
      ENTITIES,
      { representations: [m1, m2, mForeign].map((m) => ({ __typename: "Message", id: m.id })) },
      customer.token,
    );
    expect(messages._entities).toEqual([{ id: m1.id, body: "one" }, { id: m2.id, body: "two" }, null]);
    expect(queries).toHaveLength(2); // the messages, then their conversations (for the participant check)

    queries.length = 0;
    const orders = await ok<{ _entities: Array<{ id: string; conversations: Array<{ id: string; provider: { id: string } }> }> }>(
      ENTITIES,
      { representations: [s1.orderId, s2.orderId, randomUUID()].map((id) => ({ __typename: "Order", id })) },
      s1.provider.token,
    );
    expect(orders._entities).toEqual([
      { id: s1.orderId, conversations: [{ id: c1.id, provider: { id: s1.provider.id } }] },
      { id: s2.orderId, conversations: [] },
      { id: expect.any(String), conversations: [] },
    ]);
    expect(queries).toHaveLength(1);

    queries.length = 0;
    const withUnread = await ok<{ _entities: Array<{ id: string; unreadCount: number }> }>(
      ENTITIES,
      { representations: [c1, c2].map((c) => ({ __typename: "Conversation", id: c.id })) },
      customer.token,
    );
    expect(withUnread._entities).toEqual([{ id: c1.id, unreadCount: 1 }, { id: c2.id, unreadCount: 1 }]);
    expect(queries).toHaveLength(2); // conversations, then all unread counts at once
  });
});

describe("over graphql-ws", () => {
  const wsUrl = () => `${server.url.replace(/^http/, "ws")}/graphql`;
  const client = (bearer: string) => {
    const c = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0, lazy: true });
    clients.push(c);
    return c;
  };
  const SUBSCRIBE = `subscription S($id: ID!) { messageAdded(conversationId: $id) { id body sender { id } conversation { id unreadCount } } }`;

  test("messageAdded delivers a message sent afterwards to a participant", async () => {
    const { orderId, customer, provider } = await orderScenario();
    const { id } = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;
    await ok(SEND, { id, body: "before subscribing" }, provider.token);

    const received: unknown[] = [];
    const errors: unknown[] = [];
    const topic = `chat:messageAdded:${id}`;
    const already = subscribedTopics.filter((t) => t === topic).length;
    client(customer.token).subscribe(
      { query: SUBSCRIBE, variables: { id } },
      { next: (value) => void received.push(value), error: (e) => void errors.push(e), complete: () => undefined },
    );
    await vi.waitFor(() => expect(subscribedTopics.filter((t) => t === topic).length).toBeGreaterThan(already), { timeout: 5_000 });

    const sent = (await ok<SendResult>(SEND, { id, body: "live!" }, provider.token)).sendMessage;
    const event = await vi.waitFor(() => received[0] ?? expect.fail("no event yet"), { timeout: 5_000 });
    expect(event).toEqual({
      data: { messageAdded: { id: sent.id, body: "live!", sender: { id: provider.id }, conversation: { id, unreadCount: 2 } } },
    });
    expect(errors).toEqual([]);
  });

  test("a non-participant's subscription errors with NOT_FOUND", async () => {
    const { orderId, customer, provider, stranger } = await orderScenario();
    const { id } = (await ok<StartResult>(START, { orderId, providerId: provider.id }, customer.token)).startConversation;
    const outcome = await new Promise<unknown>((resolve) => {
      client(stranger.token).subscribe(
        { query: SUBSCRIBE, variables: { id } },
        { next: (value) => resolve({ next: value }), error: (e) => resolve({ error: e }), complete: () => resolve("complete") },
      );
    });
    const errors = (outcome as { error?: Array<{ extensions?: { code?: string } }>; next?: { errors?: Array<{ extensions?: { code?: string } }> } });
    const list = errors.error ?? errors.next?.errors ?? [];
    expect(list[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  test("a bad token closes the socket with 4401", async () => {
    const { publicKey: _unused, privateKey: otherKey } = await generateKeyPair("ES256");
    for (const bearer of ["garbage", await token(randomUUID(), ["CUSTOMER"], otherKey)]) {
      const closed = await new Promise<unknown>((resolve) => {
        client(bearer).subscribe(
          { query: SUBSCRIBE, variables: { id: randomUUID() } },
          { next: () => resolve("next"), error: (e) => resolve(e), complete: () => resolve("complete") },
        );
      });
      expect((closed as { code?: number }).code).toBe(WS_UNAUTHORIZED);
    }
  });
});

import { describe, expect, test } from "vitest";
import { gql, gqlOk, type TestUser } from "../support/federation.js";
import { liveSubscriptions, subscribe, untilLive, wsClient, useLiveFederation } from "../support/live.js";
import { orderWithConversation } from "../support/marketplace.js";

const stack = useLiveFederation();

const clientFor = (user: TestUser) => {
  const client = wsClient(stack.fed.gatewayUrl, user.token);
  stack.track(client);
  return client;
};
const send = (user: TestUser, conversationId: string, body: string) =>
  gqlOk<{ sendMessage: { id: string } }>(
    stack.fed.gatewayUrl,
    "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id body } }",
    { c: conversationId, b: body },
    user.token,
  );

const MESSAGE_ADDED = `subscription($c: ID!) {
  messageAdded(conversationId: $c) {
    body
    sender { name avatarUrl }
    conversation { order { title service { name } } }
  }
}`;

interface MessageEvent {
  messageAdded: { body: string; sender: { name: string; avatarUrl: string | null }; conversation: { order: { title: string; service: { name: string } } } };
}

describe("chat through the gateway", () => {
  test("live both ways with fields from users, orders and catalog; unreadCount and markRead", async () => {
    const { customer, provider, conversationId } = await orderWithConversation(stack.fed.gatewayUrl);
    const liveBefore = await liveSubscriptions(stack.fed.chatUrls);
    const customerFeed = subscribe<MessageEvent>(clientFor(customer), MESSAGE_ADDED, { c: conversationId });
    const providerFeed = subscribe<MessageEvent>(clientFor(provider), MESSAGE_ADDED, { c: conversationId });
    await untilLive(stack.fed.chatUrls, liveBefore + 2);

    await send(provider, conversationId, "  I can come at 9  ");
    for (const feed of [customerFeed, providerFeed]) {
      const event = await feed.next();
      expect(event.errors).toBeUndefined();
      expect(event.data?.messageAdded).toEqual({
        body: "I can come at 9",
        sender: { name: "Chat Provider", avatarUrl: null },
        conversation: { order: { title: "Fix the boiler", service: { name: "Plumbing" } } },
      });
    }
    const before = await gqlOk<{ conversation: { unreadCount: number } }>(
      stack.fed.gatewayUrl, "query($c: ID!) { conversation(id: $c) { unreadCount } }", { c: conversationId }, customer.token,
    );
    expect(before.conversation.unreadCount).toBe(1);
    await send(customer, conversationId, "Perfect, see you");
    expect((await providerFeed.next()).data?.messageAdded.sender.name).toBe("Chat Customer");
    expect((await customerFeed.next()).data?.messageAdded.body).toBe("Perfect, see you");

    const unread = await gqlOk<{ conversation: { unreadCount: number; lastMessage: { body: string }; messages: { edges: Array<{ node: { body: string } }> } } }>(
      stack.fed.gatewayUrl,
      "query($c: ID!) { conversation(id: $c) { unreadCount lastMessage { body } messages(first: 10) { edges { node { body } } } } }",
      { c: conversationId },
      customer.token,
    );
    expect(unread.conversation.unreadCount).toBe(0); // replying reads what came before
    expect(unread.conversation.lastMessage.body).toBe("Perfect, see you");
    expect(unread.conversation.messages.edges.map((e) => e.node.body)).toEqual(["Perfect, see you", "I can come at 9"]);
    const providerUnread = await gqlOk<{ conversation: { unreadCount: number } }>(
      stack.fed.gatewayUrl, "query($c: ID!) { conversation(id: $c) { unreadCount } }", { c: conversationId }, provider.token,
    );
    expect(providerUnread.conversation.unreadCount).toBe(1);
    const read = await gqlOk<{ markRead: { unreadCount: number } }>(
      stack.fed.gatewayUrl, "mutation($c: ID!) { markRead(conversationId: $c) { unreadCount } }", { c: conversationId }, provider.token,
    );
    expect(read.markRead.unreadCount).toBe(0);

    const orderView = await gqlOk<{ order: { conversations: Array<{ id: string; provider: { name: string } }> } }>(
      stack.fed.gatewayUrl, "query($o: ID!) { order(id: $o) { conversations { id provider { name } } } }", { o: await orderIdOf(customer, conversationId) }, customer.token,
    );
    expect(orderView.order.conversations).toEqual([{ id: conversationId, provider: { name: "Chat Provider" } }]);
  });

  test("a third user cannot subscribe or read; bad bodies are refused", async () => {
    const { customer, stranger, conversationId } = await orderWithConversation(stack.fed.gatewayUrl);
    const denied = subscribe(clientFor(stranger), MESSAGE_ADDED, { c: conversationId });
    expect((await denied.next()).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const read = await gql(stack.fed.gatewayUrl, "query($c: ID!) { conversation(id: $c) { id } }", { c: conversationId }, stranger.token);
    expect(read.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const write = await gql(stack.fed.gatewayUrl, 'mutation($c: ID!) { sendMessage(conversationId: $c, body: "hi") { id } }', { c: conversationId }, stranger.token);
    expect(write.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    for (const body of ["   ", "x".repeat(4001)]) {
      const bad = await gql(stack.fed.gatewayUrl, "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }", { c: conversationId, b: body }, customer.token);
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { body: expect.any(String) } });
    }
  });
});

async function orderIdOf(user: TestUser, conversationId: string): Promise<string> {
  const data = await gqlOk<{ conversation: { order: { id: string } } }>(
    stack.fed.gatewayUrl, "query($c: ID!) { conversation(id: $c) { order { id } } }", { c: conversationId }, user.token,
  );
  return data.conversation.order.id;
}

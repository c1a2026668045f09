import type { Client } from "graphql-ws";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { gqlOk, startFederation, type Federation, type TestUser } from "../support/federation.js";
import { liveSubscriptions, sleep, subscribe, untilLive, wsClient, type LiveSubscription } from "../support/live.js";
import { orderWithConversation } from "../support/marketplace.js";

// Two chat instances and two gateways: gateway i forwards chat to chat instance i, and live events cross instances
// only through Redis pub/sub.
let fed: Federation;
const clients: Client[] = [];
beforeAll(async () => {
  fed = await startFederation({ instances: 2 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await fed?.stop();
});

const QUERY = "subscription($c: ID!) { messageAdded(conversationId: $c) { id body sender { name } } }";
type Event = { messageAdded: { id: string; body: string; sender: { name: string } } };

const send = (gatewayUrl: string, user: TestUser, conversationId: string, body: string) =>
  gqlOk(gatewayUrl, "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }", { c: conversationId, b: body }, user.token);

test("a subscriber on gateway A receives a message sent through gateway B within 1 s", async () => {
  const [gatewayA, gatewayB] = fed.gatewayUrls as [string, string];
  const { customer, provider, conversationId } = await orderWithConversation(gatewayA);
  const client = wsClient(gatewayA, customer.token);
  clients.push(client);
  const before = await liveSubscriptions(fed.chatUrls);
  const feed = subscribe<Event>(client, QUERY, { c: conversationId });
  await untilLive(fed.chatUrls, before + 1);
  const sentAt = Date.now();
  await send(gatewayB, provider, conversationId, "via B");
  const event = await feed.next(1_000);
  expect(Date.now() - sentAt).toBeLessThan(1_000);
  expect(event.data?.messageAdded).toMatchObject({ body: "via B", sender: { name: "Chat Provider" } });
});

test("200 concurrent subscribers across both gateways each receive all 20 messages, in order, exactly once", async () => {
  const { customer, provider, conversationId } = await orderWithConversation(fed.gatewayUrl, "Busy conversation");
  const feeds: Array<LiveSubscription<Event>> = [];
  for (let i = 0; i < 200; i++) {
    const user = i % 2 ? customer : provider;
    const client = wsClient(fed.gatewayUrls[i % 2] as string, user.token);
    clients.push(client);
    feeds.push(subscribe<Event>(client, QUERY, { c: conversationId }));
  }
  // graphql-ws never acknowledges a subscription: warm up until every subscriber has seen a message, so all 200
  // are live before the 20 counted messages go out.
  const bodiesOf = (feed: LiveSubscription<Event>) => feed.received.map((r) => r.data?.messageAdded.body ?? `error: ${JSON.stringify(r.errors)}`);
  for (let w = 0; feeds.some((f) => !bodiesOf(f).some((b) => b.startsWith("warm-up"))); w++) {
    if (w > 100) throw new Error("subscribers never became live");
    await send(fed.gatewayUrl, customer, conversationId, `warm-up ${w}`);
    await sleep(100);
  }
  const bodies = Array.from({ length: 20 }, (_, i) => `message ${i + 1}`);
  for (const [i, body] of bodies.entries()) await send(fed.gatewayUrls[i % 2] as string, i % 2 ? customer : provider, conversationId, body);

  // A last message closes the count: each feed is one ordered stream, so a duplicate of any counted message would
  // arrive before it. Once every feed has it, nothing more is waited for.
  await send(fed.gatewayUrl, customer, conversationId, "the end");
  const counted = (feed: LiveSubscription<Event>) => bodiesOf(feed).filter((b) => !b.startsWith("warm-up"));
  await vi.waitFor(() => expect(feeds.filter((f) => !counted(f).includes("the end"))).toHaveLength(0), { timeout: 15_000, interval: 100 });
  for (const feed of feeds) expect(counted(feed)).toEqual([...bodies, "the end"]);
}, 60_000);

import { randomBytes } from "node:crypto";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "@fixup/platform/testing";
import { startProcesses, type RunningProcesses } from "../../scripts/processes.js";
import { gqlOk } from "../support/federation.js";
import { subscribe, untilLive, wsClient } from "../support/live.js";
import { orderWithConversation } from "../support/marketplace.js";

// The deployment shape: every service its own process (`main.ts`), real Postgres and Redis, NODE_ENV=production.
let stack: RunningProcesses;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startProcesses({
    databaseUrl: TEST_SERVER_URL,
    redisUrl: TEST_REDIS_URL,
    databasePrefix: `fixup_test_proc_${randomBytes(4).toString("hex")}`,
    quiet: true,
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
}, 60_000);

test("separate processes: order → offer → conversation → live message through the gateway; SIGTERM exits 0", async () => {
  const { customer, provider, conversationId } = await orderWithConversation(stack.gatewayUrl, "Process check");
  const client = wsClient(stack.gatewayUrl, customer.token);
  clients.push(client);
  const feed = subscribe<{ messageAdded: { body: string; sender: { name: string } } }>(
    client,
    "subscription($c: ID!) { messageAdded(conversationId: $c) { body sender { name } } }",
    { c: conversationId },
  );
  await untilLive([stack.urls.chat], 1);
  await gqlOk(
    stack.gatewayUrl,
    "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }",
    { c: conversationId, b: "from another process" },
    provider.token,
  );
  expect((await feed.next()).data?.messageAdded).toEqual({ body: "from another process", sender: { name: "Chat Provider" } });
  await feed.close();
  await Promise.all(clients.splice(0).map((c) => c.dispose()));

  const codes = await stack.stop();
  expect(codes).toEqual({ gateway: 0, users: 0, catalog: 0, orders: 0, chat: 0 });
}, 90_000);

// `npm run bench:chat [-- --subscribers 1000 --messages 50 --interval 50]`
// Starts users, catalog, orders, chat and the gateway as separate processes on the Postgres at DATABASE_URL and
// the Redis at REDIS_URL, opens N graphql-ws subscribers to one conversation through the gateway and has one
// sender post messages. Prints delivery latency percentiles, delivered messages/s and each process's peak RSS.
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { gqlOk } from "../test/support/federation.js";
import { orderWithConversation } from "../test/support/marketplace.js";
import { startProcesses } from "./processes.js";

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000" },
    messages: { type: "string", default: "50" },
    interval: { type: "string", default: "50" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const MESSAGES = Number(values.messages);
const INTERVAL_MS = Number(values.interval);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const stack = await startProcesses({
  databaseUrl: DATABASE_URL,
  redisUrl: REDIS_URL,
  databasePrefix: `fixup_bench_${Date.now().toString(36)}`,
});
const { gatewayUrl } = stack;

try {
  const { customer, provider, conversationId } = await orderWithConversation(gatewayUrl, "Benchmark");
  console.log(`federation up; opening ${SUBSCRIBERS} subscribers on ${gatewayUrl}`);

  const latencies: number[] = [];
  let delivered = 0;
  let errors = 0;
  const clients: Client[] = [];
  const done = new Promise<void>((resolve) => {
    const expected = SUBSCRIBERS * MESSAGES;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({
        url: `${gatewayUrl.replace("http", "ws")}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${(i % 2 ? customer : provider).token}` },
        retryAttempts: 0,
      });
      clients.push(client);
      client.subscribe<{ messageAdded: { body: string } }>(
        { query: "subscription($c: ID!) { messageAdded(conversationId: $c) { id body createdAt sender { name } } }", variables: { c: conversationId } },
        {
          next: (result) => {
            const sentAt = Number(result.data?.messageAdded.body.split(" ")[1]);
            if (Number.isFinite(sentAt)) latencies.push(performance.timeOrigin + performance.now() - sentAt);
            if (++delivered === expected) resolve();
          },
          error: () => {
            errors++;
          },
          complete: () => undefined,
        },
      );
    }
  });
  await new Promise((r) => setTimeout(r, Math.max(2_000, SUBSCRIBERS * 3)));

  const started = Date.now();
  for (let m = 0; m < MESSAGES; m++) {
    await gqlOk(
      gatewayUrl,
      "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }",
      { c: conversationId, b: `t ${performance.timeOrigin + performance.now()} #${m}` },
      customer.token,
    );
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  const elapsed = (Date.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);

  console.log("\nbench:chat");
  console.log(`  subscribers        ${SUBSCRIBERS} (through one gateway, alternating two users)`);
  console.log(`  messages sent      ${MESSAGES} (one every ${INTERVAL_MS} ms)`);
  console.log(`  delivered          ${delivered} of ${SUBSCRIBERS * MESSAGES}${errors ? `, ${errors} errors` : ""}`);
  console.log(`  latency p50/p95/p99 ${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 95).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms`);
  console.log(`  throughput         ${Math.round(delivered / elapsed)} messages/s delivered (${(MESSAGES / elapsed).toFixed(1)} sent/s)`);
  console.log(`  peak RSS           gateway ${stack.peakRssMb("gateway")} MiB, chat ${stack.peakRssMb("chat")} MiB`);
  await Promise.all(clients.map((c) => c.dispose()));
} finally {
  await stack.stop(); // gateway first: no upstream-failure noise
}

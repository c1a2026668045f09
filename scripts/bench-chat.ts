// `npm run bench:chat [-- --subscribers 1000 --messages 50 --interval 50]`
// Starts users, catalog, orders, chat and the gateway as separate processes on the Postgres at DATABASE_URL and
// the Redis at REDIS_URL, opens N graphql-ws subscribers to one conversation through the gateway and has one
// sender post messages. Prints delivery latency percentiles, delivered messages/s and each process's peak RSS.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { dropDatabase, withDatabase } from "@fixup/platform";
import { gqlOk } from "../test/support/federation.js";
import { orderWithConversation } from "../test/support/marketplace.js";
import { freePort } from "./free-port.js";

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
const SERVICES = ["users", "catalog", "orders", "chat"] as const;

const peakRssMb = (pid: number | undefined) => {
  if (!pid) return NaN;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return hwm ? Math.round(Number(hwm) / 1024) : NaN;
};

async function waitReady(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const children: ChildProcess[] = [];
const suffix = Date.now().toString(36);
const databases = Object.fromEntries(SERVICES.map((s) => [s, withDatabase(DATABASE_URL, `fixup_bench_${s}_${suffix}`)]));

try {
  const ports = Object.fromEntries(await Promise.all([...SERVICES, "gateway"].map(async (s) => [s, await freePort()])));
  const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`]));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    REDIS_URL,
    USERS_URL: urls.users,
    CATALOG_URL: urls.catalog,
    ORDERS_URL: urls.orders,
    CHAT_URL: urls.chat,
    GATEWAY_PORT: String(ports.gateway),
  };
  const start = (entry: string, extra: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry], { env: { ...env, ...extra }, stdio: ["ignore", "inherit", "inherit"] });
    children.push(child);
    return child;
  };
  const procs: Record<string, ChildProcess> = {};
  procs.users = start("subgraphs/users/src/main.ts", { USERS_PORT: String(ports.users), USERS_DATABASE_URL: databases.users });
  await waitReady(urls.users as string);
  for (const s of ["catalog", "orders", "chat"] as const) {
    procs[s] = start(`subgraphs/${s}/src/main.ts`, { [`${s.toUpperCase()}_PORT`]: String(ports[s]), [`${s.toUpperCase()}_DATABASE_URL`]: databases[s] });
  }
  await Promise.all(["catalog", "orders", "chat"].map((s) => waitReady(urls[s] as string)));
  procs.gateway = start("gateway/src/main.ts", {});
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  await waitReady(gatewayUrl);

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
  console.log(`  peak RSS           gateway ${peakRssMb(procs.gateway.pid)} MiB, chat ${peakRssMb(procs.chat?.pid)} MiB`);
  await Promise.all(clients.map((c) => c.dispose()));
} finally {
  for (const child of [...children].reverse()) child.kill("SIGTERM"); // gateway first: no upstream-failure noise
  await new Promise((r) => setTimeout(r, 1_500));
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(Object.values(databases).map((url) => dropDatabase(url).catch(() => undefined)));
}

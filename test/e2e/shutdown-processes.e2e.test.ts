import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { withDatabase } from "@fixup/platform";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "@fixup/platform/testing";
import { startProcesses, type RunningProcesses } from "../../scripts/processes.js";
import { gql, gqlOk } from "../support/federation.js";
import { sleep } from "../support/live.js";
import { orderWithConversation, type ChatSetup } from "../support/marketplace.js";

// The real SIGTERM path: each service its own process (main.ts, production mode). Mutations keep arriving while a
// process shuts down; afterwards every mutation answered with success must exist, and every one answered with an
// error must not (a client that retries an error must never create a duplicate).
const prefix = `fixup_test_sigterm_${randomBytes(4).toString("hex")}`;
let stack: RunningProcesses;
let setup: ChatSetup;
let serviceId: string;
beforeAll(async () => {
  stack = await startProcesses({ databaseUrl: TEST_SERVER_URL, redisUrl: TEST_REDIS_URL, databasePrefix: prefix, quiet: true });
  setup = await orderWithConversation(stack.gatewayUrl, "Shutdown check");
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(stack.gatewayUrl, '{ services(search: "plumbing") { id } }');
  serviceId = services[0]?.id as string;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
}, 60_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Twenty clients send `mutate(key)` back to back; once a few have been answered the process gets SIGTERM; they go
 * on until it has exited. Resolves with each key's answer (true: a success naming it).
 */
async function burstAcrossSigterm(pid: number, mutate: (key: string) => Promise<boolean>, tag: string): Promise<Map<string, boolean>> {
  const answers = new Map<string, boolean>();
  let next = 0;
  let exited = false;
  const worker = async () => {
    while (!exited && next < 2_000) {
      const key = `${tag}-${next++}`;
      answers.set(key, await mutate(key).catch(() => false));
    }
  };
  const workers = Array.from({ length: 20 }, worker);
  // SIGTERM once the burst is well under way (a few answered), however slow this machine is right now.
  const deadline = Date.now() + 20_000;
  while ([...answers.values()].filter(Boolean).length < 3 && Date.now() < deadline) await sleep(10);
  process.kill(pid, "SIGTERM");
  while (alive(pid)) await sleep(5);
  exited = true;
  await Promise.all(workers);
  return answers;
}

async function storedKeys(service: "users" | "orders" | "chat", sql: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: withDatabase(TEST_SERVER_URL, `${prefix}_${service}`) });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string }>(sql);
    return new Set(rows.map((r) => r.key));
  } finally {
    await client.end();
  }
}

function mismatches(answers: Map<string, boolean>, stored: Set<string>): { ok: number; failed: number; mismatched: string[] } {
  const mismatched = [...answers].filter(([key, ok]) => ok !== stored.has(key)).map(([key, ok]) => `${key}: answered ${ok ? "ok" : "error"}`);
  const ok = [...answers.values()].filter(Boolean).length;
  return { ok, failed: answers.size - ok, mismatched };
}

const ROUNDS = 3;

/** `rounds` times: a burst of `mutate` across SIGTERM to `name`, compared with `stored`, then `name` restarted. */
async function sigtermRounds(
  name: "users" | "orders" | "chat" | "gateway",
  rounds: number,
  mutate: (key: string) => Promise<boolean>,
  stored: (tag: string) => Promise<Set<string>>,
): Promise<{ ok: number; failed: number; mismatched: string[] }> {
  const totals = { ok: 0, failed: 0, mismatched: [] as string[] };
  for (let round = 0; round < rounds; round++) {
    const tag = `sigterm-${name}-${round}-`;
    const answers = await burstAcrossSigterm(stack.pids[name] as number, mutate, tag);
    const result = mismatches(answers, await stored(tag));
    totals.ok += result.ok;
    totals.failed += result.failed;
    totals.mismatched.push(...result.mismatched);
    await stack.restart(name);
  }
  console.info(`SIGTERM ${name} × ${rounds}: ${totals.ok} ok, ${totals.failed} errors, ${totals.mismatched.length} mismatches`);
  return totals;
}

const sendMessage = async (key: string) => {
  const res = await gql<{ sendMessage: { id: string } }>(
    stack.gatewayUrl,
    "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }",
    { c: setup.conversationId, b: key },
    setup.customer.token,
  );
  return Boolean(res.data?.sendMessage?.id) && !res.errors?.length;
};
const storedMessages = (tag: string) => storedKeys("chat", `SELECT body AS key FROM messages WHERE body LIKE '${tag}%'`);

test(`SIGTERM to orders under createOrder through the gateway, ${ROUNDS} rounds: every answer matches the database`, async () => {
  const totals = await sigtermRounds(
    "orders",
    ROUNDS,
    async (key) => {
      const res = await gql<{ createOrder: { id: string } }>(
        stack.gatewayUrl,
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
        { i: { serviceId, title: key, description: "Shutdown burst", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } },
        setup.customer.token,
      );
      return Boolean(res.data?.createOrder?.id) && !res.errors?.length;
    },
    (tag) => storedKeys("orders", `SELECT title AS key FROM orders WHERE title LIKE '${tag}%'`),
  );
  expect(totals.mismatched).toEqual([]);
  expect(totals.ok).toBeGreaterThan(0);
}, 180_000);

test("SIGTERM to chat under sendMessage and to users under REST /auth/register, through the gateway: every answer matches", async () => {
  const chat = await sigtermRounds("chat", 1, sendMessage, storedMessages);
  const users = await sigtermRounds(
    "users",
    1,
    async (key) => {
      const res = await fetch(`${stack.gatewayUrl}/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `${key}@example.com`, password: "correct horse", name: "Burst", roles: ["CUSTOMER"] }),
      });
      return res.status === 201 && Boolean(((await res.json()) as { user?: { id?: string } }).user?.id);
    },
    (tag) => storedKeys("users", `SELECT split_part(email, '@', 1) AS key FROM users WHERE email LIKE '${tag}%'`),
  );
  expect([...chat.mismatched, ...users.mismatched]).toEqual([]);
  expect(chat.ok).toBeGreaterThan(0);
  expect(users.ok).toBeGreaterThan(0);
}, 180_000);

test(`SIGTERM to the gateway under sendMessage, ${ROUNDS} rounds: every answer matches the database`, async () => {
  const totals = await sigtermRounds("gateway", ROUNDS, sendMessage, storedMessages);
  expect(totals.mismatched).toEqual([]);
  expect(totals.ok).toBeGreaterThan(0);
}, 180_000);

test("after all that, every process still exits 0 on SIGTERM", async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, users: 0, catalog: 0, orders: 0, chat: 0 });
}, 60_000);

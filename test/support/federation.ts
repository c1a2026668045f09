import { randomBytes } from "node:crypto";
import pg from "pg";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, createPubSub, createRedis, redisEventBus, type EventBus, type PubSub, type RunningServer } from "@fixup/platform";
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from "@fixup/platform/testing";
import { loadUsersConfig, migrationsDir as usersMigrations, startUsersService } from "@fixup/users";
import { loadCatalogConfig, migrationsDir as catalogMigrations, PREDEFINED_SERVICES, startCatalogService } from "@fixup/catalog";
import { loadOrdersConfig, migrationsDir as ordersMigrations, startOrdersService } from "@fixup/orders";
import { loadChatConfig, migrationsDir as chatMigrations, startChatService } from "@fixup/chat";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";

export interface Federation {
  gatewayUrl: string;
  /** Every gateway instance (the first is gatewayUrl); gateway i talks to chat instance i. */
  gatewayUrls: string[];
  usersUrl: string;
  catalogUrl: string;
  ordersUrl: string;
  chatUrls: string[];
  /** SQL statements per subgraph since the last reset (for batching assertions). */
  sql: { users: string[]; catalog: string[]; orders: string[]; chat: string[] };
  /** Stops one subgraph (to test failure paths); stop() skips it later. */
  stopService(name: "users" | "catalog" | "orders"): Promise<void>;
  stop(): Promise<void>;
}

export interface FederationOptions {
  env?: Record<string, string>;
  /** Instances of chat and of the gateway (scale-out tests); each instance has its own Redis connections. */
  instances?: number;
  /** Orders' live-event pub/sub (fault tests point it at a Redis that is gone); default: over the shared Redis. */
  ordersPubSub?: PubSub;
}

/**
 * Every subgraph + the gateway on ephemeral ports, each against a fresh database on the real Postgres, events over
 * real Redis Streams (a unique stream namespace per federation, so parallel test files do not see each other).
 */
export async function startFederation({ env = {}, instances = 1, ordersPubSub }: FederationOptions = {}): Promise<Federation> {
  const dbs: TestDatabase[] = [];
  const servers: RunningServer[] = [];
  const logger = createLogger("test", process.env.LOG_LEVEL ?? "silent");
  const redis = createRedis(TEST_REDIS_URL);
  if (!redis) throw new Error("REDIS_URL required");
  const namespace = `test-${randomBytes(4).toString("hex")}`;
  const bus = namespaced(redisEventBus(redis, { logger, blockMs: 200 }), namespace);
  const sql = { users: [] as string[], catalog: [] as string[], orders: [] as string[], chat: [] as string[] };
  // Live fan-out goes through real Redis pub/sub, one connection set per chat instance, like separate processes.
  const instanceRedis = Array.from({ length: instances }, () => createRedis(TEST_REDIS_URL));
  // Registration mails go to the local outbox (no SMTP_URL): keep them out of the checkout's .data/.
  const mailOutbox = await mkdtemp(join(tmpdir(), "fixup-mail-"));
  const stop = async () => {
    for (const s of servers.reverse()) await s.close();
    await bus.close();
    // This federation's streams and consumer groups are of no use to anyone after it.
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await Promise.all(instanceRedis.map((r) => r?.quit()));
    await Promise.all(dbs.map((d) => d.drop()));
    await rm(mailOutbox, { recursive: true, force: true });
  };
  try {
    const [usersDb, catalogDb, ordersDb, chatDb] = await Promise.all([
      createTestDatabase("users", usersMigrations),
      createTestDatabase("catalog", catalogMigrations),
      createTestDatabase("orders", ordersMigrations),
      createTestDatabase("chat", chatMigrations),
    ]);
    dbs.push(usersDb, catalogDb, ordersDb, chatDb);
    const common = { NODE_ENV: "test", REDIS_URL: TEST_REDIS_URL, ...env };
    const users = await startUsersService(
      loadUsersConfig({ MAIL_OUTBOX_DIR: mailOutbox, ...common, USERS_PORT: "0", USERS_DATABASE_URL: usersDb.url, LOGIN_MAX_FAILURES_PER_IP: "100000" }),
      { logger, redis, onQuery: (q) => sql.users.push(q) },
    );
    servers.push(users);
    const [catalog, orders] = await Promise.all([
      startCatalogService(
        loadCatalogConfig({ ...common, CATALOG_PORT: "0", CATALOG_DATABASE_URL: catalogDb.url, USERS_URL: users.url }),
        { logger, redis, bus, onQuery: (q) => sql.catalog.push(q) },
      ),
      startOrdersService(
        loadOrdersConfig({ ...common, ORDERS_PORT: "0", ORDERS_DATABASE_URL: ordersDb.url, USERS_URL: users.url }),
        { logger, redis, bus, pubsub: ordersPubSub, onQuery: (q) => sql.orders.push(q) },
      ),
    ]);
    servers.push(catalog, orders);
    await untilOrdersKnowsTheCatalog(ordersDb.url);
    const chats: RunningServer[] = [];
    for (const [i, instanceClient] of instanceRedis.entries()) {
      const chat = await startChatService(
        loadChatConfig({ ...common, CHAT_PORT: "0", CHAT_DATABASE_URL: chatDb.url, USERS_URL: users.url }),
        {
          logger,
          redis: instanceClient,
          bus,
          pubsub: namespacedPubSub(createPubSub(instanceClient, logger), namespace),
          onQuery: i === 0 ? (q) => sql.chat.push(q) : undefined,
        },
      );
      servers.push(chat);
      chats.push(chat);
    }
    const gateways: RunningServer[] = [];
    for (const chat of chats) {
      const gateway = await startGateway(
        loadGatewayConfig({ ...common, GATEWAY_PORT: "0", USERS_URL: users.url, CATALOG_URL: catalog.url, ORDERS_URL: orders.url, CHAT_URL: chat.url }),
        logger,
      );
      servers.push(gateway);
      gateways.push(gateway);
    }
    const gateway = gateways[0] as RunningServer;
    const named = { users, catalog, orders };
    return {
      gatewayUrl: gateway.url,
      gatewayUrls: gateways.map((g) => g.url),
      chatUrls: chats.map((c) => c.url),
      usersUrl: users.url,
      catalogUrl: catalog.url,
      ordersUrl: orders.url,
      sql,
      stopService: async (name) => {
        await named[name].close();
        servers.splice(servers.indexOf(named[name]), 1);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Prefixes every stream name, so federations started by parallel test files never share a stream or group. */
function namespaced(bus: EventBus, prefix: string): EventBus {
  return {
    publish: (stream, event) => bus.publish(`${prefix}:${stream}`, event),
    subscribe: (stream, group, consumer, handler) => bus.subscribe(`${prefix}:${stream}`, group, consumer, handler),
    close: () => bus.close(),
  };
}

/** Orders accepts orders only for services catalog announced: wait until the seeded ones have arrived. */
async function untilOrdersKnowsTheCatalog(ordersDatabaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ordersDatabaseUrl });
  await client.connect();
  try {
    await eventually(async () => {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM known_services");
      if ((rows[0]?.n ?? 0) < PREDEFINED_SERVICES.length) throw new Error("catalog's seed has not reached orders yet");
    }, 15_000);
  } finally {
    await client.end();
  }
}

/** Prefixes live topics like the event streams, so parallel test files never hear each other's events. */
function namespacedPubSub(pubsub: PubSub, prefix: string): PubSub {
  return {
    publish: (topic, payload) => pubsub.publish(`${prefix}:${topic}`, payload),
    subscribe: (topic) => pubsub.subscribe(`${prefix}:${topic}`),
    close: () => pubsub.close(),
  };
}

/** A unique email per call: Redis rate-limit keys are shared between test runs. */
export const uniqueEmail = (tag = "user") => `${tag}-${randomBytes(6).toString("hex")}@example.com`;

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function gql<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, "status">;
  return { status: res.status, ...body };
}

/** Like gql, but fails the test on any GraphQL error and returns data. */
export async function gqlOk<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await gql<T>(baseUrl, query, variables, token);
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

export async function postJson(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export async function registerUser(gatewayUrl: string, roles: string[], name = "Test User"): Promise<TestUser> {
  const email = uniqueEmail(roles.join("-").toLowerCase());
  const res = await postJson(gatewayUrl, "/auth/register", { email, password: "correct horse", name, roles });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  const body = res.body as { accessToken: string; user: { id: string } };
  return { id: body.user.id, email, token: body.accessToken };
}

/** Polls until `check` stops throwing (eventual consistency across services), or rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

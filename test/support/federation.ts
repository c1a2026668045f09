import { randomBytes } from "node:crypto";
import pg from "pg";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, createPubSub, createRedis, redisEventBus, type EventBus, type PubSub, type Redis, type RunningServer } from "@fixup/platform";
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from "@fixup/platform/testing";
import { loadUsersConfig, migrationsDir as usersMigrations, startUsersService } from "@fixup/users";
import { loadCatalogConfig, migrationsDir as catalogMigrations, PREDEFINED_SERVICES, startCatalogService } from "@fixup/catalog";
import { loadOrdersConfig, migrationsDir as ordersMigrations, startOrdersService } from "@fixup/orders";
import { loadChatConfig, migrationsDir as chatMigrations, startChatService } from "@fixup/chat";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";

export type ServiceName = "users" | "catalog" | "orders" | "chat";

export interface Federation {
  gatewayUrl: string;
  /** Every gateway instance (the first is gatewayUrl); gateway i talks to instance i of every subgraph. */
  gatewayUrls: string[];
  usersUrl: string;
  catalogUrl: string;
  ordersUrl: string;
  chatUrls: string[];
  /** Every instance's URL, per service. */
  urls: Record<ServiceName, string[]>;
  /** Each service's database (shared by its instances). */
  databaseUrls: Record<ServiceName, string>;
  /** SQL statements per subgraph (first instance) since the last reset (for batching assertions). */
  sql: { users: string[]; catalog: string[]; orders: string[]; chat: string[] };
  /** Stops every instance of one subgraph (to test failure paths); stop() skips them later. */
  stopService(name: "users" | "catalog" | "orders"): Promise<void>;
  stop(): Promise<void>;
}

export interface FederationOptions {
  env?: Record<string, string>;
  /**
   * Instances of every subgraph and of the gateway (scale-out tests). The instances of a service share its database
   * and event streams (separate consumers of one group) and each has its own Redis connections, like separate processes.
   */
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
  const sql = { users: [] as string[], catalog: [] as string[], orders: [] as string[], chat: [] as string[] };
  // Each instance has its own Redis connections (commands, event streams, live fan-out), like a separate process.
  const instanceRedis = Array.from({ length: instances }, () => createRedis(TEST_REDIS_URL) as Redis);
  const buses = instanceRedis.map((r) => namespaced(redisEventBus(r, { logger, blockMs: 200 }), namespace));
  const pubsubs = instanceRedis.map((r) => namespacedPubSub(createPubSub(r, logger), namespace));
  // Registration mails go to the local outbox (no SMTP_URL): keep them out of the checkout's .data/.
  const mailOutbox = await mkdtemp(join(tmpdir(), "fixup-mail-"));
  // The identity-number key file the users service generates on first start (no IDENTITY_KEYS in tests).
  const keyDir = await mkdtemp(join(tmpdir(), "fixup-identity-"));
  const stop = async () => {
    for (const s of servers.reverse()) await s.close();
    await Promise.all(buses.map((b) => b.close()));
    await Promise.all(pubsubs.map((p) => p.close()));
    // This federation's streams and consumer groups are of no use to anyone after it.
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await Promise.all(instanceRedis.map((r) => r.quit()));
    await Promise.all(dbs.map((d) => d.drop()));
    await rm(mailOutbox, { recursive: true, force: true });
    await rm(keyDir, { recursive: true, force: true });
  };
  try {
    const [usersDb, catalogDb, ordersDb, chatDb] = await Promise.all([
      createTestDatabase("users", usersMigrations),
      createTestDatabase("catalog", catalogMigrations),
      createTestDatabase("orders", ordersMigrations),
      createTestDatabase("chat", chatMigrations),
    ]);
    dbs.push(usersDb, catalogDb, ordersDb, chatDb);
    // PASSWORD_SCRYPT_LOG_N: the test run's scrypt cost (vitest.config.ts), not a second of CPU per registration.
    const common = { NODE_ENV: "test", REDIS_URL: TEST_REDIS_URL, PASSWORD_SCRYPT_LOG_N: process.env.PASSWORD_SCRYPT_LOG_N, ...env };
    const byService: Record<ServiceName, RunningServer[]> = { users: [], catalog: [], orders: [], chat: [] };
    for (let i = 0; i < instances; i++) {
      const messaging = { redis: instanceRedis[i], bus: buses[i], pubsub: pubsubs[i] };
      const capture = (service: keyof typeof sql) => (i === 0 ? (q: string) => sql[service].push(q) : undefined);
      const users = await startUsersService(
        loadUsersConfig({ MAIL_OUTBOX_DIR: mailOutbox, IDENTITY_KEY_FILE: join(keyDir, "identity-keys"), ...common, USERS_PORT: "0", USERS_DATABASE_URL: usersDb.url, LOGIN_MAX_FAILURES_PER_IP: "100000" }),
        { logger, ...messaging, onQuery: capture("users") },
      );
      servers.push(users);
      byService.users.push(users);
      // Every instance verifies tokens against the first users instance's JWKS (they share the signing keys anyway).
      const usersUrl = (byService.users[0] as RunningServer).url;
      const [catalog, orders] = await Promise.all([
        startCatalogService(
          loadCatalogConfig({ ...common, CATALOG_PORT: "0", CATALOG_DATABASE_URL: catalogDb.url, USERS_URL: usersUrl }),
          { logger, ...messaging, onQuery: capture("catalog") },
        ),
        startOrdersService(
          loadOrdersConfig({ ...common, ORDERS_PORT: "0", ORDERS_DATABASE_URL: ordersDb.url, USERS_URL: usersUrl }),
          { logger, ...messaging, ...(ordersPubSub ? { pubsub: ordersPubSub } : {}), onQuery: capture("orders") },
        ),
      ]);
      servers.push(catalog, orders);
      byService.catalog.push(catalog);
      byService.orders.push(orders);
      if (i === 0) await untilOrdersKnowsTheCatalog(ordersDb.url);
      const chat = await startChatService(
        loadChatConfig({ ...common, CHAT_PORT: "0", CHAT_DATABASE_URL: chatDb.url, USERS_URL: usersUrl }),
        { logger, ...messaging, onQuery: capture("chat") },
      );
      servers.push(chat);
      byService.chat.push(chat);
    }
    const gateways: RunningServer[] = [];
    for (let i = 0; i < instances; i++) {
      const url = (service: ServiceName) => (byService[service][i] as RunningServer).url;
      const gateway = await startGateway(
        loadGatewayConfig({ ...common, GATEWAY_PORT: "0", USERS_URL: url("users"), CATALOG_URL: url("catalog"), ORDERS_URL: url("orders"), CHAT_URL: url("chat") }),
        logger,
      );
      servers.push(gateway);
      gateways.push(gateway);
    }
    const first = (service: ServiceName) => (byService[service][0] as RunningServer).url;
    const urls = Object.fromEntries(Object.entries(byService).map(([k, v]) => [k, v.map((s) => s.url)])) as Record<ServiceName, string[]>;
    return {
      gatewayUrl: (gateways[0] as RunningServer).url,
      gatewayUrls: gateways.map((g) => g.url),
      chatUrls: urls.chat,
      usersUrl: first("users"),
      catalogUrl: first("catalog"),
      ordersUrl: first("orders"),
      urls,
      databaseUrls: { users: usersDb.url, catalog: catalogDb.url, orders: ordersDb.url, chat: chatDb.url },
      sql,
      stopService: async (name) => {
        for (const instance of byService[name]) {
          await instance.close();
          servers.splice(servers.indexOf(instance), 1);
        }
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
    streamIntact: (stream) => bus.streamIntact(`${prefix}:${stream}`),
    markStreamIntact: (stream) => bus.markStreamIntact(`${prefix}:${stream}`),
    deadLetters: (stream) => bus.deadLetters(`${prefix}:${stream}`),
    replayDeadLetters: (stream, group) => bus.replayDeadLetters(`${prefix}:${stream}`, group),
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

/** The first error's code (`extensions.code`) of a GraphQL answer, undefined when it has none. */
export const codeOf = async (response: Promise<GraphQLResponse>) => (await response).errors?.[0]?.extensions?.code;

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

/** A personal identification number of the default format (11 digits), different on every call. */
export const identityNumber = (): string => String(10_000_000_000 + (randomBytes(5).readUIntBE(0, 5) % 89_999_999_999));

export async function registerUser(gatewayUrl: string, roles: string[], name = "Test User"): Promise<TestUser> {
  const email = uniqueEmail(roles.join("-").toLowerCase());
  // Providers give an identity number when they register; customers do not.
  const identity = roles.includes("PROVIDER") ? { identityNumber: identityNumber() } : {};
  const res = await postJson(gatewayUrl, "/auth/register", { email, password: "correct horse", name, roles, ...identity });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  const body = res.body as { accessToken: string; user: { id: string } };
  return { id: body.user.id, email, token: body.accessToken };
}

/**
 * Polls until `check` stops throwing (eventual consistency across services), or rethrows its last error. Not
 * vi.waitFor: the benches (scripts/bench-*.ts) use these helpers outside vitest, where vitest cannot be imported.
 */
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

import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger, dbPoolConnections, memoryEventBus, memoryPubSub } from "@fixup/platform";
import { createTestDatabase, startTestIssuer, type TestDatabase, type TestIssuer } from "@fixup/platform/testing";
import { loadChatConfig } from "../src/config.js";
import { migrationsDir, startChatService } from "../src/app.js";

let issuer: TestIssuer;
let db: TestDatabase;
beforeAll(async () => {
  issuer = await startTestIssuer();
  db = await createTestDatabase("chat_pool_release", migrationsDir);
});
afterAll(async () => {
  await issuer?.close();
  await db?.drop();
});

/** The pool sizes db_pool_connections counts for chat in this process. */
const chatPoolSize = async () =>
  (await dbPoolConnections.get()).values.filter((v) => v.labels.pool === "chat" && v.labels.state === "max").reduce((sum, v) => sum + v.value, 0);

test("a service stopped before its first query releases its Postgres pool", async () => {
  const before = await chatPoolSize();
  const logger = createLogger("chat-pool-test", "silent");
  const server = await startChatService(
    loadChatConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", CHAT_PORT: "0", CHAT_DATABASE_URL: db.url, USERS_URL: issuer.usersUrl, DB_POOL_SIZE: "3" }),
    { logger, bus: memoryEventBus(logger), pubsub: memoryPubSub(), redis: null },
  );
  expect(await chatPoolSize()).toBe(before + 3);
  await server.close();
  expect(await chatPoolSize()).toBe(before);
});

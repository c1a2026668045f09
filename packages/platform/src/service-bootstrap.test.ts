import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { memoryEventBus } from "./events.js";
import { createLogger } from "./logger.js";
import { memoryPubSub } from "./pubsub.js";
import { startService, type ServiceSpec } from "./service-bootstrap.js";
import { createTestDatabase, type TestDatabase } from "./testing.js";

const logger = createLogger("test", "silent");
let emptyMigrations: string;
let db: TestDatabase;
beforeAll(async () => {
  emptyMigrations = await mkdtemp(join(tmpdir(), "fixup-no-migrations-"));
  db = await createTestDatabase("bootstrap", emptyMigrations);
});
afterAll(async () => {
  await db?.drop();
  await rm(emptyMigrations, { recursive: true, force: true });
});

/** A service whose every resource says when it was released, in order. */
function spec(port: number) {
  const released: string[] = [];
  const bus = memoryEventBus(logger);
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (stream, group, consumer, handler) => {
    const subscription = subscribe(stream, group, consumer, handler);
    return { ...subscription, stop: async () => void (await subscription.stop(), released.push(`consumer ${stream}`)) };
  };
  const prisma = { $queryRaw: async () => [{ "?column?": 1 }], $connect: async () => undefined, $disconnect: async () => void released.push("prisma") };
  const service: ServiceSpec<typeof prisma> = {
    name: "catalog",
    config: { NODE_ENV: "test", LOG_LEVEL: "silent", BIND_HOST: "127.0.0.1", TRUST_PROXY: ["loopback"], METRICS_MAX_OPERATIONS: 10, DB_POOL_SIZE: 1 },
    databaseUrl: db.url,
    port,
    migrationsDir: emptyMigrations,
    createPrisma: () => prisma,
    publishes: true,
    options: { logger, bus, pubsub: memoryPubSub(), redis: null },
  };
  return { service, released };
}

const schema = buildSchema("type Query { ok: Boolean }");

describe("startService", () => {
  test("stopping releases consumers, the service's own closers, then Prisma (relay and Redis in between)", async () => {
    const { service, released } = spec(0);
    const running = await startService(service, ({ consume, onClose }) => {
      consume("users", async () => undefined);
      onClose(async () => void released.push("service"));
      return { schema, verifier: { verify: async () => ({ userId: "u", roles: [] }) }, context: (base) => base };
    });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    await running.close();
    expect(released).toEqual(["consumer fixup:events:users", "service", "prisma"]);
  });

  test("a start that fails (port taken) releases what it opened and rethrows", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { service, released } = spec(port);
      await expect(
        startService(service, ({ consume, onClose }) => {
          consume("users", async () => undefined);
          onClose(async () => void released.push("service"));
          return { schema, verifier: { verify: async () => ({ userId: "u", roles: [] }) }, context: (base) => base };
        }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(released).toEqual(["consumer fixup:events:users", "service", "prisma"]);
    } finally {
      blocker.close();
    }
  });

  test("wiring that throws releases the same way", async () => {
    const { service, released } = spec(0);
    await expect(
      startService(service, ({ consume }) => {
        consume("orders", async () => undefined);
        throw new Error("seed failed");
      }),
    ).rejects.toThrow("seed failed");
    expect(released).toEqual(["consumer fixup:events:orders", "prisma"]);
  });
});

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { eventStream, redisEventBus, type Subscription } from "./events.js";
import { createLogger } from "./logger.js";
import { startOutboxRelay } from "./outbox.js";
import { createTestDatabase, type TestDatabase } from "./testing.js";

// Redis keeps streams in memory: when it restarts empty, events that were published but not yet consumed are gone
// from it. The outbox keeps published rows (7 days by default) and the relay notices the lost stream (its "intact"
// marker is gone), so it publishes every kept row again; consumers apply each event id once. This test runs its own
// throw-away redis-server, never the shared one.
const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p));

const OUTBOX = `CREATE TABLE outbox_events (id UUID PRIMARY KEY, type TEXT NOT NULL, payload JSONB NOT NULL,
  occurred_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, published_at TIMESTAMPTZ(3), seq BIGSERIAL NOT NULL UNIQUE);
CREATE TABLE processed_events (event_id UUID PRIMARY KEY);
CREATE TABLE applied (event_id UUID NOT NULL);`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let redisProcess: ChildProcess | undefined;
let port: number;
let dir: string;
let db: TestDatabase;

async function startRedis(): Promise<void> {
  redisProcess = spawn(REDIS_SERVER as string, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined);
  await vi.waitFor(async () => {
    await probe.connect().catch(() => undefined);
    expect(await probe.ping()).toBe("PONG");
  }, { timeout: 10_000, interval: 50 });
  probe.disconnect();
}

async function killRedis(): Promise<void> {
  const child = redisProcess;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

beforeAll(async () => {
  if (!REDIS_SERVER) return;
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), "fixup-stream-loss-"));
  await mkdir(join(dir, "20260101000000_outbox"));
  await writeFile(join(dir, "20260101000000_outbox", "migration.sql"), OUTBOX);
  db = await createTestDatabase("streamloss", dir);
  await startRedis();
});

afterAll(async () => {
  await killRedis();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test.skipIf(!REDIS_SERVER)("pause a consumer, publish 100 events, Redis restarts empty, resume: all 100 applied exactly once", async () => {
  const logger = createLogger("stream-loss", "silent");
  const redis = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 2 });
  redis.on("error", () => undefined); // refused connections while the server is down are the point of the test
  const bus = redisEventBus(redis, { logger, blockMs: 100 });
  const service = `loss-${randomUUID()}`;
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on("error", () => undefined);
  const relay = startOutboxRelay({ databaseUrl: db.url, service, bus, logger, intervalMs: 20 });
  const consume = (): Subscription =>
    bus.subscribe(eventStream(service), "projector", `projector-${randomUUID()}`, async (event) => {
      await pool.query(
        `WITH fresh AS (INSERT INTO processed_events VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id)
         INSERT INTO applied SELECT event_id FROM fresh`,
        [event.id],
      );
    });
  try {
    // The group exists and has read everything so far; then the consumer pauses.
    const paused = consume();
    await relay.flush();
    expect(await paused.caughtUp(5_000)).toBe(true);
    await paused.stop();

    const ids = Array.from({ length: 100 }, () => randomUUID());
    await pool.query(
      "INSERT INTO outbox_events (id, type, payload) SELECT id, 'thing.happened', '{}'::jsonb FROM unnest($1::uuid[]) AS id",
      [ids],
    );
    await relay.flush();
    expect(await redis.xlen(eventStream(service))).toBe(100);
    const unpublished = await pool.query("SELECT 1 FROM outbox_events WHERE published_at IS NULL");
    expect(unpublished.rowCount).toBe(0);

    await killRedis();
    await startRedis();

    const resumed = consume();
    await vi.waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM applied");
      expect(rows[0]?.n).toBe(100);
    }, { timeout: 20_000, interval: 100 });
    const { rows } = await pool.query<{ event_id: string; n: number }>("SELECT event_id, count(*)::int AS n FROM applied GROUP BY event_id");
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    await resumed.stop();
  } finally {
    await relay.stop();
    await bus.close();
    await pool.end();
    redis.disconnect();
  }
}, 60_000);

import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { eventStream, redisEventBus, type EventBus, type IntegrationEvent, type Subscription } from "./events.js";
import { createLogger, type Logger } from "./logger.js";
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./outbox.js";
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from "./testing.js";

const OUTBOX_TABLE = `CREATE TABLE outbox_events (id UUID PRIMARY KEY, type TEXT NOT NULL, payload JSONB NOT NULL, occurred_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, published_at TIMESTAMPTZ(3), seq BIGSERIAL NOT NULL UNIQUE);
`;

function captureLogger(): { logger: Logger; lines: Array<{ msg: string; level: number }> } {
  const lines: Array<{ msg: string; level: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { msg: string; level: number });
      callback();
    },
  });
  return { logger: createLogger("outbox-test", "warn", sink), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeout = 8_000): Promise<void> =>
  vi.waitFor(async () => {
    if (!(await condition())) throw new Error(`timed out waiting for ${what}`);
  }, { timeout, interval: 10 });

let migrationsDir: string;
let redis: Redis;
// Everything a test opens, closed in afterEach whether it passed or not.
const databases: TestDatabase[] = [];
const pools: pg.Pool[] = [];
const relays: OutboxRelay[] = [];
const subscriptions: Subscription[] = [];
const buses: EventBus[] = [];
const streams: string[] = [];

beforeAll(async () => {
  migrationsDir = await mkdtemp(join(tmpdir(), "fixup-outbox-"));
  await mkdir(join(migrationsDir, "20260101000000_outbox"));
  await writeFile(join(migrationsDir, "20260101000000_outbox", "migration.sql"), OUTBOX_TABLE);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
});

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  await Promise.all(buses.splice(0).map((b) => b.close()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
  const names = streams.splice(0);
  if (names.length) await redis.del(...names.flatMap((n) => [n, `${n}:intact`, `${n}:dead-letters`]));
});

afterAll(async () => {
  await redis.quit();
  await rm(migrationsDir, { recursive: true, force: true });
});

interface Fixture {
  db: TestDatabase;
  pool: pg.Pool;
  service: string;
  stream: string;
  bus: EventBus;
  logger: Logger;
  lines: Array<{ msg: string; level: number }>;
  relay(options?: Partial<OutboxRelayOptions> & { name?: string }): OutboxRelay;
}

async function setup(): Promise<Fixture> {
  const db = await createTestDatabase("outbox", migrationsDir);
  databases.push(db);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Teardown drops the database WITH (FORCE): an idle connection still open then must not crash the test process.
  pool.on("error", () => undefined);
  pools.push(pool);
  const service = `test-${randomUUID()}`;
  const stream = eventStream(service);
  streams.push(stream);
  const { logger, lines } = captureLogger();
  const bus = redisEventBus(redis, { logger, blockMs: 100 });
  buses.push(bus);
  return {
    db,
    pool,
    service,
    stream,
    bus,
    logger,
    lines,
    relay({ name = "relay", ...options } = {}) {
      // application_name lets a test find (and kill) the relay's own connections.
      const relay = startOutboxRelay({
        databaseUrl: `${db.url}?application_name=${name}`,
        service,
        bus,
        logger,
        intervalMs: 10,
        ...options,
      });
      relays.push(relay);
      return relay;
    },
  };
}

interface Row {
  id: string;
  type: string;
  payload: { n: number; tags: string[] };
  occurredAt: Date;
}

/** Inserts `count` rows (one statement, so seq follows array order); returns them in insertion order. */
async function insertRows(pool: pg.Pool, count: number): Promise<Row[]> {
  const base = Date.now() - 60_000;
  const rows: Row[] = Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    type: n % 2 ? "thing.updated" : "thing.created",
    payload: { n, tags: ["a", `b${n}`] },
    occurredAt: new Date(base + n * 7),
  }));
  // occurred_at runs backwards against insertion order: the relay must follow seq, not the timestamp.
  rows.reverse();
  await pool.query(
    `INSERT INTO outbox_events (id, type, payload, occurred_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[])`,
    [rows.map((r) => r.id), rows.map((r) => r.type), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.occurredAt)],
  );
  return rows;
}

const envelope = (row: Row, service: string): IntegrationEvent => ({
  id: row.id,
  type: row.type,
  source: service,
  occurredAt: row.occurredAt.toISOString(),
  payload: row.payload,
});

async function streamEvents(stream: string): Promise<IntegrationEvent[]> {
  const entries = (await redis.xrange(stream, "-", "+")) as Array<[string, string[]]>;
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf("event") + 1]!) as IntegrationEvent);
}

const unpublished = async (pool: pg.Pool) =>
  Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL")).rows[0]!.n);

const connectionsOf = async (pool: pg.Pool, name: string) =>
  Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", [name])).rows[0]!.n);

describe("startOutboxRelay", () => {
  test("publishes every row in insertion order with the event envelope; flush() waits for it; stop() closes the pool", async () => {
    const f = await setup();
    // Long interval: after its first (empty) pass the relay only works when flushed.
    const relay = f.relay({ name: "relay-basic", intervalMs: 60_000, batchSize: 7 });
    await waitFor(async () => (await connectionsOf(f.pool, "relay-basic")) > 0, "the relay's first pass");
    const rows = await insertRows(f.pool, 30);
    expect(await unpublished(f.pool)).toBe(30);

    await relay.flush();
    expect(await streamEvents(f.stream)).toEqual(rows.map((row) => envelope(row, f.service)));
    const published = await f.pool.query<{ id: string; published_at: Date | null }>("SELECT id, published_at FROM outbox_events");
    expect(published.rows).toHaveLength(30);
    for (const row of published.rows) expect(row.published_at).toBeInstanceOf(Date);

    // Nothing pending: a second flush publishes nothing more.
    await relay.flush();
    expect(await redis.xlen(f.stream)).toBe(30);

    await relay.stop();
    await relay.stop(); // idempotent
    await waitFor(async () => (await connectionsOf(f.pool, "relay-basic")) === 0, "the relay's connections to close", 2_000);
    expect(f.lines).toEqual([]);
  });

  test("flush() racing the background loop still publishes in insertion order and only resolves when all is published", async () => {
    const f = await setup();
    const relay = f.relay({ intervalMs: 2, batchSize: 5 });
    await sleep(20);
    const rows = await insertRows(f.pool, 120);
    await relay.flush();
    expect(await unpublished(f.pool)).toBe(0);
    expect((await streamEvents(f.stream)).map((e) => e.id)).toEqual(rows.map((r) => r.id));
  });

  test("a failed publish rolls the batch back and is retried: nothing is lost", async () => {
    const f = await setup();
    const rows = await insertRows(f.pool, 10);
    let failures = 0;
    const flaky: EventBus = {
      ...f.bus,
      async publish(stream, event) {
        if (event.id === rows[4]!.id && failures++ < 2) throw new Error("redis hiccup");
        await f.bus.publish(stream, event);
      },
    };
    f.relay({ bus: flaky });
    await waitFor(async () => (await unpublished(f.pool)) === 0, "every row to be published");
    const ids = (await streamEvents(f.stream)).map((e) => e.id);
    // Rows 0-3 went out with each failed attempt too: at-least-once, in order from the first unpublished row.
    expect(ids).toEqual([...rows.slice(0, 4), ...rows.slice(0, 4), ...rows].map((r) => r.id));
    expect(f.lines.filter((l) => l.msg === "outbox relay failed; retrying")).toHaveLength(2);
  });
});

describe("outbox relay crash and concurrency (real Postgres and Redis)", () => {
  /**
   * A consumer that applies each event at most once: processed_events de-duplicates by event id in the same
   * transaction that bumps the counter.
   */
  async function idempotentConsumer(f: Fixture) {
    await f.pool.query(`CREATE TABLE processed_events (event_id UUID PRIMARY KEY);
      CREATE TABLE applied (counter INTEGER NOT NULL); INSERT INTO applied VALUES (0);`);
    const deliveries = new Map<string, number>();
    const applications = new Map<string, number>();
    let delivered = 0;
    const subscription = f.bus.subscribe(f.stream, "projector", "projector-1", async (event) => {
      delivered += 1;
      deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
      const client = await f.pool.connect();
      try {
        await client.query("BEGIN");
        const { rowCount } = await client.query("INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING", [event.id]);
        if (rowCount === 1) await client.query("UPDATE applied SET counter = counter + 1");
        await client.query("COMMIT");
        if (rowCount === 1) applications.set(event.id, (applications.get(event.id) ?? 0) + 1);
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    });
    subscriptions.push(subscription);
    return { deliveries, applications, delivered: () => delivered };
  }

  test.each(["throws and stops", "loses its connection (pg_terminate_backend)"])(
    "relay #1 killed after 70 of 200 events (%s): after a restart no event is lost or applied twice",
    async (crash) => {
      const f = await setup();
      const rows = await insertRows(f.pool, 200);
      const consumer = await idempotentConsumer(f);

      let published1 = 0;
      let killed: Promise<void> | undefined;
      const relay1: OutboxRelay = f.relay({
        name: "relay-1",
        batchSize: 50,
        afterPublish: async () => {
          published1 += 1;
          if (published1 !== 70) return;
          if (crash.startsWith("loses")) {
            // From another client, so relay #1's open transaction can never commit.
            const { rows: killedRows } = await f.pool.query<{ ok: boolean }>(
              "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'relay-1' AND state = 'idle in transaction'",
            );
            expect(killedRows).toEqual([{ ok: true }]);
            killed = relay1.stop();
          } else {
            killed = relay1.stop();
            throw new Error("relay #1 killed");
          }
        },
      });
      await waitFor(() => killed !== undefined, "relay #1 to be killed");
      await killed;
      // The first batch (50) committed; the second, in flight when relay #1 died, did not.
      expect(await unpublished(f.pool)).toBe(150);
      expect(published1).toBe(crash.startsWith("loses") ? 100 : 70);

      let published2 = 0;
      const relay2 = f.relay({ name: "relay-2", afterPublish: () => void (published2 += 1) });
      await relay2.flush();
      await relay2.stop();
      expect(published2).toBe(150);

      const streamLength = await redis.xlen(f.stream);
      await waitFor(() => consumer.delivered() >= streamLength, "the consumer to read the whole stream");
      await sleep(50);

      // At-least-once, visibly: some events were published (and delivered) twice...
      expect(streamLength).toBe(published1 + published2);
      expect(streamLength).toBeGreaterThan(200);
      expect(consumer.delivered()).toBe(streamLength);
      const ids = rows.map((r) => r.id).sort();
      const events = await streamEvents(f.stream);
      expect([...new Set(events.map((e) => e.id))].sort()).toEqual(ids);
      // ...first occurrences still in insertion order...
      expect([...new Set(events.map((e) => e.id))]).toEqual(rows.map((r) => r.id));
      // ...yet every event was applied exactly once.
      const processed = await f.pool.query<{ event_id: string }>("SELECT event_id FROM processed_events ORDER BY event_id");
      expect(processed.rows.map((r) => r.event_id)).toEqual(ids);
      expect((await f.pool.query<{ counter: number }>("SELECT counter FROM applied")).rows).toEqual([{ counter: 200 }]);
      expect([...consumer.applications.keys()].sort()).toEqual(ids);
      expect([...consumer.applications.values()].every((n) => n === 1)).toBe(true);
      expect([...consumer.deliveries.values()].some((n) => n > 1)).toBe(true);
      expect(await unpublished(f.pool)).toBe(0);
      const [pending] = (await redis.xpending(f.stream, "projector")) as [number];
      expect(pending).toBe(0);
    },
  );

  test("flush() on one relay waits for rows another relay is publishing: when it resolves they are in the stream", async () => {
    const f = await setup();
    // Relay a only works when flushed (after a first, empty pass).
    const a = f.relay({ name: "relay-a", intervalMs: 60_000 });
    await a.flush();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    // Relay b takes the rows and stalls mid-batch, holding the outbox lock.
    f.relay({
      name: "relay-b",
      intervalMs: 5,
      afterPublish: async () => {
        holding = true;
        await gate;
      },
    });
    const rows = await insertRows(f.pool, 5);
    await waitFor(() => holding, "relay b to hold the rows");
    let flushed = false;
    const flush = a.flush().then(() => (flushed = true));
    await waitFor(
      async () => Number((await f.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0]!.n) > 0,
      "relay a to wait for the outbox lock",
    );
    expect(flushed).toBe(false);
    release();
    await flush;
    expect((await streamEvents(f.stream)).map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(await unpublished(f.pool)).toBe(0);
  });

  test("concurrent flush() calls share passes and each resolves after its own rows are published", async () => {
    const f = await setup();
    const relay = f.relay({ intervalMs: 60_000 });
    const published = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const [row] = await insertRows(f.pool, 1);
        await relay.flush();
        const ids = (await streamEvents(f.stream)).map((e) => e.id);
        return ids.includes(row!.id);
      }),
    );
    expect(published.every(Boolean)).toBe(true);
    expect(await redis.xlen(f.stream)).toBe(20);
  });

  test("two relays on one outbox take turns (advisory lock): every row published once, none by both, in order", async () => {
    const f = await setup();
    const rows = await insertRows(f.pool, 200);
    const byRelay: Record<string, string[]> = { a: [], b: [] };
    for (const name of ["a", "b"]) {
      f.relay({
        name: `relay-${name}`,
        batchSize: 20,
        afterPublish: async (event) => {
          byRelay[name]!.push(event.id);
          await new Promise((resolve) => setImmediate(resolve)); // let the other relay get a word in
        },
      });
    }
    await waitFor(async () => (await unpublished(f.pool)) === 0, "every row to be published");
    await Promise.all(relays.splice(0).map((r) => r.stop()));

    expect(await redis.xlen(f.stream)).toBe(200);
    const ids = rows.map((r) => r.id).sort();
    expect((await streamEvents(f.stream)).map((e) => e.id).sort()).toEqual(ids);
    expect(byRelay.a!.length).toBeGreaterThan(0);
    expect(byRelay.b!.length).toBeGreaterThan(0);
    expect(byRelay.a!.filter((id) => byRelay.b!.includes(id))).toEqual([]);
    expect([...byRelay.a!, ...byRelay.b!].sort()).toEqual(ids);
    expect((await streamEvents(f.stream)).map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(f.lines).toEqual([]);
  });
});

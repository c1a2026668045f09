import { randomUUID } from "node:crypto";
import pg from "pg";
import { eventStream, type EventBus, type IntegrationEvent } from "./events.js";
import type { Logger } from "./logger.js";

/**
 * The row a service writes into its own `outbox_events` table in the same transaction as the change it
 * announces (every service's schema.prisma has the same OutboxEvent model).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface OutboxRow {
  id: string;
  type: string;
  payload: JsonObject;
}

export const outboxRow = (type: string, payload: JsonObject): OutboxRow => ({ id: randomUUID(), type, payload });

/** Published rows are kept a week: long enough to re-publish after any stream loss someone would notice. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** pg_advisory_xact_lock key of the outbox relay (each service has its own database, so one key serves all). */
const OUTBOX_LOCK_KEY = 0x6f7574626f78; // "outbox"

export interface OutboxRelayOptions {
  databaseUrl: string;
  service: string;
  bus: EventBus;
  logger: Logger;
  intervalMs?: number;
  batchSize?: number;
  /**
   * How long published rows are kept: if the stream loses its data (Redis restarted empty, a new in-process bus), the
   * relay publishes every row it still keeps again, and consumers (idempotent by event id) apply what they missed.
   */
  retentionMs?: number;
  /** How often published rows older than `retentionMs` are pruned. */
  pruneEveryMs?: number;
  /** Test hook: called after each event is published, before the batch is marked published. */
  afterPublish?: (event: IntegrationEvent) => Promise<void> | void;
}

export interface OutboxRelay {
  /**
   * Publishes everything committed before the call (by any instance); concurrent callers share one pass. Resolves
   * when those rows are in the stream.
   */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface PendingRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Moves outbox rows to the service's event stream. A pass takes the outbox's advisory lock, so passes of every
 * instance run one at a time and the stream receives events in insertion (seq) order; rows are published, then
 * marked published in the same transaction: a crash between publish and commit publishes again on restart
 * (at-least-once), never loses an event. Consumers de-duplicate by event id.
 *
 * Besides its own polling, the relay is flushed right after a request's transaction commits (`flush()`): a pass that
 * starts after a commit sees that commit's rows, and waiting for the lock means waiting for any other instance's pass
 * that holds them. So when `flush()` resolves, everything committed before it was called is in the stream.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { service, bus, logger, intervalMs = 250, batchSize = 100, retentionMs = DEFAULT_RETENTION_MS, pruneEveryMs = 60 * 60_000 } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on("error", (error) => logger.warn({ err: error, service }, "outbox relay pool error"));
  const stream = eventStream(service);
  let running = true;
  let wake: (() => void) | undefined;
  let lastPrune = 0;

  const toEvent = (row: PendingRow): IntegrationEvent => ({
    id: row.id,
    type: row.type,
    source: service,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  });

  /**
   * The stream lost its data: everything still kept goes out again, oldest first, before anything new (the caller holds
   * the outbox lock). Consumers already apply each event id once, so what they had applied changes nothing.
   */
  async function republishKept(client: pg.PoolClient): Promise<number> {
    let after = "0";
    let count = 0;
    for (;;) {
      const { rows } = await client.query<PendingRow & { seq: string }>(
        `SELECT id, type, payload, occurred_at, seq FROM outbox_events
         WHERE published_at IS NOT NULL AND published_at > now() - $1 * interval '1 millisecond' AND seq > $2
         ORDER BY seq LIMIT 500`,
        [retentionMs, after],
      );
      for (const row of rows) await bus.publish(stream, toEvent(row));
      count += rows.length;
      if (rows.length < 500) return count;
      after = (rows[rows.length - 1] as { seq: string }).seq;
    }
  }

  async function relayBatch(): Promise<number> {
    const client = await pool.connect();
    // The pool listens for errors on idle clients only: a connection lost mid-batch (failover, admin kill,
    // idle-in-transaction timeout) would otherwise be an unhandled 'error' event that takes the process down.
    // The failing query rejects too, which is what rolls this batch back.
    const onError = (error: Error) => logger.warn({ err: error, service }, "outbox relay connection lost");
    client.on("error", onError);
    let failure: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [OUTBOX_LOCK_KEY]);
      if (!(await bus.streamIntact(stream))) {
        const republished = await republishKept(client);
        await bus.markStreamIntact(stream);
        // A first start (or an empty outbox) has nothing to re-publish and nothing to warn about.
        if (republished) logger.warn({ service, republished }, "event stream had lost its data; re-published every kept event");
      }
      if (Date.now() - lastPrune > pruneEveryMs) {
        lastPrune = Date.now();
        const pruned = await client.query("DELETE FROM outbox_events WHERE published_at < now() - $1 * interval '1 millisecond'", [retentionMs]);
        if (pruned.rowCount) logger.info({ service, pruned: pruned.rowCount }, "pruned published outbox rows past retention");
      }
      const { rows } = await client.query<PendingRow>(
        `SELECT id, type, payload, occurred_at FROM outbox_events WHERE published_at IS NULL
         ORDER BY seq LIMIT $1`,
        [batchSize],
      );
      for (const row of rows) {
        const event = toEvent(row);
        await bus.publish(stream, event);
        await options.afterPublish?.(event);
      }
      if (rows.length) {
        await client.query("UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])", [rows.map((r) => r.id)]);
      }
      await client.query("COMMIT");
      return rows.length;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.off("error", onError);
      // With an error the pool discards the client instead of reusing a connection in an unknown state.
      client.release(failure);
    }
  }

  const drain = async () => {
    // A short batch means the outbox had nothing more when it was read.
    while (running && (await relayBatch()) >= batchSize) {
      // keep going while there is a backlog
    }
  };
  // Passes of one relay run one after another (the advisory lock would serialise them anyway). A caller that arrives
  // while a pass is queued but not yet started joins it: that pass will read the outbox after the caller's commit.
  let queue: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const pass = (): Promise<void> => {
    if (queued) return queued;
    const next = queue.then(() => {
      queued = undefined;
      return drain();
    });
    queued = next;
    queue = next.catch(() => undefined);
    return next;
  };
  const loop = (async () => {
    while (running) {
      await pass().catch((error: unknown) => {
        if (running) logger.error({ err: error, service }, "outbox relay failed; retrying");
      });
      if (!running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, intervalMs).unref();
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    async flush() {
      await pass();
    },
    stop() {
      stopped ??= (async () => {
        running = false;
        wake?.();
        await loop;
        await queue; // a flush() still running
        await pool.end();
      })();
      return stopped;
    },
  };
}

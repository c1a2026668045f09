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

export interface OutboxRelayOptions {
  databaseUrl: string;
  service: string;
  bus: EventBus;
  logger: Logger;
  intervalMs?: number;
  batchSize?: number;
  /** Test hook: called after each event is published, before the batch is marked published. */
  afterPublish?: (event: IntegrationEvent) => Promise<void> | void;
}

export interface OutboxRelay {
  /** Publishes everything pending now; resolves when the outbox was empty. */
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
 * Moves outbox rows to the service's event stream. Rows are locked (SKIP LOCKED, so several instances share the
 * work), published, then marked published in the same transaction: a crash between publish and commit publishes
 * again on restart (at-least-once), never loses an event. Consumers de-duplicate by event id.
 *
 * One relay publishes in insertion (seq) order (its passes never overlap, flush() included); several relays on one
 * outbox each keep their own batches in order, but batches of different relays may interleave.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { service, bus, logger, intervalMs = 250, batchSize = 100 } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on("error", (error) => logger.warn({ err: error, service }, "outbox relay pool error"));
  const stream = eventStream(service);
  let running = true;
  let wake: (() => void) | undefined;

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
      const { rows } = await client.query<PendingRow>(
        `SELECT id, type, payload, occurred_at FROM outbox_events WHERE published_at IS NULL
         ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      for (const row of rows) {
        const event: IntegrationEvent = {
          id: row.id,
          type: row.type,
          source: service,
          occurredAt: row.occurred_at.toISOString(),
          payload: row.payload,
        };
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
    while (running && (await relayBatch()) > 0) {
      // keep going while there is a backlog
    }
  };
  // Passes run one after another, never side by side: two overlapping passes of one relay would lock
  // different batches and publish them interleaved (out of occurred_at order), and flush() could resolve while
  // the other pass still held uncommitted rows.
  let queue: Promise<void> = Promise.resolve();
  const pass = (): Promise<void> => {
    const next = queue.then(drain);
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

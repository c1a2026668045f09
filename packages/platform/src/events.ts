import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";

/** The envelope every integration event travels in, between services. */
export interface IntegrationEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  source: string;
  occurredAt: string;
  payload: P;
}

export type EventHandler = (event: IntegrationEvent) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * At-least-once delivery between services: a stream per producing service, a consumer group per consuming
 * service. Handlers must be idempotent (keyed by event id); an event is acknowledged only after its handler
 * succeeds, so a crash mid-handler redelivers it.
 */
export interface EventBus {
  publish(stream: string, event: IntegrationEvent): Promise<void>;
  subscribe(stream: string, group: string, consumer: string, handler: EventHandler): Subscription;
  close(): Promise<void>;
}

export const eventStream = (service: string) => `fixup:events:${service}`;

const parseEvent = (fields: string[]): IntegrationEvent | null => {
  const index = fields.indexOf("event");
  const raw = index >= 0 ? fields[index + 1] : undefined;
  return raw ? (JSON.parse(raw) as IntegrationEvent) : null;
};

export interface RedisEventBusOptions {
  logger: Logger;
  /** Approximate cap on stream length (XADD MAXLEN ~). */
  maxLength?: number;
  blockMs?: number;
  /** Pending entries idle this long on a dead consumer are claimed by a live one. */
  claimIdleMs?: number;
}

export function redisEventBus(redis: Redis, options: RedisEventBusOptions): EventBus {
  const { logger, maxLength = 1_000_000, blockMs = 1_000, claimIdleMs = 30_000 } = options;
  const readers = new Set<Redis>();
  return {
    async publish(stream, event) {
      await redis.xadd(stream, "MAXLEN", "~", String(maxLength), "*", "event", JSON.stringify(event));
    },
    subscribe(stream, group, consumer, handler) {
      // Blocking reads need their own connection.
      const reader = redis.duplicate();
      readers.add(reader);
      let running = true;
      const handle = async (entries: Array<[string, string[]]>) => {
        for (const [entryId, fields] of entries) {
          if (!running) return;
          const event = parseEvent(fields);
          try {
            if (event) await handler(event);
            await reader.xack(stream, group, entryId);
          } catch (error) {
            logger.error({ err: error, stream, entryId, type: event?.type }, "event handler failed; will retry");
            return; // keep order: retry this entry before later ones
          }
        }
      };
      const loop = (async () => {
        await reader.xgroup("CREATE", stream, group, "0", "MKSTREAM").catch((error: Error) => {
          if (!error.message.includes("BUSYGROUP")) throw error;
        });
        while (running) {
          try {
            // Own pending entries first (a previous run of this consumer died before acking), then stale ones
            // of dead consumers, then new entries.
            const pending = (await reader.xreadgroup("GROUP", group, consumer, "COUNT", 100, "STREAMS", stream, "0")) as
              | Array<[string, Array<[string, string[]]>]>
              | null;
            const mine = pending?.[0]?.[1].filter(([, fields]) => fields) ?? [];
            if (mine.length) {
              await handle(mine);
              continue;
            }
            const claimed = (await reader.xautoclaim(stream, group, consumer, claimIdleMs, "0-0", "COUNT", 100)) as [
              string,
              Array<[string, string[]]>,
            ];
            if (claimed[1]?.length) {
              await handle(claimed[1].filter(([, fields]) => fields));
              continue;
            }
            const fresh = (await reader.xreadgroup(
              "GROUP", group, consumer, "COUNT", 100, "BLOCK", blockMs, "STREAMS", stream, ">",
            )) as Array<[string, Array<[string, string[]]>]> | null;
            if (fresh?.[0]) await handle(fresh[0][1]);
          } catch (error) {
            if (!running) break;
            logger.error({ err: error, stream, group }, "event consumer error; retrying");
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      })();
      return {
        async stop() {
          running = false;
          reader.disconnect();
          readers.delete(reader);
          await loop.catch(() => undefined);
        },
      };
    },
    async close() {
      for (const reader of readers) reader.disconnect();
      readers.clear();
    },
  };
}

/**
 * Single-process stand-in with the same semantics (groups, ack after success, redelivery on failure), for the
 * embedded default where every service shares one Node process.
 */
export function memoryEventBus(logger: Logger): EventBus {
  const streams = new Map<string, IntegrationEvent[]>();
  const offsets = new Map<string, number>();
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of [...wakers]) w();
  };
  return {
    async publish(stream, event) {
      const list = streams.get(stream) ?? [];
      list.push(structuredClone(event));
      streams.set(stream, list);
      wake();
    },
    subscribe(stream, group, _consumer, handler) {
      let running = true;
      const key = `${stream}\u0000${group}`;
      let wakeUp: (() => void) | undefined;
      const loop = (async () => {
        while (running) {
          const list = streams.get(stream) ?? [];
          const offset = offsets.get(key) ?? 0;
          const event = list[offset];
          if (!event) {
            await new Promise<void>((resolve) => {
              wakeUp = resolve;
              wakers.add(resolve);
              setTimeout(resolve, 1_000).unref();
            });
            if (wakeUp) wakers.delete(wakeUp);
            continue;
          }
          try {
            await handler(event);
            offsets.set(key, offset + 1);
          } catch (error) {
            logger.error({ err: error, stream, type: event.type }, "event handler failed; will retry");
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })();
      return {
        async stop() {
          running = false;
          wakeUp?.();
          await loop;
        },
      };
    },
    async close() {
      wake();
    },
  };
}

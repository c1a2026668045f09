import { EventEmitter, on } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";
import type { JsonObject } from "./outbox.js";

/**
 * Live-event fan-out for subscriptions. With Redis every instance receives every publish (so a client on instance A
 * sees a message sent through instance B); without it, the in-process stand-in serves a single instance.
 */
export interface PubSub {
  publish(topic: string, payload: JsonObject): Promise<void>;
  /**
   * Resolves once the subscription is live (nothing published afterwards is missed) to an async iterator of
   * payloads; returning from the iterator (client gone) unsubscribes.
   */
  subscribe(topic: string): Promise<AsyncIterableIterator<JsonObject>>;
  close(): Promise<void>;
}

function iterate(emitter: EventEmitter, topic: string, onEmpty: () => void): AsyncIterableIterator<JsonObject> {
  const controller = new AbortController();
  const source = on(emitter, topic, { signal: controller.signal });
  const finish = () => {
    controller.abort();
    if (emitter.listenerCount(topic) === 0) onEmpty();
  };
  const iterator: AsyncIterableIterator<JsonObject> = {
    async next() {
      try {
        const result = await source.next();
        return result.done ? { done: true, value: undefined } : { done: false, value: (result.value as [JsonObject])[0] };
      } catch (error) {
        if ((error as { name?: string }).name === "AbortError") return { done: true, value: undefined };
        throw error;
      }
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export function memoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(topic, payload) {
      emitter.emit(topic, structuredClone(payload));
    },
    subscribe: async (topic) => iterate(emitter, topic, () => undefined),
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/** One Redis subscriber connection per instance, shared by all its subscriptions; channels are (un)subscribed on demand. */
export function redisPubSub(redis: Redis, logger: Logger, prefix = "fixup:live:", publishTimeoutMs = 1_000): PubSub {
  const subscriber = redis.duplicate();
  // ioredis reconnects by itself; without a listener every failed attempt is printed as an "unhandled error event".
  subscriber.on("error", (error: unknown) => logger.warn({ err: error }, "live subscriber connection failed"));
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  subscriber.on("message", (channel: string, message: string) => {
    try {
      emitter.emit(channel.slice(prefix.length), JSON.parse(message) as JsonObject);
    } catch (error) {
      logger.warn({ err: error, channel }, "dropping malformed live event");
    }
  });
  const active = new Map<string, Promise<unknown>>();
  return {
    async publish(topic, payload) {
      // Fail fast instead of parking the event in ioredis' offline queue: it would hold its caller for seconds
      // (retries) and later deliver events long stale. The timeout bounds a command on a connection that stalls.
      if (redis.status !== "ready") throw new Error(`Redis not connected (${redis.status}): live event not published`);
      await withTimeout(redis.publish(prefix + topic, JSON.stringify(payload)), publishTimeoutMs);
    },
    async subscribe(topic) {
      // Listen locally first, then wait for Redis to confirm the channel: nothing published after this resolves is lost.
      const iterator = iterate(emitter, topic, () => {
        active.delete(topic);
        subscriber.unsubscribe(prefix + topic).catch((error: unknown) => logger.warn({ err: error, topic }, "unsubscribe failed"));
      });
      if (!active.has(topic)) active.set(topic, subscriber.subscribe(prefix + topic));
      await active.get(topic);
      return iterator;
    },
    async close() {
      emitter.removeAllListeners();
      subscriber.disconnect();
    },
  };
}

export const createPubSub = (redis: Redis | null, logger: Logger): PubSub => (redis ? redisPubSub(redis, logger) : memoryPubSub());

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`live event publish timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

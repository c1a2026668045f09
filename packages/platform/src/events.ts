import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { deadLetteredEvents } from "./event-metrics.js";
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
  /**
   * Resolves true once this subscription's consumer group has applied (acknowledged) every event the stream held when
   * it was called, false if that has not happened within `timeoutMs`. A service whose read model lacks a fact asks
   * this before it refuses or hides anything (read-your-writes across services, see README).
   */
  caughtUp(timeoutMs?: number): Promise<boolean>;
}

/** How long a request may wait for a read model to catch up before it decides with what it has. */
export const CATCH_UP_TIMEOUT_MS = 2_000;
/** Poll interval while waiting for a consumer group to reach the stream head (cheap: one or two Redis calls). */
const CATCH_UP_POLL_MS = 3;

/**
 * At-least-once delivery between services: a stream per producing service, a consumer group per consuming
 * service. Handlers must be idempotent (keyed by event id); an event is acknowledged only after its handler
 * succeeds, so a crash mid-handler redelivers it.
 *
 * `Subscription.stop()` stops reading, lets an in-flight handler finish (bounded: a handler that hangs is
 * abandoned, its event stays unacknowledged and is redelivered) and resolves once nothing else will run.
 * `close()` stops every subscription of the bus.
 */
export interface EventBus {
  publish(stream: string, event: IntegrationEvent): Promise<void>;
  subscribe(stream: string, group: string, consumer: string, handler: EventHandler): Subscription;
  /**
   * False when the stream may have lost its data since the producer last said it was intact (Redis restarted empty,
   * a fresh in-process bus): the producer then publishes every event it kept again (see the outbox relay).
   */
  streamIntact(stream: string): Promise<boolean>;
  markStreamIntact(stream: string): Promise<void>;
  /** Events a group gave up on after its bounded retries, oldest first, with the last error. */
  deadLetters(stream: string): Promise<DeadLetter[]>;
  /**
   * Puts dead letters (of one group, or all) back on their stream, where the group meets them again (other groups
   * skip them: handlers apply each event id once); returns how many.
   */
  replayDeadLetters(stream: string, group?: string): Promise<number>;
  close(): Promise<void>;
}

export interface DeadLetter {
  id: string;
  group: string;
  error: string;
  attempts: number;
  failedAt: string;
  event: IntegrationEvent;
}

/** Attempts per event before a group gives up on it and moves it to the dead letters (with backoff between). */
export const DEFAULT_MAX_ATTEMPTS = 8;
const retryDelay = (attempt: number) => Math.min(RETRY_DELAY_MS * 2 ** (attempt - 1), 2_000);
export const deadLetterStream = (stream: string) => `${stream}:dead-letters`;
const intactKey = (stream: string) => `${stream}:intact`;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1_000);

export const eventStream = (service: string) => `fixup:events:${service}`;

let consumers = 0;
/**
 * A consumer name unique to this service instance, stable across its lifetime (pending entries are claimed back by
 * it). Several instances may share one process (the embedded default, tests): each gets its own name.
 */
export const consumerName = (service: string) => `${service}-${hostname()}-${process.pid}-${++consumers}`;

/** Upper bound on how long stop() waits for an in-flight handler. */
const STOP_GRACE_MS = 5_000;
/** Pause before retrying an event whose handler failed (no hot loop on a poison event). */
const RETRY_DELAY_MS = 200;

type StreamEntry = [id: string, fields: string[] | null];

/** Resolves when `promise` settles or after `ms`, whichever comes first; never rejects. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** A sleep that `interrupt()` ends early (stop() must not wait out a retry delay or an idle wait). */
function interruptibleSleep() {
  let current: (() => void) | undefined;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (current === done) current = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms).unref();
        current = done;
      });
    },
    interrupt() {
      current?.();
    },
  };
}

/** Orders two stream entry ids ("ms-seq"). */
export function compareStreamIds(a: string, b: string): number {
  const [am = "0", as = "0"] = a.split("-");
  const [bm = "0", bs = "0"] = b.split("-");
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/** XINFO GROUPS answers a flat [name, value, …] list per group. */
function groupInfo(groups: unknown, group: string): { pending: number; lastDeliveredId: string } | null {
  if (!Array.isArray(groups)) return null;
  for (const raw of groups) {
    if (!Array.isArray(raw)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < raw.length; i += 2) fields.set(String(raw[i]), raw[i + 1]);
    if (fields.get("name") === group) {
      return { pending: Number(fields.get("pending") ?? 0), lastDeliveredId: String(fields.get("last-delivered-id") ?? "0-0") };
    }
  }
  return null;
}

/** Whether `group` has been delivered, and has acknowledged, every entry up to `head`. */
async function groupHasApplied(redis: Redis, stream: string, group: string, head: string): Promise<boolean> {
  const info = groupInfo(await redis.xinfo("GROUPS", stream), group);
  // No group yet: its consumer is still starting and will read the stream from the beginning.
  if (!info || compareStreamIds(info.lastDeliveredId, head) < 0) return false;
  if (info.pending === 0) return true;
  const pendingUpToHead = (await redis.xpending(stream, group, "-", head, 1)) as unknown[];
  return pendingUpToHead.length === 0;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RedisEventBusOptions {
  logger: Logger;
  /** Approximate cap on stream length (XADD MAXLEN ~). */
  maxLength?: number;
  blockMs?: number;
  /** Pending entries idle this long on a dead consumer are claimed by a live one. */
  claimIdleMs?: number;
  maxAttempts?: number;
}

export function redisEventBus(redis: Redis, options: RedisEventBusOptions): EventBus {
  const { logger, maxLength = 1_000_000, blockMs = 1_000, claimIdleMs = 30_000, maxAttempts = DEFAULT_MAX_ATTEMPTS } = options;
  const subscriptions = new Set<Subscription>();

  const parseEvent = (stream: string, entryId: string, fields: string[]): IntegrationEvent | null => {
    const index = fields.indexOf("event");
    const raw = index >= 0 ? fields[index + 1] : undefined;
    if (!raw) return null;
    try {
      return JSON.parse(raw) as IntegrationEvent;
    } catch (error) {
      // Retrying cannot fix it: acknowledge and move on rather than block the group forever.
      logger.error({ err: error, stream, entryId }, "unparseable stream entry; skipped");
      return null;
    }
  };

  async function readDeadLetters(stream: string): Promise<DeadLetter[]> {
    const entries = (await redis.xrange(deadLetterStream(stream), "-", "+")) as StreamEntry[];
    return entries.flatMap(([id, fields]) => {
      const raw = fields?.[fields.indexOf("letter") + 1];
      return raw ? [{ id, ...(JSON.parse(raw) as Omit<DeadLetter, "id">) }] : [];
    });
  }

  return {
    async publish(stream, event) {
      await redis.xadd(stream, "MAXLEN", "~", String(maxLength), "*", "event", JSON.stringify(event));
    },
    subscribe(stream, group, consumer, handler) {
      // Blocking reads need their own connection.
      const reader = redis.duplicate();
      let running = true;
      let blocked = false;
      const pause = interruptibleSleep();

      const attempts = new Map<string, number>();
      /**
       * Handles entries in order; false when a handler failed (that entry stays pending and goes first next). After
       * `maxAttempts` failures the entry moves to the dead letters (with its error) and the group goes on.
       */
      const handle = async (entries: StreamEntry[]): Promise<boolean> => {
        for (const [entryId, fields] of entries) {
          if (!running) return true;
          // No fields: the entry was trimmed (MAXLEN) or deleted while pending; only the ack is left to do.
          const event = fields ? parseEvent(stream, entryId, fields) : null;
          if (event) {
            try {
              await handler(event);
              attempts.delete(entryId);
            } catch (error) {
              const attempt = (attempts.get(entryId) ?? 0) + 1;
              if (attempt < maxAttempts) {
                attempts.set(entryId, attempt);
                logger.error({ err: error, stream, entryId, type: event.type, attempt }, "event handler failed; will retry");
                await pause.sleep(retryDelay(attempt));
                return false;
              }
              attempts.delete(entryId);
              const letter: Omit<DeadLetter, "id"> = { group, error: errorText(error), attempts: attempt, failedAt: new Date().toISOString(), event };
              await redis.xadd(deadLetterStream(stream), "*", "letter", JSON.stringify(letter));
              deadLetteredEvents.inc({ stream, group });
              logger.error({ err: error, stream, entryId, type: event.type, eventId: event.id, attempts: attempt }, "event moved to the dead letters");
            }
          }
          await reader.xack(stream, group, entryId);
        }
        return true;
      };

      const loop = (async () => {
        let groupReady = false;
        while (running) {
          try {
            if (!groupReady) {
              await reader.xgroup("CREATE", stream, group, "0", "MKSTREAM").catch((error: Error) => {
                if (!error.message.includes("BUSYGROUP")) throw error;
              });
              groupReady = true;
            }
            // Own pending entries first (a previous run of this consumer died before acking, or a handler failed),
            // then stale ones of dead consumers, then new entries.
            const pending = (await reader.xreadgroup("GROUP", group, consumer, "COUNT", 100, "STREAMS", stream, "0")) as
              | Array<[string, StreamEntry[]]>
              | null;
            const mine = pending?.[0]?.[1] ?? [];
            if (mine.length) {
              await handle(mine);
              continue;
            }
            const claimed = (await reader.xautoclaim(stream, group, consumer, claimIdleMs, "0-0", "COUNT", 100)) as [
              string,
              StreamEntry[],
            ];
            if (claimed[1]?.length) {
              await handle(claimed[1]);
              continue;
            }
            if (!running) break;
            blocked = true;
            let fresh: Array<[string, StreamEntry[]]> | null;
            try {
              fresh = (await reader.xreadgroup(
                "GROUP", group, consumer, "COUNT", 100, "BLOCK", blockMs, "STREAMS", stream, ">",
              )) as Array<[string, StreamEntry[]]> | null;
            } finally {
              blocked = false;
            }
            if (fresh?.[0]) await handle(fresh[0][1]);
          } catch (error) {
            if (!running) break;
            // The stream (and with it the group) vanished: deleted, or Redis restarted without persistence.
            if (error instanceof Error && error.message.includes("NOGROUP")) groupReady = false;
            logger.error({ err: error, stream, group }, "event consumer error; retrying");
            await pause.sleep(500);
          }
        }
      })();

      let stopped: Promise<void> | undefined;
      const subscription: Subscription = {
        async caughtUp(timeoutMs = CATCH_UP_TIMEOUT_MS) {
          const deadline = Date.now() + timeoutMs;
          try {
            const last = (await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as StreamEntry[];
            const head = last[0]?.[0];
            if (!head) return true; // nothing was ever published (or the stream is gone)
            for (;;) {
              if (await groupHasApplied(redis, stream, group, head)) return true;
              if (Date.now() >= deadline) return false;
              await sleep(CATCH_UP_POLL_MS);
            }
          } catch (error) {
            logger.warn({ err: error, stream, group }, "read-model catch-up check failed");
            return false;
          }
        },
        stop() {
          stopped ??= (async () => {
            running = false;
            pause.interrupt();
            // Interrupt a blocking read; anything else (a handler and its ack) is let finish, within bounds. A handler
            // still running past claimIdleMs may have had its entry claimed by another consumer already.
            if (blocked) reader.disconnect();
            await settleWithin(loop, Math.min(claimIdleMs, STOP_GRACE_MS));
            reader.disconnect();
            subscriptions.delete(subscription);
          })();
          return stopped;
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async streamIntact(stream) {
      return (await redis.exists(intactKey(stream))) === 1;
    },
    async markStreamIntact(stream) {
      await redis.set(intactKey(stream), new Date().toISOString());
    },
    deadLetters: readDeadLetters,
    async replayDeadLetters(stream, group) {
      let replayed = 0;
      for (const letter of await readDeadLetters(stream)) {
        if (group && letter.group !== group) continue;
        await redis.xadd(stream, "MAXLEN", "~", String(maxLength), "*", "event", JSON.stringify(letter.event));
        await redis.xdel(deadLetterStream(stream), letter.id);
        replayed++;
      }
      return replayed;
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}

/**
 * Single-process stand-in with the same semantics (groups, ack after success, redelivery on failure), for the
 * embedded default where every service shares one Node process. The consumers of one group take turns: an event
 * is handled by one of them at a time, never by two.
 */
export function memoryEventBus(logger: Logger, { maxAttempts = DEFAULT_MAX_ATTEMPTS }: { maxAttempts?: number } = {}): EventBus {
  const streams = new Map<string, IntegrationEvent[]>();
  const intact = new Set<string>();
  const dead = new Map<string, DeadLetter[]>();
  let letters = 0;
  /** Per stream+group: the next unacknowledged event, and which subscription is handling it. */
  const groups = new Map<string, { offset: number; owner: object | null }>();
  const wakers = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
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
      const key = `${stream}\u0000${group}`;
      const state = groups.get(key) ?? { offset: 0, owner: null };
      groups.set(key, state);
      const self = {};
      let running = true;
      const pause = interruptibleSleep();
      const attempts = new Map<number, number>();
      const release = () => {
        if (state.owner !== self) return;
        state.owner = null;
        wake(); // another consumer of the group may be waiting for its turn
      };
      const loop = (async () => {
        while (running) {
          const offset = state.offset;
          const event = state.owner ? undefined : streams.get(stream)?.[offset];
          if (!event) {
            wakers.add(pause.interrupt);
            await pause.sleep(1_000);
            wakers.delete(pause.interrupt);
            continue;
          }
          state.owner = self;
          let failed = 0;
          try {
            // A copy per delivery, as Redis parses one: a handler mutating its event cannot affect another group.
            await handler(structuredClone(event));
            // Unless stop() gave up on this handler and another consumer has moved on meanwhile.
            if (state.offset === offset) state.offset = offset + 1;
            attempts.delete(offset);
          } catch (error) {
            const attempt = (attempts.get(offset) ?? 0) + 1;
            if (attempt < maxAttempts) {
              attempts.set(offset, attempt);
              logger.error({ err: error, stream, type: event.type, attempt }, "event handler failed; will retry");
              failed = attempt;
            } else {
              attempts.delete(offset);
              const list = dead.get(stream) ?? [];
              list.push({ id: String(++letters), group, error: errorText(error), attempts: attempt, failedAt: new Date().toISOString(), event: structuredClone(event) });
              dead.set(stream, list);
              deadLetteredEvents.inc({ stream, group });
              logger.error({ err: error, stream, type: event.type, eventId: event.id, attempts: attempt }, "event moved to the dead letters");
              if (state.offset === offset) state.offset = offset + 1;
            }
          } finally {
            release();
          }
          if (failed && running) await pause.sleep(retryDelay(failed));
        }
      })();
      let stopped: Promise<void> | undefined;
      const subscription: Subscription = {
        async caughtUp(timeoutMs = CATCH_UP_TIMEOUT_MS) {
          const deadline = Date.now() + timeoutMs;
          const head = streams.get(stream)?.length ?? 0;
          // The group's offset only passes an event once its handler succeeded.
          while (state.offset < head) {
            if (Date.now() >= deadline) return false;
            await sleep(CATCH_UP_POLL_MS);
          }
          return true;
        },
        stop() {
          stopped ??= (async () => {
            running = false;
            pause.interrupt();
            await settleWithin(loop, STOP_GRACE_MS);
            release(); // a hanging handler must not hold the group's turn forever
            subscriptions.delete(subscription);
          })();
          return stopped;
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async streamIntact(stream) {
      return intact.has(stream);
    },
    async markStreamIntact(stream) {
      intact.add(stream);
    },
    async deadLetters(stream) {
      return structuredClone(dead.get(stream) ?? []);
    },
    async replayDeadLetters(stream, group) {
      const list = dead.get(stream) ?? [];
      const replay = list.filter((l) => !group || l.group === group);
      dead.set(stream, list.filter((l) => !replay.includes(l)));
      const events = streams.get(stream) ?? [];
      events.push(...replay.map((l) => l.event));
      streams.set(stream, events);
      wake();
      return replay.length;
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}

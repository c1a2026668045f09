import { memoryEventBus, redisEventBus, type EventBus } from "./events.js";
import type { ReadinessCheck } from "./http.js";
import type { Logger } from "./logger.js";
import { createPubSub, type PubSub } from "./pubsub.js";
import { createRedis, type Redis } from "./redis.js";
import { memoryRevocations, redisRevocations, type AccountRevocations } from "./revocations.js";

/** What a caller may hand a service: the embedded default shares one bus and pub/sub across all services. */
export interface MessagingOptions {
  redis?: Redis | null;
  bus?: EventBus;
  pubsub?: PubSub;
}

/** What every service's start function accepts besides its config (tests and the embedded default pass these). */
export interface ServiceOptions extends MessagingOptions {
  logger?: Logger;
  /** Test hook: sees every SQL statement the service's Prisma client sends. */
  onQuery?: (sql: string) => void;
}

export interface Messaging {
  redis: Redis | null;
  /** Integration events between services (Redis Streams, or in-process without Redis). */
  readonly bus: EventBus;
  /** Live fan-out for subscriptions (Redis pub/sub, or in-process without Redis). */
  readonly pubsub: PubSub;
  /** Accounts whose tokens no longer work (Redis, or a process-wide stand-in without it). */
  readonly revocations: AccountRevocations;
  readiness: ReadinessCheck[];
  /** Releases only what was created here, never what the caller passed in. */
  close(): Promise<void>;
}

/**
 * One service instance's Redis client, event bus and pub/sub: the caller's where given, otherwise built from
 * REDIS_URL. The bus and pub/sub are created on first use (pub/sub holds its own Redis connection).
 */
export function connectMessaging(redisUrl: string | undefined, logger: Logger, given: MessagingOptions = {}): Messaging {
  const ownRedis = given.redis === undefined && (!given.bus || !given.pubsub) ? createRedis(redisUrl) : null;
  const redis = given.redis ?? ownRedis;
  let bus = given.bus;
  let pubsub = given.pubsub;
  return {
    redis,
    get bus() {
      bus ??= redis ? redisEventBus(redis, { logger }) : memoryEventBus(logger);
      return bus;
    },
    get pubsub() {
      pubsub ??= createPubSub(redis, logger);
      return pubsub;
    },
    revocations: redis ? redisRevocations(redis) : memoryRevocations(),
    readiness: redis ? [{ name: "redis", check: () => redis.ping() }] : [],
    async close() {
      if (bus && bus !== given.bus) await bus.close();
      if (pubsub && pubsub !== given.pubsub) await pubsub.close();
      await ownRedis?.quit().catch(() => ownRedis.disconnect());
    },
  };
}

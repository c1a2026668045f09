import { Redis } from "ioredis";

export type { Redis };

/** Null when REDIS_URL is unset: callers pick their in-process stand-in (embedded default). */
export function createRedis(url: string | undefined): Redis | null {
  if (!url) return null;
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
}

// Vitest global setup: the servers every test file shares, found or started once before the workers fork (they
// inherit process.env, so TEST_SERVER_URL, TEST_REDIS_URL and every DATABASE_URL reader see the same servers).
// PostgreSQL: DATABASE_URL, else an embedded server in a temporary directory. Redis: REDIS_URL, else one answering
// on 127.0.0.1:6379, else a container when a Docker engine is reachable.
import { startThrowawayPostgres } from "@fixup/platform";
import { findOrStartRedis } from "./redis-server.js";

export default async function setup(): Promise<() => Promise<void>> {
  const teardown: Array<() => Promise<void>> = [];
  try {
    if (!process.env.DATABASE_URL) {
      const pg = await startThrowawayPostgres();
      teardown.push(pg.stop);
      process.env.DATABASE_URL = pg.url;
    }
    const redis = await findOrStartRedis(process.env.REDIS_URL);
    if (redis.stop) teardown.push(redis.stop);
    process.env.REDIS_URL = redis.url;
  } catch (error) {
    for (const stop of teardown.reverse()) await stop();
    throw error;
  }
  return async () => {
    for (const stop of teardown.reverse()) await stop();
  };
}

import pg from "pg";
import { Gauge } from "prom-client";

// The process's Prisma pools by service; read when /metrics is scraped, so nothing runs between scrapes.
const pools = new Map<pg.Pool, { service: string; max: number }>();

/**
 * Client-side pool use: connections in use and idle, requests waiting for one, and the pool's size. Added to every
 * service's registry (see createMetrics); two instances of a service in one process (tests) add up.
 */
export const dbPoolConnections = new Gauge({
  name: "db_pool_connections",
  help: "Postgres client pool by service: connections in_use and idle, requests waiting, and max (the pool size)",
  labelNames: ["pool", "state"],
  registers: [],
  collect() {
    this.reset();
    for (const [pool, { service, max }] of pools) {
      this.inc({ pool: service, state: "in_use" }, pool.totalCount - pool.idleCount);
      this.inc({ pool: service, state: "idle" }, pool.idleCount);
      this.inc({ pool: service, state: "waiting" }, pool.waitingCount);
      this.inc({ pool: service, state: "max" }, max);
    }
  },
});

/** The pg pool behind a service's Prisma client (`new PrismaPg(pool, { disposeExternalPool: true })`), measured. */
export function createDbPool(service: string, connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pools.set(pool, { service, max });
  const end = pool.end.bind(pool) as () => Promise<void>;
  pool.end = (() => {
    pools.delete(pool);
    return end();
  }) as typeof pool.end;
  return pool;
}

import type { TrustProxy } from "./config.js";
import { consumerName, eventStream, type EventHandler, type Subscription } from "./events.js";
import type { ReadinessCheck } from "./http.js";
import { createLogger, type Logger } from "./logger.js";
import { connectMessaging, type Messaging, type ServiceOptions } from "./messaging.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { applyMigrations } from "./migrations.js";
import { startOutboxRelay, type OutboxRelay } from "./outbox.js";
import { usersTokenVerifier } from "./revocations.js";
import { startSubgraphServer, type RequestContext, type RunningServer, type SubgraphServerOptions } from "./server.js";
import type { TokenVerifier } from "./auth.js";

/** The configuration every subgraph shares (baseEnv plus its database pool). */
export interface ServiceRuntimeConfig {
  NODE_ENV: string;
  LOG_LEVEL: string;
  REDIS_URL?: string | undefined;
  BIND_HOST: string;
  TRUST_PROXY: TrustProxy;
  METRICS_MAX_OPERATIONS: number;
  DB_POOL_SIZE: number;
}

/** What startService needs of a service's Prisma client. */
export interface PrismaLike {
  $queryRaw(query: TemplateStringsArray): Promise<unknown>;
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
}

export interface ServiceSpec<P extends PrismaLike> {
  name: "users" | "catalog" | "orders" | "chat";
  config: ServiceRuntimeConfig;
  databaseUrl: string;
  port: number;
  migrationsDir: string;
  createPrisma: (databaseUrl: string, poolSize: number, onQuery?: (sql: string) => void) => P;
  /** The service writes integration events to its outbox: run the relay (and answer mutations after it published). */
  publishes?: boolean;
  options?: ServiceOptions;
}

/** What a service's wiring gets to build its use cases from; everything here is released when the service stops. */
export interface ServiceRuntime<P extends PrismaLike> {
  logger: Logger;
  prisma: P;
  messaging: Messaging;
  metrics: Metrics;
  relay?: OutboxRelay;
  /** Consumes `source`'s integration events as this service's consumer group; stopped first on close. */
  consume(source: string, handler: EventHandler): Subscription;
  /** Runs on close (in registration order) after the consumers stop and before the relay, Prisma and Redis go. */
  onClose(close: () => Promise<void>): void;
  /** Access tokens checked against users' JWKS and the account revocations. */
  usersVerifier(usersUrl: string): TokenVerifier;
}

/** The service-specific half of the server; startService supplies the rest from the spec and the runtime. */
export type ServiceParts<TContext extends RequestContext> = Omit<
  SubgraphServerOptions<TContext>,
  "name" | "port" | "host" | "trustProxy" | "production" | "logger" | "metrics" | "readiness" | "outbox" | "onClose"
> & {
  /** Checks beyond Postgres and Redis. */
  readiness?: ReadinessCheck[];
};

/**
 * The one start-up sequence of every subgraph: migrate → Prisma → messaging → metrics → outbox relay → the service's
 * own wiring (use cases, consumers) → HTTP server. Stopping releases in reverse; a start that fails at any step
 * releases what the earlier steps opened, so a failed start leaves no relay, consumer or connection running.
 */
export async function startService<P extends PrismaLike, TContext extends RequestContext>(
  spec: ServiceSpec<P>,
  assemble: (runtime: ServiceRuntime<P>) => ServiceParts<TContext> | Promise<ServiceParts<TContext>>,
): Promise<RunningServer> {
  const { name, config, options = {} } = spec;
  const logger = options.logger ?? createLogger(name, config.LOG_LEVEL);
  await applyMigrations(spec.databaseUrl, spec.migrationsDir);
  const prisma = spec.createPrisma(spec.databaseUrl, config.DB_POOL_SIZE, options.onQuery);
  const messaging = connectMessaging(config.REDIS_URL, logger, options);
  const subscriptions: Subscription[] = [];
  const closers: Array<() => Promise<void>> = [];
  let relay: OutboxRelay | undefined;

  const release = async (quiet: boolean) => {
    const step = async (what: () => Promise<unknown>) => {
      if (!quiet) return void (await what());
      await what().catch((error: unknown) => logger.warn({ err: error }, "release after a failed start"));
    };
    for (const s of subscriptions) await step(() => s.stop());
    for (const close of closers) await step(close);
    if (relay) await step(() => (relay as OutboxRelay).stop());
    // Prisma ends a driver adapter's pool on $disconnect only once the client has connected: a service stopped before
    // its first query would leave its pool open (and counted in db_pool_connections). A failed connect changes nothing.
    await step(async () => {
      await prisma.$connect().catch(() => undefined);
      await prisma.$disconnect();
    });
    await step(() => messaging.close());
  };

  try {
    const metrics = createMetrics(name, { maxOperations: config.METRICS_MAX_OPERATIONS });
    if (spec.publishes) relay = startOutboxRelay({ databaseUrl: spec.databaseUrl, service: name, bus: messaging.bus, logger });
    const parts = await assemble({
      logger,
      prisma,
      messaging,
      metrics,
      ...(relay ? { relay } : {}),
      consume: (source, handler) => {
        const subscription = messaging.bus.subscribe(eventStream(source), name, consumerName(name), handler);
        subscriptions.push(subscription);
        return subscription;
      },
      onClose: (close) => void closers.push(close),
      usersVerifier: (usersUrl) => usersTokenVerifier(usersUrl, messaging.revocations, logger),
    });
    return await startSubgraphServer<TContext>({
      ...parts,
      name,
      port: spec.port,
      host: config.BIND_HOST,
      trustProxy: config.TRUST_PROXY,
      production: config.NODE_ENV === "production",
      logger,
      metrics,
      readiness: [{ name: "postgres", check: () => prisma.$queryRaw`SELECT 1` }, ...messaging.readiness, ...(parts.readiness ?? [])],
      ...(relay ? { outbox: relay } : {}),
      onClose: () => release(false),
    });
  } catch (error) {
    await release(true);
    throw error;
  }
}

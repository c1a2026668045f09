import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ApolloServerPlugin } from "@apollo/server";
import { dbPoolConnections } from "./db-pool.js";
import { deadLetteredEvents } from "./event-metrics.js";

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  graphqlDuration: Histogram<"operation" | "type" | "outcome">;
  graphqlErrors: Counter<"operation" | "code">;
  wsSubscriptions: Gauge;
  /** The `operation` label for an operation name: bounded in count, length and charset (see operationLabels). */
  operationLabel: (name: string | null | undefined) => string;
  liveEventsDropped: Counter<"event">;
}

export interface MetricsOptions {
  /** Distinct operation names kept as labels (METRICS_MAX_OPERATIONS); every later name is `other`. */
  maxOperations?: number;
}

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * Operation names are chosen by clients, and every distinct label value is a new time series: the first `max`
 * well-formed names seen are kept, anything later (or not a GraphQL name of at most 64 characters) is `other`.
 */
export function operationLabels(max: number): (name: string | null | undefined) => string {
  const known = new Set<string>();
  return (name) => {
    if (!name) return "anonymous";
    if (known.has(name)) return name;
    if (!OPERATION_NAME.test(name) || known.size >= max) return "other";
    known.add(name);
    return name;
  };
}

/** One registry per service instance, so several services in one process (embedded mode) do not collide. */
export function createMetrics(service: string, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(deadLetteredEvents);
  registry.registerMetric(dbPoolConnections);
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by route and status",
      labelNames: ["method", "route", "status"],
      buckets,
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "graphql_request_duration_seconds",
      help: "GraphQL request duration by operation name",
      labelNames: ["operation", "type", "outcome"],
      buckets,
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: "graphql_errors_total",
      help: "GraphQL errors by operation and code",
      labelNames: ["operation", "code"],
      registers: [registry],
    }),
    wsSubscriptions: new Gauge({
      name: "graphql_ws_active_subscriptions",
      help: "graphql-ws subscriptions currently running",
      registers: [registry],
    }),
    operationLabel: operationLabels(options.maxOperations ?? 100),
    liveEventsDropped: new Counter({
      name: "live_events_dropped_total",
      help: "Live (subscription) events not published because Redis pub/sub was unavailable",
      labelNames: ["event"],
      registers: [registry],
    }),
  };
}

export function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      return {
        async willSendResponse(ctx) {
          // The resolved operation's own name only: a request's operationName is any string a client sends.
          const operation = ctx.operation ? metrics.operationLabel(ctx.operation.name?.value) : "invalid";
          const errors = ctx.errors ?? [];
          for (const e of errors) {
            metrics.graphqlErrors.inc({ operation, code: String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
          }
          end({ operation, type: ctx.operation?.operation ?? "unknown", outcome: errors.length ? "error" : "ok" });
        },
      };
    },
  };
}

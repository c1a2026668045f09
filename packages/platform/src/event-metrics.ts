import { Counter } from "prom-client";

/**
 * Events a consumer group gave up on. Created once per process and added to every service's registry (see
 * createMetrics), since the event bus is built before, and apart from, a service's metrics.
 */
export const deadLetteredEvents = new Counter({
  name: "events_dead_lettered_total",
  help: "Integration events moved to the dead letters after their retries, by stream and consumer group",
  labelNames: ["stream", "group"],
  registers: [],
});

import type { Counter } from "prom-client";
import type { Logger } from "./logger.js";
import type { JsonObject } from "./outbox.js";
import type { PubSub } from "./pubsub.js";

/** Publishes one live event (`event` names it for the drop metric); returns at once, never fails. */
export type LivePublish = (event: string, topic: string, payload: JsonObject) => void;

/**
 * Live events are best-effort notifications of an already committed change (a subscriber can always re-query):
 * a request never waits for them, and one that cannot be delivered (Redis away) is dropped, counted and logged
 * instead of stalling or failing the mutation that caused it.
 */
export function bestEffortPublisher(pubsub: PubSub, logger: Logger, dropped: Counter<"event">): LivePublish {
  return (event, topic, payload) => {
    pubsub.publish(topic, payload).catch((error: unknown) => {
      dropped.inc({ event });
      logger.warn({ err: error, event, topic }, "live event dropped");
    });
  };
}

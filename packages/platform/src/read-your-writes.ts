import type { ApolloServerPlugin } from "@apollo/server";
import type { Subscription } from "./events.js";
import type { Logger } from "./logger.js";
import type { OutboxRelay } from "./outbox.js";

/**
 * Read-your-writes across services, the producer's half: a mutation's answer leaves only once the integration events
 * its transaction wrote are in the stream, so the next request — to any service — can find them there. The consumer's
 * half is `Subscription.caughtUp()`: a read model that lacks a fact catches up to the stream head before it decides.
 *
 * The wait is bounded: while Redis is unreachable the answer goes out anyway and the relay publishes later (the
 * outbox row is committed, so nothing is lost; only the other services learn it late).
 */
export const PUBLISH_WAIT_MS = 2_000;

export async function publishCommitted(relay: OutboxRelay, logger: Logger, waitMs = PUBLISH_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), waitMs);
  });
  try {
    const outcome = await Promise.race([relay.flush().then(() => "published" as const), timedOut]);
    if (outcome === "timeout") logger.warn({ waitMs }, "outbox not published in time; the relay will publish it later");
  } catch (error) {
    logger.warn({ err: error }, "outbox publish after commit failed; the relay will publish it later");
  } finally {
    clearTimeout(timer);
  }
}

/** Every mutation (present and future) of a subgraph publishes what it committed before it answers. */
export function publishBeforeAnswerPlugin<TContext extends object>(relay: OutboxRelay, logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation === "mutation") await publishCommitted(relay, logger);
        },
      };
    },
  };
}

/** The consumer's half as a service sees it: "has my read model applied everything published so far?" */
export type ReadModelFreshness = Pick<Subscription, "caughtUp">;

/** For a service used without a consumer (unit tests of the service layer): its read model is what it is. */
export const alwaysCaughtUp: ReadModelFreshness = { caughtUp: async () => true };

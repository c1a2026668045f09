// bench:chat's subscribers: `count` graphql-ws clients on one conversation, run in bench:chat's process or in a child
// process of it (--client-workers). Latency is wall clock: the sender writes its send time into the message body.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface SubscriberJob {
  wsUrl: string;
  /** Authorization values, used in turn. */
  authorizations: string[];
  conversationId: string;
  count: number;
  /** At most this many connections being set up at once (a real fleet does not connect 10,000 sockets in one tick). */
  connecting: number;
}

export interface SubscriberTally {
  latencies: number[];
  delivered: number;
  /** Connections acknowledged by the gateway. */
  connected: number;
  /** Subscriber errors by their message (close code and reason for a closed socket). */
  errors: Record<string, number>;
}

const QUERY = "subscription($c: ID!) { messageAdded(conversationId: $c) { id body createdAt sender { name } } }";

const describeError = (error: unknown): string => {
  if (error && typeof error === "object" && "code" in error && "reason" in error) return `close ${String(error.code)} ${String(error.reason)}`;
  if (Array.isArray(error)) return `graphql ${error.map((e: { message?: string }) => e.message).join("; ")}`;
  if (error && typeof error === "object" && "message" in error) return String(error.message);
  if (error && typeof error === "object" && "type" in error) return `event ${String(error.type)}`;
  return error instanceof Error ? error.message : String(error);
};

export function openSubscribers(job: SubscriberJob): { tally: SubscriberTally; dispose(): Promise<void> } {
  const tally: SubscriberTally = { latencies: [], delivered: 0, connected: 0, errors: {} };
  const clients: Client[] = [];
  let inFlight = 0;
  let disposed = false;
  const openNext = () => {
    while (!disposed && inFlight < job.connecting && clients.length < job.count) open(clients.length);
  };
  const open = (i: number) => {
    inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      inFlight--;
      setImmediate(openNext);
    };
    const client = createClient({
      url: job.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: job.authorizations[i % job.authorizations.length] },
      retryAttempts: 0,
      on: {
        connected: () => {
          tally.connected++;
          settle();
        },
        closed: settle,
      },
    });
    clients.push(client);
    client.subscribe<{ messageAdded: { body: string } }>(
      { query: QUERY, variables: { c: job.conversationId } },
      {
        next: (result) => {
          const sentAt = Number(result.data?.messageAdded.body.split(" ")[1]);
          if (!Number.isFinite(sentAt)) return; // the warm-up message: not timed, not counted
          tally.latencies.push(performance.timeOrigin + performance.now() - sentAt);
          tally.delivered++;
        },
        error: (error) => {
          const key = describeError(error);
          tally.errors[key] = (tally.errors[key] ?? 0) + 1;
          settle();
        },
        complete: () => undefined,
      },
    );
  };
  openNext();
  return {
    tally,
    dispose: async () => {
      disposed = true;
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

// As a child process (forked with the job as its argument): answer "tally" requests, report and exit on "stop".
if (process.send && process.argv[2]) {
  const running = openSubscribers(JSON.parse(process.argv[2]) as SubscriberJob);
  // graphql-ws's client can reject a connect promise nobody awaits when a socket fails mid-handshake: count it as
  // that subscriber's error instead of losing the whole process (and every other subscriber's tally) to it.
  process.on("unhandledRejection", (reason) => {
    const key = `unhandled ${describeError(reason)}`;
    running.tally.errors[key] = (running.tally.errors[key] ?? 0) + 1;
  });
  process.on("message", async (message: string) => {
    if (message === "tally") process.send?.({ progress: { delivered: running.tally.delivered, connected: running.tally.connected, errors: Object.values(running.tally.errors).reduce((a, b) => a + b, 0) } });
    if (message === "stop") {
      // Disconnect only once the tally is written: a large one can still be in the channel when send() returns.
      await new Promise<void>((resolve) => process.send?.({ final: running.tally }, undefined, {}, () => resolve()));
      await running.dispose();
      process.disconnect();
    }
  });
}

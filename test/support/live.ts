import { afterAll, beforeAll, vi } from "vitest";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";

type ExecutionResult<T> = FormattedExecutionResult<T, unknown>;
import WebSocket from "ws";
import { startFederation, type Federation, type FederationOptions } from "./federation.js";

export interface LiveSubscription<T> {
  /** The next event (or error) within `timeoutMs`. */
  next(timeoutMs?: number): Promise<ExecutionResult<T>>;
  /** Everything received so far. */
  received: Array<ExecutionResult<T>>;
  /** Resolves when the server completes or errors the subscription; the error if there was one. */
  ended: Promise<unknown>;
  close(): Promise<void>;
}

export function wsClient(httpUrl: string, token: string | undefined): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/** Subscribes and queues events, so a test can act and then await what arrived. */
export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const received: Array<ExecutionResult<T>> = [];
  const waiters: Array<(r: ExecutionResult<T>) => void> = [];
  let consumed = 0;
  let endResolve: (v: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (endResolve = resolve));
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        received.push(value);
        waiters.shift()?.(value);
      },
      error: (error) => {
        const asResult = { errors: Array.isArray(error) ? error : [{ message: String((error as { reason?: string }).reason ?? error), extensions: { closeCode: (error as { code?: number }).code } }] } as ExecutionResult<T>;
        received.push(asResult);
        waiters.shift()?.(asResult);
        endResolve(error);
      },
      complete: () => endResolve(undefined),
    },
  );
  return {
    received,
    ended,
    next(timeoutMs = 5_000) {
      if (received.length > consumed) return Promise.resolve(received[consumed++] as ExecutionResult<T>);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((r) => {
          clearTimeout(timer);
          consumed++;
          resolve(r);
        });
      });
    },
    async close() {
      dispose();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** graphql-ws subscriptions the given subgraph instances are serving right now (their /metrics gauge). */
export async function liveSubscriptions(serviceUrls: string[]): Promise<number> {
  let total = 0;
  for (const url of serviceUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    total += Number(/^graphql_ws_active_subscriptions(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

/**
 * Waits until the subgraphs serve at least `count` subscriptions: from then on an event is delivered. (graphql-ws
 * has no "subscribed" acknowledgement, so without this a test could act before the subscription is live.)
 */
export const untilLive = (serviceUrls: string[], count: number, timeout = 10_000): Promise<void> =>
  vi.waitFor(async () => {
    if ((await liveSubscriptions(serviceUrls)) < count) throw new Error(`fewer than ${count} live subscriptions after ${timeout} ms`);
  }, { timeout, interval: 25 });

/**
 * A federation for one test file and the graphql-ws clients its tests open (`track`), all closed after the file —
 * the set-up every live-subscription test shares.
 */
export function useLiveFederation(options?: FederationOptions) {
  let fed: Federation | undefined;
  const clients: Client[] = [];
  beforeAll(async () => {
    fed = await startFederation(options);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await fed?.stop();
  });
  return {
    get fed(): Federation {
      if (!fed) throw new Error("the federation is not up (used outside a test?)");
      return fed;
    },
    track<C extends Client>(client: C): C {
      clients.push(client);
      return client;
    },
  };
}

import { createClient, type Client, type FormattedExecutionResult, type Sink } from "graphql-ws";
import WebSocket from "ws";

export type UpstreamEvent = FormattedExecutionResult<Record<string, unknown>, unknown>;

interface SharedClient {
  client: Client;
  refs: number;
}

interface SharedSubscription {
  sinks: Set<Sink<UpstreamEvent>>;
  dispose: () => void;
}

const toWsUrl = (httpUrl: string) => httpUrl.replace(/^http/, "ws");

/**
 * Upstream graphql-ws connections of one gateway instance. Sockets are shared per (subgraph, credentials), and
 * identical subscriptions (same credentials, query and variables) share one upstream subscription fanned out to
 * every local subscriber, so a thousand browser tabs on one conversation cost the subgraph one subscription.
 */
export class UpstreamHub {
  private readonly clients = new Map<string, SharedClient>();
  private readonly subscriptions = new Map<string, SharedSubscription>();

  constructor(private readonly subgraphUrls: Record<string, string>) {}

  /** Adds `sink` to the (possibly shared) upstream subscription; the returned function leaves it. */
  join(subgraph: string, authorization: string, payload: { query: string; variables: Record<string, unknown> }, sink: Sink<UpstreamEvent>): () => void {
    const key = JSON.stringify([subgraph, authorization, payload.query, payload.variables]);
    let shared = this.subscriptions.get(key);
    if (!shared) {
      const { client, release } = this.acquire(subgraph, authorization);
      const sinks = new Set<Sink<UpstreamEvent>>();
      const finish = () => {
        if (this.subscriptions.get(key) === entry) this.subscriptions.delete(key);
        release();
      };
      const entry: SharedSubscription = { sinks, dispose: () => undefined };
      const disposeUpstream = client.subscribe<Record<string, unknown>>(payload, {
        next: (event) => {
          for (const s of [...sinks]) s.next(event);
        },
        error: (error) => {
          finish();
          for (const s of [...sinks]) s.error(error);
        },
        complete: () => {
          finish();
          for (const s of [...sinks]) s.complete();
        },
      });
      entry.dispose = () => {
        disposeUpstream();
        finish();
      };
      this.subscriptions.set(key, entry);
      shared = entry;
    }
    const joined = shared;
    joined.sinks.add(sink);
    return () => {
      joined.sinks.delete(sink);
      if (joined.sinks.size === 0) joined.dispose();
    };
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions.values()) s.dispose();
    this.subscriptions.clear();
    await Promise.all([...this.clients.values()].map((c) => c.client.dispose()));
    this.clients.clear();
  }

  private acquire(subgraph: string, authorization: string): { client: Client; release: () => void } {
    const key = `${subgraph}\u0000${authorization}`;
    let shared = this.clients.get(key);
    if (!shared) {
      const base = this.subgraphUrls[subgraph];
      if (!base) throw new Error(`No URL for subgraph ${subgraph}`);
      shared = {
        refs: 0,
        client: createClient({
          url: toWsUrl(base),
          webSocketImpl: WebSocket,
          connectionParams: { authorization },
          lazy: true,
          lazyCloseTimeout: 0,
          retryAttempts: 0,
        }),
      };
      this.clients.set(key, shared);
    }
    const held = shared;
    held.refs += 1;
    let released = false;
    return {
      client: held.client,
      release: () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs === 0 && this.clients.get(key) === held) {
          this.clients.delete(key);
          void held.client.dispose();
        }
      },
    };
  }
}

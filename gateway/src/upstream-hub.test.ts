import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Sink } from "graphql-ws";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { WebSocketServer } from "ws";
import { UpstreamHub, type UpstreamEvent } from "./upstream-hub.js";

// A real graphql-ws subgraph stand-in whose events the test drives, counting sockets and live subscriptions.
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Tick { id: ID! }
  type Subscription { ticks(topic: String!): Tick! }
`);

interface Upstream {
  url: string;
  sockets: () => number;
  live: () => number;
  /** Connection params of every socket opened, in order. */
  auth: string[];
  emit(topic: string, id: string): void;
  fail(topic: string): void;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: "/graphql" });
  const listeners = new Map<string, Set<(value: { id: string } | Error) => void>>();
  let live = 0;
  const auth: string[] = [];
  useServer(
    {
      schema,
      onConnect: (ctx) => void auth.push(String((ctx.connectionParams as { authorization?: string } | undefined)?.authorization)),
      roots: {
        subscription: {
          // A hand-made iterator: unlike an async generator parked in an await, its return() runs at once when the
          // client leaves, so `live` counts exactly the upstream subscriptions the server still serves.
          ticks: ({ topic }: { topic: string }): AsyncIterableIterator<{ ticks: { id: string } }> => {
            const queue: Array<{ id: string } | Error> = [];
            let wake: (() => void) | undefined;
            let done = false;
            const push = (value: { id: string } | Error) => {
              queue.push(value);
              wake?.();
            };
            const set = listeners.get(topic) ?? new Set();
            set.add(push);
            listeners.set(topic, set);
            live++;
            const finish = () => {
              if (done) return;
              done = true;
              live--;
              set.delete(push);
              wake?.();
            };
            const iterator: AsyncIterableIterator<{ ticks: { id: string } }> = {
              async next() {
                while (!queue.length && !done) await new Promise<void>((resolve) => (wake = resolve));
                const next = queue.shift();
                if (done || !next) return { done: true, value: undefined };
                if (next instanceof Error) {
                  finish();
                  throw next;
                }
                return { done: false, value: { ticks: next } };
              },
              async return() {
                finish();
                return { done: true, value: undefined };
              },
              [Symbol.asyncIterator]: () => iterator,
            };
            return iterator;
          },
        },
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    sockets: () => wss.clients.size,
    live: () => live,
    auth,
    emit: (topic, id) => listeners.get(topic)?.forEach((push) => push({ id })),
    fail: (topic) => listeners.get(topic)?.forEach((push) => push(new Error("upstream broke"))),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** A sink that records what reaches one local subscriber. */
function recorder() {
  const events: string[] = [];
  let error: unknown;
  let completed = false;
  const sink: Sink<UpstreamEvent> = {
    next: (e) => void events.push(String((e.data?.ticks as { id: string } | undefined)?.id)),
    error: (e) => {
      error = e;
    },
    complete: () => void (completed = true),
  };
  return { sink, events, error: () => error, completed: () => completed };
}

const ticks = (topic: string) => ({ query: "subscription($t: String!) { ticks(topic: $t) { id } }", variables: { t: topic } });

let upstream: Upstream;
let hub: UpstreamHub;
beforeEach(async () => {
  upstream = await startUpstream();
  hub = new UpstreamHub({ chat: `${upstream.url}/graphql` });
});
afterEach(async () => {
  await hub.close();
  await upstream.close();
});

describe("UpstreamHub", () => {
  test("identical subscriptions share one upstream subscription and socket; each subscriber gets every event", async () => {
    const [a, b] = [recorder(), recorder()];
    hub.join("chat", "Bearer x", ticks("t1"), a.sink);
    hub.join("chat", "Bearer x", ticks("t1"), b.sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(1));
    upstream.emit("t1", "1");
    upstream.emit("t1", "2");
    await vi.waitFor(() => expect([a.events, b.events]).toEqual([["1", "2"], ["1", "2"]]));
    expect(upstream.sockets()).toBe(1);
  });

  test("other variables: another upstream subscription on the same socket; other credentials: another socket", async () => {
    hub.join("chat", "Bearer x", ticks("t1"), recorder().sink);
    hub.join("chat", "Bearer x", ticks("t2"), recorder().sink);
    hub.join("chat", "Bearer y", ticks("t1"), recorder().sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(3));
    expect(upstream.sockets()).toBe(2);
    expect([...upstream.auth].sort()).toEqual(["Bearer x", "Bearer y"]);
  });

  test("the upstream subscription lives while one subscriber stays; the last one leaving ends it and closes the socket", async () => {
    const [a, b] = [recorder(), recorder()];
    const leaveA = hub.join("chat", "Bearer x", ticks("t1"), a.sink);
    const leaveB = hub.join("chat", "Bearer x", ticks("t1"), b.sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(1));
    leaveA();
    upstream.emit("t1", "after-a-left");
    await vi.waitFor(() => expect(b.events).toEqual(["after-a-left"]));
    expect(a.events).toEqual([]);
    leaveB();
    await vi.waitFor(() => expect([upstream.live(), upstream.sockets()]).toEqual([0, 0]));
    leaveB(); // leaving twice is harmless
  });

  test("an upstream error reaches every subscriber, and the next join starts a fresh upstream subscription", async () => {
    const [a, b] = [recorder(), recorder()];
    hub.join("chat", "Bearer x", ticks("t1"), a.sink);
    hub.join("chat", "Bearer x", ticks("t1"), b.sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(1));
    upstream.fail("t1");
    await vi.waitFor(() => expect([a.error(), b.error()].every(Boolean)).toBe(true));
    const c = recorder();
    hub.join("chat", "Bearer x", ticks("t1"), c.sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(1));
    upstream.emit("t1", "fresh");
    await vi.waitFor(() => expect(c.events).toEqual(["fresh"]));
    expect(a.events).toEqual([]);
  });

  test("an unknown subgraph is refused at once; close() ends every upstream subscription", async () => {
    expect(() => hub.join("nowhere", "Bearer x", ticks("t1"), recorder().sink)).toThrow(/No URL for subgraph nowhere/);
    hub.join("chat", "Bearer x", ticks("t1"), recorder().sink);
    hub.join("chat", "Bearer z", ticks("t2"), recorder().sink);
    await vi.waitFor(() => expect(upstream.live()).toBe(2));
    await hub.close();
    await vi.waitFor(() => expect([upstream.live(), upstream.sockets()]).toEqual([0, 0]));
  });
});

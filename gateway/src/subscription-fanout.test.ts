import { buildSchema, GraphQLError, parse, type ExecutionResult } from "graphql";
import type { Sink } from "graphql-ws";
import { stringifyMessage, MessageType } from "graphql-ws";
import { describe, expect, test } from "vitest";
import type { GatewayContext } from "./context.js";
import { SubscriptionFanout, type MemberEnd, type MemberSocket } from "./subscription-fanout.js";
import { planSubscription } from "./subscription-plan.js";
import type { UpstreamEvent } from "./upstream-hub.js";

const schema = buildSchema(`
  type Message { id: ID! body: String! }
  type Query { message(id: ID!): Message }
  type Subscription { messageAdded(conversationId: ID!): Message! }
`);
const owners = new Map([["messageAdded", "chat"]]);
const plan = (query: string, variables: Record<string, unknown> = { c: "c1" }) => planSubscription(parse(query), undefined, variables, schema, owners);
const BODY = "subscription($c: ID!) { messageAdded(conversationId: $c) { id body } }";
const ONLY_ID = "subscription($c: ID!) { messageAdded(conversationId: $c) { id } }";

/** A hub stand-in: records every upstream join and lets the test speak as the upstream. */
function fakeHub() {
  const joins: Array<{ subgraph: string; authorization: string; sink: Sink<UpstreamEvent>; left: boolean }> = [];
  return {
    joins,
    live: () => joins.filter((j) => !j.left),
    join(subgraph: string, authorization: string, _payload: unknown, sink: Sink<UpstreamEvent>) {
      const entry = { subgraph, authorization, sink, left: false };
      joins.push(entry);
      return () => void (entry.left = true);
    },
  };
}

/** A resolver stand-in: one deferred result per call, settled by the test in any order. */
function fakeResolver() {
  const calls: Array<{ query: string; variables: Record<string, unknown>; settle(result: ExecutionResult): void; fail(error: unknown): void }> = [];
  const resolve = (query: string, variables: Record<string, unknown>) =>
    new Promise<ExecutionResult>((settle, fail) => calls.push({ query, variables, settle, fail }));
  return { calls, resolve };
}

const socket = (readyState = 1): MemberSocket & { frames: string[] } => {
  const frames: string[] = [];
  return { readyState, frames, send: (data: string) => void frames.push(data) };
};
const context = (authorization: string): GatewayContext => ({ requestId: "r", authorization, forwardedFor: "127.0.0.1" });
const member = (id: string, authorization = "Bearer a", s = socket()) => {
  const ends: MemberEnd[] = [];
  return { socket: s, id, context: context(authorization), ends, end: (reason: MemberEnd) => void ends.push(reason) };
};
const flush = () => new Promise((r) => setTimeout(r, 0));
const event = (id: string): UpstreamEvent => ({ data: { messageAdded: { id } } });
/** The frame graphql-ws itself writes for a `next` (the fan-out must write the same bytes). */
const graphqlWsFrame = (id: string, payload: ExecutionResult) => stringifyMessage({ id, type: MessageType.Next, payload });

describe("SubscriptionFanout", () => {
  test("identical subscriptions share one upstream join and one resolution per event; each socket gets its own id", async () => {
    const hub = fakeHub();
    const resolver = fakeResolver();
    const fanout = new SubscriptionFanout(hub, resolver.resolve);
    const members = ["1", "2", "7"].map((id) => member(id));
    for (const m of members) fanout.join(plan(BODY), m);
    expect(hub.joins).toHaveLength(1);

    hub.joins[0]!.sink.next(event("m1"));
    expect(resolver.calls).toHaveLength(1);
    expect(resolver.calls[0]!.variables).toEqual({ __eventId: "m1" });
    const result = { data: { messageAdded: { id: "m1", body: "hé \"quoted\"" } } };
    resolver.calls[0]!.settle(result);
    await flush();

    for (const m of members) expect(m.socket.frames).toEqual([graphqlWsFrame(m.id, result)]);
  });

  test("different credentials or selections are different groups (resolved separately)", async () => {
    const hub = fakeHub();
    const resolver = fakeResolver();
    const fanout = new SubscriptionFanout(hub, resolver.resolve);
    fanout.join(plan(BODY), member("1", "Bearer a"));
    fanout.join(plan(BODY), member("1", "Bearer b"));
    fanout.join(plan(ONLY_ID), member("2", "Bearer a"));
    fanout.join(plan(BODY, { c: "c2" }), member("3", "Bearer a"));
    expect(fanout.size).toBe(4);
    expect(hub.joins.map((j) => j.authorization)).toEqual(["Bearer a", "Bearer b", "Bearer a", "Bearer a"]);
  });

  test("the upstream is left when the last member leaves, not before; leaving twice is harmless", () => {
    const hub = fakeHub();
    const fanout = new SubscriptionFanout(hub, fakeResolver().resolve);
    const leaveA = fanout.join(plan(BODY), member("1"));
    const leaveB = fanout.join(plan(BODY), member("2"));
    leaveA();
    leaveA();
    expect(hub.live()).toHaveLength(1);
    leaveB();
    expect(hub.live()).toHaveLength(0);
    expect(fanout.size).toBe(0);
    fanout.join(plan(BODY), member("3"));
    expect(hub.joins).toHaveLength(2); // a fresh upstream for a fresh group
  });

  test("a member that left gets nothing more; a closed socket is not written", async () => {
    const hub = fakeHub();
    const resolver = fakeResolver();
    const fanout = new SubscriptionFanout(hub, resolver.resolve);
    const staying = member("1");
    const leaving = member("2");
    const closedSocket = member("3", "Bearer a", socket(3));
    fanout.join(plan(BODY), staying);
    const leave = fanout.join(plan(BODY), leaving);
    fanout.join(plan(BODY), closedSocket);
    hub.joins[0]!.sink.next(event("m1"));
    leave();
    resolver.calls[0]!.settle({ data: { messageAdded: { id: "m1", body: "x" } } });
    await flush();
    expect(staying.socket.frames).toHaveLength(1);
    expect(leaving.socket.frames).toEqual([]);
    expect(closedSocket.socket.frames).toEqual([]);
  });

  /** One subscriber (id "1") joined to a fan-out over a fake hub and a resolver settled by hand. */
  const oneSubscriber = () => {
    const hub = fakeHub();
    const resolver = fakeResolver();
    const m = member("1");
    new SubscriptionFanout(hub, resolver.resolve).join(plan(BODY), m);
    return { hub, resolver, m };
  };

  test("events are delivered in upstream order even when their resolutions finish out of order", async () => {
    const { hub, resolver, m } = oneSubscriber();
    hub.joins[0]!.sink.next(event("m1"));
    hub.joins[0]!.sink.next(event("m2"));
    resolver.calls[1]!.settle({ data: { messageAdded: { id: "m2", body: "second" } } });
    await flush();
    expect(m.socket.frames).toEqual([]);
    resolver.calls[0]!.settle({ data: { messageAdded: { id: "m1", body: "first" } } });
    await flush();
    expect(m.socket.frames.map((f) => (JSON.parse(f) as { payload: { data: { messageAdded: { body: string } } } }).payload.data.messageAdded.body)).toEqual(["first", "second"]);
  });

  test.each([
    { name: "null without errors is skipped", result: { data: { messageAdded: null } }, frames: 0 },
    { name: "partial data with errors is sent with its errors", result: { data: { messageAdded: null }, errors: [new GraphQLError("gone", { extensions: { code: "NOT_FOUND" } })] }, frames: 1 },
  ])("a resolved event: $name", async ({ result, frames }) => {
    const { hub, resolver, m } = oneSubscriber();
    hub.joins[0]!.sink.next(event("m1"));
    resolver.calls[0]!.settle(result);
    await flush();
    expect(m.socket.frames).toHaveLength(frames);
    if (frames) expect(m.socket.frames[0]).toBe(graphqlWsFrame("1", result));
  });

  test.each([
    { name: "an upstream failure", speak: (sink: Sink<UpstreamEvent>) => sink.error({ code: 1011, reason: "down" }), end: { upstreamError: { code: 1011, reason: "down" } } },
    { name: "an event with errors", speak: (sink: Sink<UpstreamEvent>) => sink.next({ errors: [{ message: "no" }] }), end: { errors: [{ message: "no" }] } },
    { name: "the upstream completing", speak: (sink: Sink<UpstreamEvent>) => sink.complete(), end: { complete: true } },
  ])("$name reaches every member of the group and closes the group", ({ speak, end }) => {
    const hub = fakeHub();
    const fanout = new SubscriptionFanout(hub, fakeResolver().resolve);
    const members = ["1", "2", "3"].map((id) => member(id));
    for (const m of members) fanout.join(plan(BODY), m);
    speak(hub.joins[0]!.sink);
    for (const m of members) expect(m.ends).toEqual([end]);
    expect(fanout.size).toBe(0);
    expect(hub.live()).toHaveLength(0);
  });

  test("a resolution that throws ends every member with that error", async () => {
    const hub = fakeHub();
    const resolver = fakeResolver();
    const fanout = new SubscriptionFanout(hub, resolver.resolve);
    const members = ["1", "2"].map((id) => member(id));
    for (const m of members) fanout.join(plan(BODY), m);
    hub.joins[0]!.sink.next(event("m1"));
    const boom = new Error("boom");
    resolver.calls[0]!.fail(boom);
    await flush();
    for (const m of members) expect(m.ends).toEqual([{ thrown: boom }]);
  });
});

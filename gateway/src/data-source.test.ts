import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { describe, expect, test } from "vitest";
import { createLogger } from "@fixup/platform";
import type { GatewayContext } from "./context.js";
import { SubgraphDataSource } from "./data-source.js";
import type { SubgraphReply } from "./subgraph-fetcher.js";

interface Call {
  headers: Record<string, string>;
  body: string;
  answer(reply: Partial<SubgraphReply>): void;
}

/** A subgraph that answers only when the test says so, so requests really overlap. */
function harness() {
  const calls: Call[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger("test", "debug", { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const counted = { sent: 0, merged: 0, batched: 0 };
  const source = new SubgraphDataSource({
    name: "catalog",
    url: "http://catalog.test/graphql",
    logger,
    onFetch: (_name, outcome) => void counted[outcome]++,
    fetcher: (_url, headers, body) =>
      new Promise((resolve) =>
        calls.push({
          headers,
          body,
          answer: (reply) => resolve({ status: 200, contentType: "application/json", cacheControl: undefined, body: "{}", ...reply }),
        }),
      ),
  });
  const ask = (query: string, context: Partial<GatewayContext>, variables: Record<string, unknown> = {}) =>
    source.process({
      kind: "incoming operation",
      request: { query, variables },
      context,
      incomingRequestContext: {},
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
  return { calls, logs, counted, ask };
}

/** Read-only operations leave at the end of the event-loop turn (see SameTickBatcher). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const ctx = (requestId: string, authorization?: string): Partial<GatewayContext> => ({ requestId, authorization, forwardedFor: "127.0.0.1" });
const QUERY = "query Q__catalog__0{services{id name}}";
const ANSWER = JSON.stringify({ data: { services: [{ id: "s1", name: "Plumbing" }] } });

describe("in-flight merging of subgraph requests", () => {
  test("identical concurrent queries are sent once; every caller gets its own parsed copy of the same bytes", async () => {
    const { calls, logs, counted, ask } = harness();
    const answers = Promise.all([ask(QUERY, ctx("r1")), ask(QUERY, ctx("r2")), ask(QUERY, ctx("r3"))]);
    await nextTurn();
    expect(calls).toHaveLength(1);
    calls[0]?.answer({ body: ANSWER });
    const [a, b, c] = await answers;
    expect(a).toEqual(JSON.parse(ANSWER));
    expect(JSON.stringify(b)).toBe(ANSWER);
    expect(JSON.stringify(c)).toBe(ANSWER);
    expect(a).not.toBe(b); // a caller mutating its copy (the gateway merges into results) cannot touch another's
    expect(counted).toEqual({ sent: 1, merged: 2, batched: 0 });
    // traceable: the merge names every request id that shared the answer
    expect(logs.find((l) => l.msg === "identical subgraph requests merged")).toMatchObject({ requestIds: ["r1", "r2", "r3"], subgraph: "catalog" });
  });

  test("different tokens never share an answer", async () => {
    const { calls, ask } = harness();
    const answers = Promise.all([ask(QUERY, ctx("r1", "Bearer alice")), ask(QUERY, ctx("r2", "Bearer bob")), ask(QUERY, ctx("r3"))]);
    await nextTurn();
    expect(calls.map((c) => c.headers.authorization)).toEqual(["Bearer alice", "Bearer bob", undefined]);
    calls.forEach((c, i) => c.answer({ body: JSON.stringify({ data: { n: i } }) }));
    expect(await answers).toEqual([{ data: { n: 0 } }, { data: { n: 1 } }, { data: { n: 2 } }]);
  });

  test("different operations with the same token travel as one HTTP batch; each caller gets its own answer", async () => {
    const { calls, counted, ask } = harness();
    const answers = Promise.all([ask(QUERY, ctx("r1", "Bearer a"), { a: 1 }), ask(QUERY, ctx("r1", "Bearer a"), { a: 2 })]);
    await nextTurn();
    expect(calls).toHaveLength(1);
    const sent = JSON.parse(calls[0]?.body ?? "") as Array<{ variables: unknown }>;
    expect(sent.map((op) => op.variables)).toEqual([{ a: 1 }, { a: 2 }]);
    calls[0]?.answer({ body: JSON.stringify([{ data: { n: 1 } }, { data: { n: 2 } }]) });
    expect(await answers).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
    expect(counted).toEqual({ sent: 1, merged: 0, batched: 1 });
  });

  test("a batch the subgraph refuses is sent again one operation at a time", async () => {
    const { calls, ask } = harness();
    const answers = Promise.all([ask(QUERY, ctx("r1"), { a: 1 }), ask(QUERY, ctx("r2"), { a: 2 })]);
    await nextTurn();
    calls[0]?.answer({ status: 400, body: JSON.stringify({ errors: [{ message: "Operation batching disabled." }] }) });
    await nextTurn();
    expect(calls.slice(1).map((c) => JSON.parse(c.body) as { variables: unknown }).map((b) => b.variables)).toEqual([{ a: 1 }, { a: 2 }]);
    calls[1]?.answer({ body: JSON.stringify({ data: { n: 1 } }) });
    calls[2]?.answer({ body: JSON.stringify({ data: { n: 2 } }) });
    expect(await answers).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
  });

  test("mutations are never merged", async () => {
    const { calls, counted, ask } = harness();
    const mutation = 'mutation M__orders__0{createOrder(input:{title:"x"}){id}}';
    const answers = Promise.all([ask(mutation, ctx("r1", "Bearer a")), ask(mutation, ctx("r2", "Bearer a"))]);
    await nextTurn();
    expect(calls).toHaveLength(2); // neither merged nor batched
    expect(calls.map((c) => Array.isArray(JSON.parse(c.body)))).toEqual([false, false]);
    calls.forEach((c, i) => c.answer({ body: JSON.stringify({ data: { createOrder: { id: `o${i}` } } }) }));
    expect(await answers).toEqual([{ data: { createOrder: { id: "o0" } } }, { data: { createOrder: { id: "o1" } } }]);
    expect(counted).toEqual({ sent: 2, merged: 0, batched: 0 });
  });

  test("a settled answer is not reused: merging is for requests in flight, not a cache", async () => {
    const { calls, ask } = harness();
    const first = ask(QUERY, ctx("r1"));
    await nextTurn();
    calls[0]?.answer({ body: ANSWER });
    await first;
    void ask(QUERY, ctx("r2"));
    await nextTurn();
    expect(calls).toHaveLength(2);
  });

  test("each caller of a failed shared request gets its own error", async () => {
    const { calls, ask } = harness();
    const answers = Promise.allSettled([ask(QUERY, ctx("r1", "Bearer x")), ask(QUERY, ctx("r2", "Bearer x"))]);
    await nextTurn();
    calls[0]?.answer({ status: 401, body: JSON.stringify({ errors: [{ message: "no" }] }) });
    const [a, b] = await answers;
    expect(a?.status === "rejected" && a.reason).toBeInstanceOf(GraphQLError);
    expect(a?.status === "rejected" && (a.reason as GraphQLError).extensions.code).toBe("UNAUTHENTICATED");
    expect(a?.status === "rejected" && b?.status === "rejected" && a.reason !== b.reason).toBe(true);
  });

  test("forwards the caller's request id, address and token", async () => {
    const { calls, ask } = harness();
    void ask(QUERY, ctx("r1", "Bearer a"));
    await nextTurn();
    expect(calls[0]?.headers).toMatchObject({ "x-request-id": "r1", "x-forwarded-for": "127.0.0.1", authorization: "Bearer a" });
  });
});

import { readFileSync } from "node:fs";
import { buildSchema, parse } from "graphql";
import { describe, expect, test } from "vitest";
import { planSubscription, SubscriptionPlanError, subscriptionOwners } from "./subscription-plan.js";

const supergraph = readFileSync(new URL("../../schema/supergraph.graphql", import.meta.url), "utf8");

// A small API schema with the contract the planner relies on: each subscribed type T has Query.t(id:).
const api = buildSchema(`
  type User { id: ID! name: String! }
  type Message { id: ID! body: String! sender: User! }
  type Offer { id: ID! price: Int! }
  type Thing { id: ID! }
  type Query { message(id: ID!): Message  offer(id: ID!): Offer }
  type Subscription {
    messageAdded(conversationId: ID!): Message!
    offerSubmitted(orderId: ID!, minPrice: Int): Offer!
    thingHappened: Thing!
  }
`);
const owners = new Map([["messageAdded", "chat"], ["offerSubmitted", "orders"], ["thingHappened", "orders"]]);
const plan = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  planSubscription(parse(query), operationName, variables, api, owners);

describe("subscriptionOwners (the composed supergraph)", () => {
  test("every Subscription root field is owned by the subgraph that declares it", () => {
    expect(Object.fromEntries(subscriptionOwners(supergraph))).toEqual({
      messageAdded: "chat",
      offerSubmitted: "orders",
      orderUpdated: "orders",
    });
  });
});

describe("planSubscription", () => {
  test("upstream asks the owner for the root field's id only; the refetch runs the client's selection on Query.<type>(id:)", () => {
    const p = plan("subscription($c: ID!) { messageAdded(conversationId: $c) { body sender { name } } }", { c: "conv-1" });
    expect(p.subgraph).toBe("chat");
    expect(p.responseKey).toBe("messageAdded");
    expect(p.upstream.query.replace(/\s+/g, " ")).toBe("subscription Upstream($c: ID!) { messageAdded(conversationId: $c) { id } }");
    expect(p.upstream.variables).toEqual({ c: "conv-1" });
    const refetch = p.refetch("m-1");
    expect(refetch.query.replace(/\s+/g, " ")).toBe(
      "query SubscriptionEvent($__eventId: ID!) { messageAdded: message(id: $__eventId) { body sender { name } } }",
    );
    expect(refetch.variables).toEqual({ __eventId: "m-1" });
  });

  test("an alias is the client's response key; each variable goes where it is used; fragments travel with the refetch", () => {
    const p = plan(
      `subscription Feed($o: ID!, $min: Int, $unused: Int) { live: offerSubmitted(orderId: $o, minPrice: $min) { ...F } }
       fragment F on Offer { id price }`,
      { o: "order-1", min: 10, unused: 3 },
    );
    expect(p.responseKey).toBe("live");
    expect(p.upstream.variables).toEqual({ o: "order-1", min: 10 });
    expect(p.upstream.query).not.toContain("live:");
    const refetch = p.refetch("offer-9");
    expect(refetch.query).toContain("live: offer(id: $__eventId)");
    expect(refetch.query).toContain("fragment F on Offer");
    expect(refetch.variables).toEqual({ __eventId: "offer-9" });
  });

  test("operationName picks the operation among several", () => {
    const p = plan("query Q { message(id: 1) { id } } subscription S { offerSubmitted(orderId: 1) { id } }", {}, "S");
    expect(p.subgraph).toBe("orders");
  });

  test.each([
    ["a query", "query { message(id: 1) { id } }", /Not a subscription/],
    ["two root fields", "subscription { thingHappened { id } messageAdded(conversationId: 1) { id } }", /exactly one root field/],
    ["an unknown root field", "subscription { nothing { id } }", /Unknown subscription field/],
    ["a type without Query.<type>(id:)", "subscription { thingHappened { id } }", /No Query.thing\(id:\)/],
  ])("refuses %s", (_case, query, message) => {
    const attempt = () => plan(query);
    expect(attempt).toThrow(SubscriptionPlanError);
    expect(attempt).toThrow(message);
  });
});

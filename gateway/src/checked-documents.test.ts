import { buildSchema, GraphQLError, type ValidationRule } from "graphql";
import { describe, expect, test } from "vitest";
import { CheckedDocuments } from "./checked-documents.js";

const schema = () =>
  buildSchema(`
    type Message { id: ID! body: String! }
    type Query { message(id: ID!): Message }
    type Subscription { messageAdded(conversationId: ID!): Message! }
  `);
const SUBSCRIBE = "subscription($c: ID!) { messageAdded(conversationId: $c) { id body } }";

/** A validation rule that counts the documents it visits (the extra rules run once per validation). */
const counting = () => {
  const seen = { count: 0 };
  const rule: ValidationRule = () => ({ Document: () => void seen.count++ });
  return { seen, rule };
};

describe("CheckedDocuments", () => {
  test.each([
    ["a valid subscription", SUBSCRIBE, undefined],
    ["a syntax error", "subscription {", /Syntax Error/],
    ["an unknown field (graphql-js's own rules)", "subscription { nope { id } }", /Cannot query field "nope"/],
    ["a document over the token limit", `subscription { messageAdded(conversationId: "1") { ${"id ".repeat(60)} } }`, /contains more that 50 tokens/],
  ])("%s", (_name, query, refusal) => {
    const checked = new CheckedDocuments([], 50).check(schema(), query);
    if (!refusal) return expect(checked).toHaveProperty("document");
    expect("errors" in checked && checked.errors.map((e) => [e.message, e.extensions.code])).toEqual([[expect.stringMatching(refusal), "BAD_USER_INPUT"]]);
  });

  test("the gateway's extra rules refuse too", () => {
    const noSubscriptions: ValidationRule = (context) => ({
      OperationDefinition: (node) => void (node.operation === "subscription" && context.reportError(new GraphQLError("no subscriptions here"))),
    });
    const checked = new CheckedDocuments([noSubscriptions], 1000).check(schema(), SUBSCRIBE);
    expect("errors" in checked && checked.errors.map((e) => e.extensions.code)).toEqual(["BAD_USER_INPUT"]);
  });

  test("the same text on the same schema is checked once and shares one document", () => {
    const { seen, rule } = counting();
    const documents = new CheckedDocuments([rule], 1000);
    const s = schema();
    const first = documents.check(s, SUBSCRIBE);
    for (let i = 0; i < 100; i++) expect(documents.check(s, SUBSCRIBE)).toBe(first);
    expect(seen.count).toBe(1);
  });

  test("a new schema (supergraph update) checks the text again", () => {
    const { seen, rule } = counting();
    const documents = new CheckedDocuments([rule], 1000);
    documents.check(schema(), SUBSCRIBE);
    documents.check(schema(), SUBSCRIBE);
    expect(seen.count).toBe(2);
  });

  test("bounded: past its capacity the least recently used text is checked again", () => {
    const { seen, rule } = counting();
    const documents = new CheckedDocuments([rule], 1000, 2);
    const s = schema();
    const query = (n: number) => `subscription { messageAdded(conversationId: "${n}") { id } }`;
    documents.check(s, query(1));
    documents.check(s, query(2));
    documents.check(s, query(1)); // 1 is now the most recent
    documents.check(s, query(3)); // evicts 2
    expect(seen.count).toBe(3);
    documents.check(s, query(1));
    expect(seen.count).toBe(3);
    documents.check(s, query(2));
    expect(seen.count).toBe(4);
  });
});

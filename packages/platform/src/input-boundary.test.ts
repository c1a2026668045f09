import express from "express";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { buildSchema, graphql, parse, subscribe, type GraphQLError, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { describe, expect, test, vi } from "vitest";
import { appErrorFormatter } from "./server.js";
import { createLogger } from "./logger.js";
import { guardSchemaInputs, hasForbiddenText, isWellFormedId, operationTextProblems, type MalformedIdAnswer } from "./input-boundary.js";
import { jsonBody, restErrorHandler } from "./http.js";
import { listen } from "./server.js";
import { createServer } from "node:http";

const SDL = `
  input Tag { label: String!, refs: [ID!] }
  input Draft { title: String!, ownerId: ID, tags: [Tag!] }
  type Thing { id: ID!, name(locale: String): String }
  type Query { thing(id: ID!): Thing, things(search: String): [Thing!]! }
  type Mutation { create(input: Draft!): Thing!, rename(id: ID!, name: String!): Thing! }
`;
const ID = "9c2eeb7e-1b70-459d-84d8-e6e345e8223f";

function fixture(answer?: MalformedIdAnswer) {
  const schema = buildSchema(SDL);
  const calls = vi.fn();
  const thing = { id: ID, name: "thing" };
  const fields = (type: string) => (schema.getType(type) as GraphQLObjectType).getFields();
  for (const [type, name] of [["Query", "thing"], ["Query", "things"], ["Mutation", "create"], ["Mutation", "rename"]] as const) {
    fields(type)[name]!.resolve = (_s, args) => {
      calls(name, args);
      return name === "things" ? [thing] : thing;
    };
  }
  fields("Thing").name!.resolve = (t: { name: string }) => t.name;
  return { schema: guardSchemaInputs(schema, answer), calls };
}

const logger = createLogger("test", "silent");
async function run(schema: GraphQLSchema, source: string, variableValues: Record<string, unknown> = {}) {
  const result = await graphql({ schema, source, variableValues });
  const format = appErrorFormatter(logger);
  return { data: result.data, errors: result.errors?.map((e) => format(e.toJSON(), e)) };
}

describe("text rule", () => {
  test.each([
    ["plain", "Hello, world", false],
    ["tab, newline, carriage return", "a\tb\nc\r", false],
    ["unicode: accents, CJK, emoji, RTL", "Crème 東京 🛠️ مرحبا", false],
    ["a surrogate pair", "𝄞", false],
    ["NUL", "Nul\u0000Byte", true],
    ["another C0 control", "bell\u0007", true],
    ["DEL", "x\u007f", true],
    ["a C1 control", "x\u0085", true],
    ["a lone high surrogate", "x\ud800", true],
    ["a lone low surrogate", "\udc00x", true],
    ["a reversed pair", "\udc00\ud800", true],
  ])("%s → forbidden: %s", (_case, value, forbidden) => {
    expect(hasForbiddenText(value)).toBe(forbidden);
  });

  test.each([
    [ID, true],
    [ID.toUpperCase(), true],
    ["00000000-0000-0000-0000-000000000000", true],
    ["1 OR 1=1", false],
    ["", false],
    ["../", false],
    [` ${ID}`, false],
    [`${ID}x`, false],
    ["x".repeat(5000), false],
  ])("id %j well formed: %s", (value, ok) => {
    expect(isWellFormedId(value)).toBe(ok);
  });
});

describe("guardSchemaInputs", () => {
  test.each([
    { case: "a root argument (variable)", source: "query($s: String) { things(search: $s) { id } }", vars: { s: "a\u0000" }, field: "search" },
    { case: "a root argument (literal)", source: '{ things(search: "a\\u0000") { id } }', vars: {}, field: "search" },
    { case: "a nested input field", source: "mutation($i: Draft!) { create(input: $i) { id } }", vars: { i: { title: "\u0000" } }, field: "input.title" },
    { case: "a list item deep inside", source: "mutation($i: Draft!) { create(input: $i) { id } }", vars: { i: { title: "ok", tags: [{ label: "ok" }, { label: "x\ud800" }] } }, field: "input.tags.1.label" },
    { case: "a field argument below the root", source: `{ thing(id: "${ID}") { name(locale: "\\u0000") } }`, vars: {}, field: "locale" },
  ])("bad text in $case → BAD_USER_INPUT naming $field, resolver not called", async ({ source, vars, field }) => {
    const { schema, calls } = fixture();
    const result = await run(schema, source, vars);
    expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", fields: { [field]: expect.stringContaining("not allowed") } });
    if (field !== "locale") expect(calls).not.toHaveBeenCalled();
  });

  test.each([
    { case: "a root id", source: 'mutation { rename(id: "1 OR 1=1", name: "n") { id } }', field: "id" },
    { case: "an id in an input", source: 'mutation { create(input: { title: "t", ownerId: "../" }) { id } }', field: "input.ownerId" },
    { case: "an id in a list in an input", source: `mutation { create(input: { title: "t", tags: [{ label: "l", refs: ["${ID}", ""] }] }) { id } }`, field: "input.tags.0.refs.1" },
  ])("a malformed id as $case → BAD_USER_INPUT fields.$field", async ({ source, field }) => {
    const { schema, calls } = fixture();
    const result = await run(schema, source);
    expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", fields: { [field]: "must be a valid id" } });
    expect(calls).not.toHaveBeenCalled();
  });

  test("well-formed input reaches the resolver unchanged", async () => {
    const { schema, calls } = fixture();
    const input = { title: "Crème brûlée\n🛠️", ownerId: ID.toUpperCase(), tags: [{ label: "a\tb", refs: [ID] }] };
    const result = await run(schema, "mutation($i: Draft!) { create(input: $i) { id } }", { i: input });
    expect(result.errors).toBeUndefined();
    expect(calls).toHaveBeenCalledWith("create", { input });
  });

  test("AS_UNKNOWN: a malformed lookup id is null, a malformed mutation id NOT_FOUND, a nested one still BAD_USER_INPUT", async () => {
    const { schema, calls } = fixture("AS_UNKNOWN");
    expect(await run(schema, '{ thing(id: "plumbing") { id } }')).toEqual({ data: { thing: null }, errors: undefined });
    const renamed = (await run(schema, 'mutation { rename(id: "123", name: "n") { id } }')).errors?.[0];
    expect(renamed).toMatchObject({ message: "Thing not found", extensions: { code: "NOT_FOUND" } });
    expect((await run(schema, 'mutation { create(input: { title: "t", ownerId: "x" }) { id } }')).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(calls).not.toHaveBeenCalled();
  });

  test("guarding twice wraps once", async () => {
    const { schema, calls } = fixture();
    guardSchemaInputs(schema);
    await run(schema, `{ thing(id: "${ID}") { id } }`);
    expect(calls).toHaveBeenCalledTimes(1);
  });
});

describe("REST body boundary (jsonBody)", () => {
  test("a bad character anywhere in the body → 400 BAD_USER_INPUT naming the field; good bodies pass", async () => {
    const app = express();
    app.post("/echo", ...jsonBody(), (req: express.Request, res: express.Response) => {
      res.json(req.body);
    });
    app.use(restErrorHandler(logger));
    const server = createServer(app);
    const port = await listen(server, 0, "127.0.0.1");
    const post = (body: string) => fetch(`http://127.0.0.1:${port}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body });
    try {
      const bad = await post(JSON.stringify({ user: { name: "a\u0000" }, tags: ["ok", "\ud800"] }));
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        error: { code: "BAD_USER_INPUT", message: "Invalid input", fields: { "user.name": expect.any(String), "tags.1": expect.any(String) } },
      });
      const good = await post(JSON.stringify({ name: "Crème 🛠️\n" }));
      expect(good.status).toBe(200);
      expect(await good.json()).toEqual({ name: "Crème 🛠️\n" });
    } finally {
      server.close();
    }
  });
});

describe("federation references (_entities)", () => {
  const typeDefs = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Thing @key(fields: "id") { id: ID!, name: String! }
    type Query { ping: String }
  `);
  const ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { id name } } }";

  function subgraph(answer?: MalformedIdAnswer) {
    const seen: string[] = [];
    const schema = buildSubgraphSchema({
      typeDefs,
      resolvers: { Thing: { __resolveReference: (ref: { id: string }) => (seen.push(ref.id), { id: ref.id, name: `thing ${ref.id}` }) } } as never,
    });
    return { schema: guardSchemaInputs(schema, answer), seen };
  }

  test("a reference whose id is not a UUID resolves to null and never reaches the resolver; the others resolve in order", async () => {
    const { schema, seen } = subgraph();
    const other = "00000000-0000-4000-8000-000000000001";
    const result = await run(schema, ENTITIES, { r: [ID, "1 OR 1=1", other, ""].map((id) => ({ __typename: "Thing", id })) });
    expect(result.errors).toBeUndefined();
    expect((result.data as { _entities: unknown[] })._entities).toEqual([{ id: ID, name: `thing ${ID}` }, null, { id: other, name: `thing ${other}` }, null]);
    expect(seen).toEqual([ID, other]);
  });

  test("unstorable text in a representation → BAD_USER_INPUT, in either mode", async () => {
    for (const answer of ["BAD_USER_INPUT", "AS_UNKNOWN"] as const) {
      const { schema, seen } = subgraph(answer);
      const result = await run(schema, ENTITIES, { r: [{ __typename: "Thing", id: "a\u0000" }] });
      expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", fields: { "representations.0.id": expect.any(String) } });
      expect(seen).toEqual([]);
    }
  });

  test("AS_UNKNOWN leaves malformed references to the subgraph's own resolver", async () => {
    const { schema, seen } = subgraph("AS_UNKNOWN");
    await run(schema, ENTITIES, { r: [{ __typename: "Thing", id: "not-a-uuid" }] });
    expect(seen).toEqual(["not-a-uuid"]);
  });
});

describe("subscriptions", () => {
  test("a subscription's arguments pass the same boundary before its source is created", async () => {
    const schema = buildSchema("type Query { ping: String } type Subscription { changed(id: ID!, note: String): String }");
    const source = vi.fn(async function* () {
      yield { changed: "x" };
    });
    (schema.getSubscriptionType() as GraphQLObjectType).getFields().changed!.subscribe = source;
    guardSchemaInputs(schema);
    for (const [args, fields] of [
      [`id: "1 OR 1=1"`, { id: "must be a valid id" }],
      [`id: "${ID}", note: "\\u0000"`, { note: expect.any(String) }],
    ] as const) {
      const result = await subscribe({ schema, document: parse(`subscription { changed(${args}) }`) });
      const errors = (result as { errors?: readonly GraphQLError[] }).errors;
      expect(errors?.[0]?.originalError).toMatchObject({ code: "BAD_USER_INPUT", fields });
    }
    expect(source).not.toHaveBeenCalled();
  });
});

describe("operationTextProblems (the gateway's early check)", () => {
  const schema = buildSchema(SDL);
  const problemsOf = (source: string, variables: Record<string, unknown> = {}) => {
    const document = parse(source);
    const operation = document.definitions.find((d) => d.kind === "OperationDefinition") as OperationDefinitionNode;
    return operationTextProblems(schema, document, operation, variables);
  };

  test.each([
    { case: "a variable in a nested input", source: "mutation($i: Draft!) { create(input: $i) { id } }", vars: { i: { title: "ok", tags: [{ label: "\u0000" }] } }, problems: ["input.tags.0.label"] },
    { case: "a literal", source: '{ things(search: "x\\u0007") { id } }', vars: {}, problems: ["search"] },
    { case: "inside a fragment", source: `query { thing(id: "${ID}") { ...F } } fragment F on Thing { name(locale: "\\u0001") }`, vars: {}, problems: ["locale"] },
    { case: "clean input", source: "mutation($i: Draft!) { create(input: $i) { id } }", vars: { i: { title: "Crème 🛠️", ownerId: "not-checked-here" } }, problems: [] },
    { case: "variables that do not coerce (left to validation)", source: "mutation($i: Draft!) { create(input: $i) { id } }", vars: { i: { title: 5 } }, problems: [] },
  ])("$case → $problems", ({ source, vars, problems }) => {
    expect(Object.keys(problemsOf(source, vars))).toEqual(problems);
  });
});

import express from "express";
import { buildSchema, graphql, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { describe, expect, test, vi } from "vitest";
import { appErrorFormatter } from "./server.js";
import { createLogger } from "./logger.js";
import { guardSchemaInputs, hasForbiddenText, isWellFormedId, type MalformedIdAnswer } from "./input-boundary.js";
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
    expect((await run(schema, 'mutation { rename(id: "123", name: "n") { id } }')).errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND" });
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

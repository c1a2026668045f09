import { readFileSync } from "node:fs";
import { isObjectType, Kind, parse, type EnumTypeDefinitionNode, type GraphQLField } from "graphql";
import { describe, expect, test } from "vitest";
import { ERRORS_LINE, ErrorCode } from "@fixup/platform";
import { leafPaths, loadSupergraph } from "./support/schema-inputs.js";

// Clients generate types from the schema: the codes they meet in errors[].extensions.code are an enum there, composed
// from every subgraph, and always the platform's one list.
test("the supergraph's ErrorCode enum is exactly the platform's codes, each documented", () => {
  const supergraph = parse(readFileSync(new URL("../schema/supergraph.graphql", import.meta.url), "utf8"));
  const enumDef = supergraph.definitions.find(
    (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === "ErrorCode",
  );
  expect(enumDef?.values?.map((v) => v.name.value)).toEqual(Object.values(ErrorCode));
  for (const value of enumDef?.values ?? []) expect(value.description?.value, value.name.value).toMatch(/REST status \d{3}\./);
  expect(enumDef?.description?.value).toContain("INTERNAL_SERVER_ERROR");
});

// Each field states the codes it can raise as the last line of its description (see ERRORS_LINE), so a client can
// read them through introspection or its generated types and handle every one.
const CODES: readonly string[] = Object.values(ErrorCode);
const schema = loadSupergraph();
const ROOTS = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((t) => t?.name));

interface Statement {
  line: string;
  codes: string[];
  prose: string;
}

/** The field's `Errors:` statement, or undefined when its description has none. */
function errorStatement(field: Pick<GraphQLField<unknown, unknown>, "description">): Statement | undefined {
  const lines = (field.description ?? "").trimEnd().split("\n");
  const line = lines.at(-1) ?? "";
  if (!line.startsWith("Errors:")) return undefined;
  const listed = /^Errors: (.*)\.$/.exec(line)?.[1] ?? "";
  return { line, codes: listed === "none" ? [] : listed.split(", "), prose: lines.slice(0, -1).join("\n") };
}

const fields = Object.values(schema.getTypeMap())
  .filter(isObjectType)
  .filter((type) => !type.name.startsWith("_") && !type.name.startsWith("__"))
  .flatMap((type) => Object.values(type.getFields()).map((field) => ({ name: `${type.name}.${field.name}`, root: ROOTS.has(type.name), field })));
const stated = fields.flatMap((f) => {
  const statement = errorStatement(f.field);
  return statement ? [{ ...f, statement }] : [];
});

describe("per-field error codes in schema/supergraph.graphql", () => {
  test("every root field states its codes", () => {
    const roots = fields.filter((f) => f.root);
    expect(roots.length).toBeGreaterThan(50);
    expect(roots.filter((f) => !errorStatement(f.field)).map((f) => f.name)).toEqual([]);
  });

  test("fields other than root fields state theirs too where they can fail on their own", () => {
    // Not derivable from the schema; pins that the statements on nested fields survive composition.
    const nested = stated.filter((f) => !f.root).map((f) => f.name);
    expect(nested).toEqual(expect.arrayContaining(["Service.providers", "User.orders", "User.rating", "Order.offers", "Conversation.messages", "Message.conversation"]));
  });

  test.each(stated.map((f) => [f.name, f.statement] as const))("%s: well-formed, known codes in the enum's order", (_name, statement) => {
    expect(statement.line).toMatch(ERRORS_LINE);
    for (const code of statement.codes) expect(CODES, code).toContain(code);
    expect(statement.codes).not.toContain(ErrorCode.INTERNAL_SERVER_ERROR); // stated once, on the enum
    const inEnumOrder = [...statement.codes].sort((a, b) => CODES.indexOf(a) - CODES.indexOf(b));
    expect(statement.codes).toEqual([...new Set(inEnumOrder)]);
  });

  test.each(stated.map((f) => [f.name, f.field, f.statement] as const))("%s: agrees with its arguments and its prose", (_name, field, statement) => {
    // The input boundary refuses unstorable text in any String or ID argument, however nested, with BAD_USER_INPUT.
    if (leafPaths(field.args, "String").length || leafPaths(field.args, "ID").length) expect(statement.codes).toContain(ErrorCode.BAD_USER_INPUT);
    // A code the description's prose promises is in the list.
    const named = CODES.filter((code) => new RegExp(`\\b${code}\\b`).test(statement.prose));
    for (const code of named) expect(statement.codes, `prose names ${code}`).toContain(code);
  });
});

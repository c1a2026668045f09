import { readFileSync } from "node:fs";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";

/** The composed supergraph as clients see it (join directives are declared in the file, so it builds as is). */
export function loadSupergraph(): GraphQLSchema {
  return buildSchema(readFileSync(new URL("../../schema/supergraph.graphql", import.meta.url), "utf8"));
}

/** A seeded PRNG (mulberry32): the same seed replays the same hostile inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Leaf = "ID" | "String";

/** Where a value sits in a field's arguments: ["input", "serviceId"], ["id"]. */
export type InputPath = string[];

/**
 * A valid-looking value for an input type, with `pick(path, leaf)` deciding every ID and String (so a test can put
 * a hostile value at one position). Optional fields are filled too when they hold an ID or a String somewhere.
 */
export function valueFor(type: GraphQLInputType, path: InputPath, pick: (path: InputPath, leaf: Leaf) => string): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [valueFor(inner.ofType, [...path, "0"], pick)];
  if (isInputObjectType(inner)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) out[field.name] = valueFor(field.type, [...path, field.name], pick);
    return out;
  }
  if (isEnumType(inner)) return inner.getValues()[0]?.name;
  switch (getNamedType(inner).name) {
    case "ID":
      return pick(path, "ID");
    case "String":
      return pick(path, "String");
    case "Int":
      return 1;
    case "Float":
      return 1;
    case "Boolean":
      return true;
    case "DateTime":
      return "2030-01-01T10:00:00Z";
    case "EmailAddress":
      return "someone@example.com";
    case "URL":
      return "https://example.com/";
    default:
      return "x";
  }
}

/** Every ID or String position in a field's arguments, nested input fields and list items included. */
export function leafPaths(args: readonly GraphQLArgument[], leaf: Leaf): InputPath[] {
  const found: InputPath[] = [];
  const walk = (type: GraphQLInputType, path: InputPath, seen: Set<string>) => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) return walk(inner.ofType, [...path, "0"], seen);
    if (isInputObjectType(inner)) {
      if (seen.has(inner.name)) return;
      for (const field of Object.values(inner.getFields())) walk(field.type, [...path, field.name], new Set([...seen, inner.name]));
      return;
    }
    if (isScalarType(inner) && inner.name === leaf) found.push(path);
  };
  for (const arg of args) walk(arg.type, [arg.name], new Set());
  return found;
}

/** `mutation($id: ID!, …) { field(id: $id, …) { __typename } }` for one root field, every argument a variable. */
export function operationFor(kind: "query" | "mutation" | "subscription", field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(", ");
  const selection = isObjectType(getNamedType(field.type)) ? " { __typename }" : "";
  return `${kind}${vars ? `(${vars})` : ""} { ${field.name}${args ? `(${args})` : ""}${selection} }`;
}

export function rootFields(schema: GraphQLSchema): Array<{ kind: "query" | "mutation"; field: GraphQLField<unknown, unknown> }> {
  const query = Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ({ kind: "query" as const, field }));
  const mutation = Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({ kind: "mutation" as const, field }));
  return [...query, ...mutation];
}

export const samePath = (a: InputPath, b: InputPath) => a.length === b.length && a.every((p, i) => p === b[i]);

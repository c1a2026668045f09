import type { RequestHandler } from "express";
import {
  defaultFieldResolver,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isInputObjectType,
  isListType,
  isNonNullType,
  isNullableType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { AppError, badInput, ErrorCode } from "./errors.js";

/**
 * Characters no text field may hold: NUL (Postgres text cannot store it), the other C0 controls except tab, line
 * feed and carriage return, DEL and the C1 controls (invisible, never typed, used to spoof logs and terminals), and
 * UTF-16 surrogates that are not part of a pair (they cannot be encoded as UTF-8 at all).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const FORBIDDEN_TEXT_MESSAGE = "contains characters that are not allowed (control characters or unpaired surrogates)";

/** Ids in this system are UUIDs; this is the shape Postgres's uuid type accepts in canonical form, any case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MALFORMED_ID_MESSAGE = "must be a valid id";

export const hasForbiddenText = (value: string): boolean => FORBIDDEN_TEXT.test(value);
export const isWellFormedId = (value: string): boolean => UUID.test(value);

/**
 * How a subgraph answers an id that is not a UUID. BAD_USER_INPUT (the default) names the argument in
 * `extensions.fields`. AS_UNKNOWN answers as for an id that exists nowhere: null where the field is nullable,
 * NOT_FOUND otherwise, and entity references go to the subgraph's own resolver (for subgraphs whose documented
 * contract is "unknown and malformed ids are not found"). Ids inside input objects are always BAD_USER_INPUT.
 */
export type MalformedIdAnswer = "BAD_USER_INPUT" | "AS_UNKNOWN";

interface Problems {
  text: Record<string, string>;
  ids: Record<string, string>;
  /** A malformed id given directly as a field argument (not inside an input object). */
  directId: boolean;
}

const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}.${key}` : path ? `${path}.${key}` : key);

/** Walks a coerced argument value by its input type: every string is checked, every ID must be a UUID. */
function inspect(value: unknown, type: GraphQLInputType, path: string, problems: Problems, nested: boolean): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (Array.isArray(value)) value.forEach((item, i) => inspect(item, inner.ofType, join(path, i), problems, nested));
    return;
  }
  if (isInputObjectType(inner)) {
    const fields = inner.getFields();
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const def = fields[key];
      if (def) inspect(field, def.type, join(path, key), problems, true);
    }
    return;
  }
  if (typeof value !== "string") return;
  if (hasForbiddenText(value)) {
    problems.text[path] = FORBIDDEN_TEXT_MESSAGE;
  } else if (getNamedType(inner).name === "ID" && !isWellFormedId(value)) {
    problems.ids[path] = MALFORMED_ID_MESSAGE;
    if (!nested) problems.directId = true;
  }
}

function inspectArguments(args: readonly GraphQLArgument[], values: Record<string, unknown>): Problems {
  const problems: Problems = { text: {}, ids: {}, directId: false };
  for (const arg of args) inspect(values[arg.name], arg.type, arg.name, problems, false);
  return problems;
}

/** Every string anywhere in an `_Any` representation (keys included) must be storable text. */
function representationProblems(value: unknown, path: string, out: Record<string, string>): void {
  if (typeof value === "string") {
    if (hasForbiddenText(value)) out[path] = FORBIDDEN_TEXT_MESSAGE;
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => representationProblems(item, join(path, i), out));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (hasForbiddenText(key)) out[path] = FORBIDDEN_TEXT_MESSAGE;
      else representationProblems(item, join(path, key), out);
    }
  }
}

type AnyResolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

function guardField(field: GraphQLField<unknown, unknown>, answer: MalformedIdAnswer): void {
  // "serviceId" → "Service not found"; a bare "id" names what the field returns.
  const notFound = (arg: string) => {
    const what = arg === "id" ? getNamedType(field.type).name : arg.replace(/Id$/, "");
    return new AppError(ErrorCode.NOT_FOUND, `${what.charAt(0).toUpperCase()}${what.slice(1)} not found`);
  };
  const refuse = (values: Record<string, unknown>): { value: null } | undefined => {
    const problems = inspectArguments(field.args, values);
    if (Object.keys(problems.text).length) throw badInput({ ...problems.text, ...problems.ids });
    if (!Object.keys(problems.ids).length) return undefined;
    const paths = Object.keys(problems.ids);
    if (answer === "AS_UNKNOWN" && problems.directId && paths.every((p) => !p.includes("."))) {
      if (isNullableType(field.type)) return { value: null };
      throw notFound(paths[0] as string);
    }
    throw badInput(problems.ids);
  };
  const wrap = (inner: AnyResolver): AnyResolver => (source, args, context, info) => {
    const refused = refuse(args);
    return refused ? refused.value : inner(source, args, context, info);
  };
  if (field.resolve && field.args.length) field.resolve = wrap(field.resolve);
  else if (field.args.length && !field.subscribe) field.resolve = wrap(defaultFieldResolver);
  if (field.subscribe) {
    const subscribe = field.subscribe;
    field.subscribe = (source, args: Record<string, unknown>, context, info) => {
      if (refuse(args)) throw notFound(Object.keys(inspectArguments(field.args, args).ids)[0] ?? "id");
      return subscribe(source, args, context, info);
    };
  }
}

/** `_entities`: unstorable text is BAD_USER_INPUT; a reference whose id is not a UUID names no entity (null). */
function guardEntities(field: GraphQLField<unknown, unknown>, answer: MalformedIdAnswer): void {
  const resolve = field.resolve;
  if (!resolve) return;
  field.resolve = async (source, args: Record<string, unknown>, context, info) => {
    const representations = Array.isArray(args.representations) ? (args.representations as unknown[]) : [];
    const text: Record<string, string> = {};
    representationProblems(representations, "representations", text);
    if (Object.keys(text).length) throw badInput(text);
    if (answer === "AS_UNKNOWN") return resolve(source, args, context, info);
    const keep = representations.map((r) => {
      const id = (r as { id?: unknown } | null)?.id;
      return id === undefined || (typeof id === "string" && isWellFormedId(id));
    });
    if (keep.every(Boolean)) return resolve(source, args, context, info);
    const resolved = (await resolve(source, { ...args, representations: representations.filter((_r, i) => keep[i]) }, context, info)) as unknown[];
    let next = 0;
    return keep.map((kept) => (kept ? resolved[next++] : null));
  };
}

const guarded = new WeakSet<GraphQLSchema>();

/**
 * The input boundary of a subgraph, driven by its schema: before any resolver of any field runs, every string in its
 * arguments (nested input fields and list items included, literals and variables alike, since graphql-js has
 * coerced them by then) must be storable text, and every ID must be a UUID. Applied in place, once, to the schema
 * the server executes (HTTP and graphql-ws), so a field added later is covered without a line of its own.
 */
export function guardSchemaInputs(schema: GraphQLSchema, answer: MalformedIdAnswer = "BAD_USER_INPUT"): GraphQLSchema {
  if (guarded.has(schema)) return schema;
  guarded.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (type === schema.getQueryType() && field.name === "_entities") guardEntities(field, answer);
      else if (field.args.length) guardField(field, answer);
    }
  }
  return schema;
}

/**
 * The text rule over a whole operation, for a gateway that executes no resolvers of its own: every argument of
 * every field in the operation and its fragments, named by argument path as the subgraphs name them. Values that
 * do not coerce are left to normal validation.
 */
export function operationTextProblems(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, string> {
  // Almost every request is clean: skip the typed walk unless the raw text could hold a forbidden character.
  const source = document.loc?.source.body;
  const raw: Record<string, string> = {};
  representationProblems(variables, "", raw);
  if (!Object.keys(raw).length && source !== undefined && !hasForbiddenText(source) && !source.includes("\\u")) return {};
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (!coerced.coerced) return {};
  const values = coerced.coerced;
  const problems: Record<string, string> = {};
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: (node) => (node === operation ? undefined : false),
      Field: (node) => {
        const def = typeInfo.getFieldDef();
        if (!def?.args.length || !node.arguments?.length) return;
        try {
          Object.assign(problems, inspectArguments(def.args, getArgumentValues(def, node, values)).text);
        } catch {
          // an argument that does not coerce: validation reports it
        }
      },
    }),
  );
  return problems;
}


/** The REST side of the boundary: every string (and key) of a parsed JSON body is storable text, or 400. */
export const restTextBoundary: RequestHandler = (req, _res, next) => {
  const problems: Record<string, string> = {};
  representationProblems(req.body as unknown, "", problems);
  if (!Object.keys(problems).length) return next();
  const fields = Object.fromEntries(Object.entries(problems).map(([k, v]) => [k.replace(/^\./, "") || "body", v]));
  next(badInput(fields));
};

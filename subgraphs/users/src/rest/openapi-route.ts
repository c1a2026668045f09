import type { ResponseConfig, RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ErrorBody } from "./openapi-schemas.js";

/**
 * How one REST route is documented: zod-to-openapi's RouteConfig, with request schemas taken from the very zod
 * schemas the handler parses with. Each router file keeps a `RouteDoc[]` next to its routes (see auth-routes.docs.ts);
 * openapi.test.ts fails for any route the server registers that no RouteDoc describes.
 */
export type RouteDoc = RouteConfig;

/** Keeps literal method/path types checked while a docs file reads as one list. */
export const routeDocs = (...docs: RouteDoc[]): RouteDoc[] => docs;

/** A JSON request body from the handler's own input schema, with an example Swagger UI pre-fills for "Try it out". */
export function jsonRequest(schema: z.ZodType, example: unknown): NonNullable<RouteConfig["request"]>["body"] {
  return { required: true, content: { "application/json": { schema, example } } };
}

export function jsonResponse(description: string, schema: z.ZodType, example?: unknown): ResponseConfig {
  return { description, content: { "application/json": example === undefined ? { schema } : { schema, example } } };
}

// One description and example per status, so every route says the same thing about the shared error body (API.md).
const errorStatuses = {
  400: ["BAD_USER_INPUT", "Invalid input or malformed JSON; `fields` names each offending field", { email: "must be a valid email address" }],
  401: ["UNAUTHENTICATED", "Missing, invalid or expired credentials", undefined],
  403: ["FORBIDDEN", "Authenticated but not allowed", undefined],
  404: ["NOT_FOUND", "No such resource", undefined],
  409: ["CONFLICT", "Conflicts with the current state (e.g. email taken)", undefined],
  413: ["BAD_USER_INPUT", "Request body too large", undefined],
  415: ["BAD_USER_INPUT", "Unsupported media type", undefined],
  429: ["RATE_LIMITED", "Too many attempts; retry after `Retry-After` seconds", undefined],
  500: ["INTERNAL_SERVER_ERROR", "Unexpected error (details only in server logs)", undefined],
} as const satisfies Record<number, readonly [string, string, Record<string, string> | undefined]>;
export type ErrorStatus = keyof typeof errorStatuses;

const RetryAfter = z.object({ "Retry-After": z.string().meta({ description: "Seconds until a new attempt may succeed", example: "60" }) });

/** The error responses a route can give, all with API.md's `{error:{code,message,fields?}}` body. */
export function errorResponses(...statuses: ErrorStatus[]): Record<string, ResponseConfig> {
  const out: Record<string, ResponseConfig> = {};
  for (const status of statuses) {
    const [code, description, fields] = errorStatuses[status];
    const example = { error: { code, message: description.split(";")[0], ...(fields ? { fields } : {}) } };
    out[status] = { ...jsonResponse(description, ErrorBody, example), ...(status === 429 ? { headers: RetryAfter } : {}) };
  }
  return out;
}

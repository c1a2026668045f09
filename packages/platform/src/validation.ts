import type { z } from "zod";
import { badInput } from "./errors.js";

/**
 * Parses with a zod schema or throws BAD_USER_INPUT with `fields: { "path.to.field": message }`, the shape API.md
 * promises for both GraphQL and REST. `prefix` names where the value sits (e.g. "input").
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.infer<S> {
  // reportInput lets a missing field ("is required") be told apart from a wrongly typed one.
  const result = schema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = [prefix, ...issue.path.map(String)].filter((p) => p !== "").join(".") || "input";
    fields[key] ??= issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
  }
  throw badInput(fields);
}

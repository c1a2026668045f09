import { parse, type DocumentNode } from "graphql";
import { ErrorCode, httpStatusByCode } from "./errors.js";

/** What each code means to a client; the schema's enum carries it, so generated client types document it too. */
const MEANINGS: Record<ErrorCode, string> = {
  UNAUTHENTICATED: "No token, or an invalid, expired or revoked one; wrong credentials.",
  FORBIDDEN: "Signed in, but not allowed to do this.",
  BAD_USER_INPUT: "Invalid input or document; extensions.fields maps each offending field path to a message.",
  NOT_FOUND: "No such object, or one the viewer may not see (the two are not told apart).",
  CONFLICT: "Collides with existing data (an e-mail taken, a second live offer, a second review).",
  INVALID_STATE: "Not allowed from the object's current status (e.g. accepting an offer on an order no longer OPEN).",
  RATE_LIMITED: "Too many attempts; extensions.retryAfter says how many seconds to wait.",
  INTERNAL_SERVER_ERROR: "A fault on the server's side; the message is generic, details are only logged.",
};

/**
 * How a client reads which codes a field can raise. The statement is the description's last line rather than a custom
 * directive: descriptions survive composition and introspection as they are and reach generated client types as doc
 * comments, while a directive would need @composeDirective in every subgraph and still be invisible to introspection.
 * test/error-codes.test.ts holds every root field to it.
 */
export const ERRORS_LINE = /^Errors: (none|[A-Z_]+(, [A-Z_]+)*)\.$/;

const ENUM_DESCRIPTION = [
  "The values of errors[].extensions.code (REST: error.code). Codes are only ever added, never renamed or removed.",
  "",
  "Every root field, and every other field that can fail on its own, ends its description with the codes it can raise,",
  "in this enum's order: `Errors: UNAUTHENTICATED, BAD_USER_INPUT, NOT_FOUND.` (or `Errors: none.`). Not listed there",
  "because any field or request can answer them: INTERNAL_SERVER_ERROR (a fault on the server's side), and, for the",
  "whole request, BAD_USER_INPUT for a document that does not parse, validate or stay within the gateway's limits, and",
  "UNAUTHENTICATED for a malformed Authorization header or an invalid, expired or revoked access token.",
].join("\n");

/**
 * `enum ErrorCode`, declared by every subgraph (identically, so it composes into the supergraph) from the one list in
 * errors.ts: clients that generate types from the schema get the codes found in `errors[].extensions.code`. The wire
 * format is unchanged: codes stay strings in extensions.
 */
export const errorCodeTypeDefs: DocumentNode = parse(`
"""
${ENUM_DESCRIPTION}
"""
enum ErrorCode {
${Object.values(ErrorCode)
  .map((code) => `  "${MEANINGS[code]} REST status ${httpStatusByCode[code]}."\n  ${code}`)
  .join("\n")}
}
`);

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
 * `enum ErrorCode`, declared by every subgraph (identically, so it composes into the supergraph) from the one list in
 * errors.ts: clients that generate types from the schema get the codes found in `errors[].extensions.code`. The wire
 * format is unchanged: codes stay strings in extensions.
 */
export const errorCodeTypeDefs: DocumentNode = parse(`
"The values of errors[].extensions.code (REST: error.code). Codes are only ever added, never renamed or removed."
enum ErrorCode {
${Object.values(ErrorCode)
  .map((code) => `  "${MEANINGS[code]} REST status ${httpStatusByCode[code]}."\n  ${code}`)
  .join("\n")}
}
`);

import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import { ErrorCode } from "@fixup/platform";

export type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/**
 * The answer for an `_entities` fetch whose subgraph could not be reached (down, refused, 5xx): no data and one
 * error per representation at path `["_entities", i]`, which the gateway maps to that object's path in the client's
 * response. So the client gets every other field, `null` where the unavailable subgraph's objects were (such
 * references are nullable in the schemas), and an error naming each blanked path. Null when it was no entity fetch.
 */
export function unavailableEntities(variables: Record<string, unknown> | undefined, cause: unknown): GatewayGraphQLResponse | null {
  const representations = variables?.representations;
  if (!Array.isArray(representations)) return null;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return {
    errors: representations.map((_, i) => ({
      message: `Subgraph unavailable: ${reason}`,
      path: ["_entities", i],
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    })),
  };
}

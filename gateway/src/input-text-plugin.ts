import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { ErrorCode, operationTextProblems } from "@fixup/platform";
import type { GatewayContext } from "./context.js";

/**
 * The gateway's share of the input boundary: an operation carrying text no field may hold (NUL, control
 * characters, unpaired surrogates) is refused with HTTP 400 before any subgraph is asked. The subgraphs check the
 * same rule (and ids) again for themselves; the answer has the same shape either way.
 */
export function inputTextPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const fields = operationTextProblems(schema, document, operation, request.variables);
          if (!Object.keys(fields).length) return;
          throw new GraphQLError("Invalid input", { extensions: { code: ErrorCode.BAD_USER_INPUT, fields, http: { status: 400 } } });
        },
      };
    },
  };
}

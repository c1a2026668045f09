import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { REQUEST_ID_HEADER } from "@fixup/platform";
import type { GatewayContext } from "./context.js";
import { unavailableEntities, type GatewayGraphQLResponse } from "./partial-failure.js";

/**
 * Subgraphs verify identity themselves, so the gateway forwards the caller's own Authorization header (never a
 * header it invented) and the request id for log correlation.
 *
 * Retries: none. The default fetcher (make-fetch-happen) is built with `retry: false`, and nothing here retries:
 * a request whose answer was lost may have been executed, and repeating a mutation could apply it twice. The error
 * goes to the client, who knows whether repeating is safe.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!("requestId" in context)) return; // health checks and schema loads carry no client context
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    request.http?.headers.set("x-forwarded-for", context.forwardedFor);
    if (context.authorization) request.http?.headers.set("authorization", context.authorization);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      // An entity fetch (fields this subgraph adds to objects another one returned) that fails blanks only those
      // objects, with one error at each one's path; a root fetch still fails as a whole.
      const partial = unavailableEntities(options.request.variables, error);
      if (partial) return partial;
      throw error;
    }
  }
}

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { REQUEST_ID_HEADER } from "@fixup/platform";
import type { GatewayContext } from "./context.js";

/**
 * Subgraphs verify identity themselves, so the gateway forwards the caller's own Authorization header (never a
 * header it invented) and the request id for log correlation.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!("requestId" in context)) return; // health checks and schema loads carry no client context
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    request.http?.headers.set("x-forwarded-for", context.forwardedFor);
    if (context.authorization) request.http?.headers.set("authorization", context.authorization);
  }
}

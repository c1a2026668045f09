import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, Server } from "node:http";
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { viewerFromHeader, type TokenVerifier } from "./auth.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { RequestContext } from "./server.js";

/** graphql-ws close code for a failed authentication (the protocol's convention, like HTTP 401). */
export const WS_UNAUTHORIZED = 4401;

export interface WsRequestInfo {
  ip?: string;
  headers: IncomingHttpHeaders;
}

export interface SubscriptionServerOptions<TContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  logger: Logger;
  production: boolean;
  context: (base: RequestContext, req: WsRequestInfo) => TContext | Promise<TContext>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  metrics: Metrics;
}

const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
};

/**
 * graphql-ws on the HTTP server's /graphql. The token from `connectionParams.authorization` is verified at connect
 * (a bad one closes the socket with 4401) and again for every subscription (so an expired token errors with
 * UNAUTHENTICATED instead of streaming on).
 */
export function startSubscriptionServer<TContext>(options: SubscriptionServerOptions<TContext>): { close(): Promise<void> } {
  const { logger } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: "/graphql" });
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((error) => {
      const formatted = options.formatError(error.toJSON(), error);
      return new GraphQLError(formatted.message, { extensions: formatted.extensions, path: formatted.path });
    });
  const cleanup = useServer(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        try {
          const viewer = await viewerFromHeader(authorizationOf(ctx.connectionParams), options.verifier);
          if (viewer) return true;
        } catch {
          // fall through: bad or expired token
        }
        ctx.extra.socket.close(WS_UNAUTHORIZED, "Unauthorized");
        return false;
      },
      context: async (ctx) => {
        const authorization = authorizationOf(ctx.connectionParams);
        const requestId = randomUUID();
        return options.context(
          { requestId, log: logger.child({ reqId: requestId }), viewer: () => viewerFromHeader(authorization, options.verifier) },
          { ip: ctx.extra.request.socket.remoteAddress, headers: ctx.extra.request.headers },
        );
      },
      ...countStreaming(options.metrics.wsSubscriptions),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : result),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

interface StreamingContext {
  extra: { request: { socket: { remotePort?: number } } };
}

/**
 * graphql-ws hooks that keep a gauge of subscriptions really streaming: counted once one starts (refused ones never
 * are) until it completes either way. The subgraphs and the gateway count theirs alike.
 */
export function countStreaming(gauge: Pick<Metrics["wsSubscriptions"], "inc" | "dec">) {
  const streaming = new Set<string>();
  const key = (ctx: StreamingContext, id: string) => `${ctx.extra.request.socket.remotePort}:${id}`;
  return {
    onOperation: (ctx: StreamingContext, id: string, _payload: unknown, _args: unknown, result: unknown) => {
      if (result && typeof result === "object" && Symbol.asyncIterator in result) {
        streaming.add(key(ctx, id));
        gauge.inc();
      }
      return undefined;
    },
    onComplete: (ctx: StreamingContext, id: string) => {
      if (streaming.delete(key(ctx, id))) gauge.dec();
    },
  };
}

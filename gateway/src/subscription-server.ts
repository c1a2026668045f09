import type { Server } from "node:http";
import type { ApolloServer } from "@apollo/server";
import { GraphQLError, print, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { countStreaming, ErrorCode, forwardedFor, requestIdOf, viewerFromHeader, type TrustFn, WS_UNAUTHORIZED, type Logger, type Metrics, type TokenVerifier } from "@fixup/platform";
import { CheckedDocuments } from "./checked-documents.js";
import type { GatewayContext } from "./context.js";
import { SubscriptionFanout, type MemberEnd, type MemberSocket } from "./subscription-fanout.js";
import { planSubscription, SubscriptionPlanError, type SubscriptionPlan } from "./subscription-plan.js";
import { UpstreamHub } from "./upstream-hub.js";

export interface GatewaySubscriptionOptions {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  verifier: TokenVerifier;
  logger: Logger;
  /** Current API schema and Subscription-field owners (they change only with the supergraph). */
  schema: () => { apiSchema: GraphQLSchema; owners: Map<string, string> } | undefined;
  /** Base HTTP URL of each subgraph by name; its graphql-ws endpoint is the same path over ws. */
  subgraphUrls: Record<string, string>;
  /** The HTTP path's extra validation (depth, aliases, tokens…): a subscription must pass the same limits. */
  validationRules: readonly ValidationRule[];
  /** The HTTP path's token limit (graphql-js parse option), for documents sent over the socket. */
  maxTokens: number;
  /** The HTTP app's `trust proxy fn`, so queries over the socket carry the same client address as over HTTP. */
  trustProxy: TrustFn;
  /** Client subscriptions streaming now (the subgraphs count the shared upstream ones). */
  metrics: Pick<Metrics, "wsSubscriptions">;
}

export const MAX_MESSAGE_BYTES = 1024 * 1024;

const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
};

const errorResult = (message: string, code: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code } })],
});

/**
 * graphql-ws for clients on the gateway's /graphql. Each subscription's root field is forwarded to its owning
 * subgraph over graphql-ws; every event is then resolved through the gateway's normal federated query path with the
 * client's own credentials. Upstream connections and identical subscriptions are shared (UpstreamHub).
 */
export function startGatewaySubscriptions(options: GatewaySubscriptionOptions): { close(): Promise<void> } {
  const { logger } = options;
  const hub = new UpstreamHub(options.subgraphUrls);
  const documents = new CheckedDocuments(options.validationRules, options.maxTokens);

  const fanout = new SubscriptionFanout(hub, (query, variables, context) => executeThroughGateway(query, variables, context));
  // Where each subscription's frames go: its connection's socket and the client's operation id (set per Subscribe).
  const deliveries = new WeakMap<GatewayContext, { socket: MemberSocket; id: string }>();

  async function executeThroughGateway(query: string, variables: Record<string, unknown>, context: GatewayContext) {
    const response = await options.apollo.executeOperation({ query, variables }, { contextValue: context });
    if (response.body.kind !== "single") return errorResult("Incremental delivery is not supported here", ErrorCode.BAD_USER_INPUT);
    const { data, errors } = response.body.singleResult;
    return { data: data ?? null, errors: errors?.map(toGraphQLError) } as ExecutionResult;
  }

  /**
   * The subscription as graphql-ws sees it: events bypass it (SubscriptionFanout writes their frames to the socket,
   * serialised once per group), so it only ever yields the terminal error result. A hand-written iterator rather than
   * an async generator: a generator queues `return()` behind its pending `next()`, so a client leaving would keep the
   * upstream subscription open until the next event. Here `return()` leaves at once.
   */
  function forward(plan: SubscriptionPlan, context: GatewayContext, delivery: { socket: MemberSocket; id: string }): AsyncIterableIterator<ExecutionResult> {
    let ending: MemberEnd | undefined;
    let wake: (() => void) | undefined;
    let closed = false;
    const leave = fanout.join(plan, {
      ...delivery,
      context,
      end: (reason) => {
        ending ??= reason;
        leave();
        wake?.();
      },
    });
    const close = () => {
      if (closed) return;
      closed = true;
      leave();
      wake?.();
    };
    const done = { done: true as const, value: undefined };
    const lastWord = (reason: MemberEnd): ExecutionResult | undefined => {
      if ("errors" in reason) return { errors: (reason.errors ?? []).map(toGraphQLError) };
      if ("upstreamError" in reason) {
        if (Array.isArray(reason.upstreamError)) return { errors: (reason.upstreamError as GraphQLFormattedError[]).map(toGraphQLError) };
        const { code, reason: why } = reason.upstreamError as { code?: number; reason?: string };
        logger.warn({ err: reason.upstreamError, code, reason: why, subgraph: plan.subgraph }, "upstream subscription failed");
        return errorResult(`Subscription source ${plan.subgraph} is unavailable`, ErrorCode.INTERNAL_SERVER_ERROR);
      }
      if ("thrown" in reason) throw reason.thrown;
      return undefined;
    };

    const iterator: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        while (!closed && !ending) await new Promise<void>((resolve) => (wake = resolve));
        const reason = ending;
        if (closed || !reason) return done;
        close();
        const value = lastWord(reason);
        return value ? { done: false, value } : done;
      },
      async return() {
        close();
        return done;
      },
      async throw(error?: unknown) {
        close();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  // The same 1 MiB as an HTTP body; ws would otherwise buffer messages of up to 100 MiB (closes with 1009).
  const wsServer = new WebSocketServer({ server: options.httpServer, path: "/graphql", maxPayload: MAX_MESSAGE_BYTES });
  const cleanup = useServer<Record<string, unknown>, { gatewayContext?: GatewayContext }>(
    {
      schema: () => {
        const current = options.schema();
        if (!current) throw new Error("gateway schema not loaded yet");
        return current.apiSchema;
      },
      // graphql-ws would parse the document without a token limit and validate it again for every subscriber: the
      // document is parsed here with the HTTP path's limits and checked once per (schema, text), so an over-limit or
      // invalid document is refused as an error message on the operation (BAD_USER_INPUT), like over HTTP.
      onSubscribe: (_ctx, _id, payload) => {
        const current = options.schema();
        if (!current) return undefined;
        const checked = documents.check(current.apiSchema, payload.query);
        if ("errors" in checked) return [...checked.errors];
        return { schema: current.apiSchema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onConnect: async (ctx) => {
        try {
          if (await viewerFromHeader(authorizationOf(ctx.connectionParams), options.verifier)) return true;
        } catch {
          // bad or expired token
        }
        ctx.extra.socket.close(WS_UNAUTHORIZED, "Unauthorized");
        return false;
      },
      context: (ctx, id): GatewayContext => {
        const context: GatewayContext = {
          // The upgrade request's id (the edge's, or the client's when safe): the connection's log lines and its
          // events' subgraph calls share the id nginx logged for it.
          requestId: requestIdOf(ctx.extra.request),
          authorization: authorizationOf(ctx.connectionParams),
          forwardedFor: forwardedFor(ctx.extra.request, options.trustProxy),
        };
        deliveries.set(context, { socket: ctx.extra.socket, id });
        return context;
      },
      subscribe: async (args) => {
        const context = args.contextValue as GatewayContext;
        try {
          await viewerFromHeader(context.authorization, options.verifier); // still valid for this subscription?
        } catch {
          return errorResult("Access token invalid or expired", ErrorCode.UNAUTHENTICATED);
        }
        const current = options.schema();
        if (!current) return errorResult("Gateway is starting", ErrorCode.INTERNAL_SERVER_ERROR);
        try {
          const plan = planSubscription(args.document, args.operationName, args.variableValues ?? {}, current.apiSchema, current.owners);
          const delivery = deliveries.get(context);
          if (!delivery) throw new Error("subscription without its socket");
          return forward(plan, context, delivery);
        } catch (error) {
          if (error instanceof SubscriptionPlanError) return errorResult(error.message, ErrorCode.BAD_USER_INPUT);
          throw error;
        }
      },
      ...countStreaming(options.metrics.wsSubscriptions),
      // Queries and mutations sent over the socket take the normal HTTP path's executor.
      execute: async (args) =>
        executeThroughGateway(print(args.document), args.variableValues ?? {}, args.contextValue as GatewayContext),
    },
    wsServer,
  );

  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await hub.close();
    },
  };
}

function toGraphQLError(error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, { extensions: error.extensions, path: error.path });
}

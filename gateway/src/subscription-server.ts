import type { Server } from "node:http";
import type { ApolloServer } from "@apollo/server";
import { GraphQLError, parse, print, specifiedRules, validate, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { countStreaming, ErrorCode, forwardedFor, requestIdOf, viewerFromHeader, type TrustFn, WS_UNAUTHORIZED, type Logger, type Metrics, type TokenVerifier } from "@fixup/platform";
import type { GatewayContext } from "./context.js";
import { planSubscription, SubscriptionPlanError } from "./subscription-plan.js";
import { UpstreamHub, type UpstreamEvent } from "./upstream-hub.js";

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

  // Many subscribers with the same credentials and selection (one user's tabs, a broadcast) get the same upstream
  // event object from the hub: resolve it once for all of them. The work is keyed by that event, never shared with
  // another event — each event is resolved from the state at its own time, even when events follow 10 ms apart.
  const resolved = new WeakMap<UpstreamEvent, Map<string, Promise<ExecutionResult>>>();
  function resolveEvent(event: UpstreamEvent, query: string, variables: Record<string, unknown>, context: GatewayContext): Promise<ExecutionResult> {
    let forEvent = resolved.get(event);
    if (!forEvent) resolved.set(event, (forEvent = new Map()));
    const key = JSON.stringify([context.authorization ?? "", query, variables]);
    let pending = forEvent.get(key);
    if (!pending) {
      pending = executeThroughGateway(query, variables, context);
      forEvent.set(key, pending);
    }
    return pending;
  }

  async function executeThroughGateway(query: string, variables: Record<string, unknown>, context: GatewayContext) {
    const response = await options.apollo.executeOperation({ query, variables }, { contextValue: context });
    if (response.body.kind !== "single") return errorResult("Incremental delivery is not supported here", ErrorCode.BAD_USER_INPUT);
    const { data, errors } = response.body.singleResult;
    return { data: data ?? null, errors: errors?.map(toGraphQLError) } as ExecutionResult;
  }

  /**
   * A hand-written iterator rather than an async generator: a generator queues `return()` behind its pending
   * `next()`, so a client leaving while no event is due would keep the upstream subscription open until the next
   * event. Here `return()` closes upstream at once.
   */
  function forward(plan: ReturnType<typeof planSubscription>, context: GatewayContext): AsyncIterableIterator<ExecutionResult> {
    type Item = { event: UpstreamEvent } | { error: unknown };
    const queue: Item[] = [];
    let wake: (() => void) | undefined;
    let upstreamDone = false;
    let closed = false;
    const leave = hub.join(plan.subgraph, context.authorization ?? "", plan.upstream, {
      next: (event) => {
        queue.push({ event });
        wake?.();
      },
      error: (error) => {
        queue.push({ error });
        upstreamDone = true;
        wake?.();
      },
      complete: () => {
        upstreamDone = true;
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

    const iterator: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        while (!closed) {
          const item = queue.shift();
          if (!item) {
            if (upstreamDone) break;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          if ("error" in item) {
            close();
            if (Array.isArray(item.error)) return { done: false, value: { errors: (item.error as GraphQLFormattedError[]).map(toGraphQLError) } };
            const { code, reason } = item.error as { code?: number; reason?: string };
            logger.warn({ err: item.error, code, reason, subgraph: plan.subgraph }, "upstream subscription failed");
            return { done: false, value: errorResult(`Subscription source ${plan.subgraph} is unavailable`, ErrorCode.INTERNAL_SERVER_ERROR) };
          }
          if (item.event.errors?.length) {
            close();
            return { done: false, value: { errors: item.event.errors.map(toGraphQLError) } };
          }
          const id = (Object.values(item.event.data ?? {})[0] as { id?: string } | null | undefined)?.id;
          if (!id) continue;
          const { query, variables } = plan.refetch(id);
          const result = await resolveEvent(item.event, query, variables, context);
          if (closed) break;
          // An event the client may no longer see (null without errors) is skipped, not sent as a broken payload.
          if (!result.errors?.length && (result.data as Record<string, unknown> | null)?.[plan.responseKey] == null) continue;
          return { done: false, value: result };
        }
        close();
        return done;
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
      // graphql-ws would parse the document without a token limit: parse it here with the HTTP path's limits, so
      // an over-limit document is refused as an error message on the operation (BAD_USER_INPUT), like over HTTP.
      onSubscribe: (_ctx, _id, payload) => {
        const current = options.schema();
        if (!current) return undefined;
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : "Syntax Error";
          return [new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
        const refused = validate(current.apiSchema, document, [...specifiedRules, ...options.validationRules]);
        if (refused.length) return refused.map((e) => new GraphQLError(e.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } }));
        return undefined;
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
      context: (ctx): GatewayContext => ({
        // The upgrade request's id (the edge's, or the client's when safe): the connection's log lines and its
        // events' subgraph calls share the id nginx logged for it.
        requestId: requestIdOf(ctx.extra.request),
        authorization: authorizationOf(ctx.connectionParams),
        forwardedFor: forwardedFor(ctx.extra.request, options.trustProxy),
      }),
      subscribe: async (args) => {
        const context = args.contextValue as GatewayContext;
        try {
          await viewerFromHeader(context.authorization, options.verifier); // still valid for this subscription?
        } catch {
          return errorResult("Access token invalid or expired", ErrorCode.UNAUTHENTICATED);
        }
        const current = options.schema();
        if (!current) return errorResult("Gateway is starting", ErrorCode.INTERNAL_SERVER_ERROR);
        const refused = validate(current.apiSchema, args.document, options.validationRules);
        if (refused.length) {
          return { errors: refused.map((e) => new GraphQLError(e.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })) };
        }
        try {
          const plan = planSubscription(args.document, args.operationName, args.variableValues ?? {}, current.apiSchema, current.owners);
          return forward(plan, context);
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

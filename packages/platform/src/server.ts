import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { unwrapResolverError } from "@apollo/server/errors";
import { expressMiddleware } from "@as-integrations/express5";
import type { Express } from "express";
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { createDrainableServer } from "./drain.js";
import { AppError, appErrorExtensions, formatGraphQLError } from "./errors.js";
import { createBaseApp, graphqlBody, notFoundHandler, restErrorHandler, type ReadinessCheck } from "./http.js";
import { viewerFromHeader, type TokenVerifier, type Viewer } from "./auth.js";
import type { Logger } from "./logger.js";
import { metricsPlugin, type Metrics } from "./metrics.js";
import type { OutboxRelay } from "./outbox.js";
import { publishBeforeAnswerPlugin } from "./read-your-writes.js";
import { guardSchemaInputs, type MalformedIdAnswer } from "./input-boundary.js";
import type { TrustProxy } from "./config.js";
import { startSubscriptionServer, type WsRequestInfo } from "./subscriptions.js";

export interface RequestContext {
  requestId: string;
  log: Logger;
  /** Lazily verified: public operations work without a token, a bad token fails only where identity is read. */
  viewer: () => Promise<Viewer | null>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  port: number;
  host?: string;
  production: boolean;
  logger: Logger;
  metrics: Metrics;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  readiness: ReadinessCheck[];
  /** Adds service-specific fields (services, loaders) to the base request context (HTTP and WebSocket alike). */
  context: (base: RequestContext, req: WsRequestInfo) => TContext | Promise<TContext>;
  /** Serve graphql-ws subscriptions on /graphql too. */
  subscriptions?: boolean;
  /** REST shims, mounted before GraphQL. */
  routes?: (app: Express) => void;
  plugins?: ApolloServerPlugin<TContext>[];
  /** The service's outbox relay: mutations answer only once what they committed is published (read-your-writes). */
  outbox?: OutboxRelay;
  /** How an id that is not a UUID is answered (input-boundary.ts); BAD_USER_INPUT unless the subgraph documents otherwise. */
  malformedIds?: MalformedIdAnswer;
  /** Which peers may tell the client's address in X-Forwarded-For (express `trust proxy`; TRUST_PROXY). */
  trustProxy?: TrustProxy;
  /** Releases pools and clients after the HTTP server has drained. */
  onClose?: () => Promise<void>;
}

export function appErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Errors thrown outside resolvers (context, plugins) arrive wrapped without a path.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError ? unwrapped.originalError : unwrapped;
    if (original instanceof AppError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: appErrorExtensions(original) };
    }
    return formatGraphQLError(formatted, () => logger.error({ err: original, path: formatted.path }, "internal GraphQL error"));
  };
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Boots an Apollo subgraph on express with the platform's health, metrics, logging, errors and draining. */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const { logger, metrics } = options;
  const app = createBaseApp(logger, metrics, options.readiness, { trustProxy: options.trustProxy });
  const http = createDrainableServer(app);
  const httpServer = http.server;
  // One input boundary for HTTP and graphql-ws alike: no resolver sees unstorable text or a malformed id.
  const schema = guardSchemaInputs(options.schema, options.malformedIds);
  const apollo = new ApolloServer<TContext>({
    schema,
    introspection: !options.production,
    csrfPrevention: true,
    // The gateway sends a query plan's parallel operations for one caller as one HTTP batch: one context (token
    // check, DataLoaders) for all of them. Clients reach subgraphs only through the gateway, which refuses batches.
    allowBatchedHttpRequests: true,
    // Our onShutdown drains everything in order; Apollo's own handler would stop early and re-raise the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: appErrorFormatter(logger),
    plugins: [
      metricsPlugin(metrics),
      // Federated tracing is for Apollo's hosted studio, which we do not use; it costs time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      // No field carries a cache hint, yet the plugin wraps every resolver to collect them (a promise per field).
      ApolloServerPluginCacheControlDisabled(),
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(options.outbox ? [publishBeforeAnswerPlugin<TContext>(options.outbox, logger)] : []),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();

  options.routes?.(app);
  app.use(
    "/graphql",
    graphqlBody("1mb"),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        let viewer: Promise<Viewer | null> | undefined;
        const base: RequestContext = {
          requestId: String(req.id),
          log: req.log,
          viewer: () => (viewer ??= viewerFromHeader(req.headers.authorization, options.verifier)),
        };
        return options.context(base, req);
      },
    }),
  );
  app.use(notFoundHandler);
  app.use(restErrorHandler(logger));

  const formatError = appErrorFormatter(logger);
  const subscriptions = options.subscriptions
    ? startSubscriptionServer({
        httpServer,
        schema,
        verifier: options.verifier,
        logger,
        production: options.production,
        context: options.context,
        formatError,
        metrics,
      })
    : null;

  const port = await listen(httpServer, options.port, options.host ?? "127.0.0.1");
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  logger.info({ url: `${url}/graphql` }, `${options.name} subgraph ready`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        await subscriptions?.close();
        await http.drain(); // no new request, not even on kept-alive sockets; every taken one is answered
        await apollo.stop();
        await options.onClose?.();
        logger.info(`${options.name} stopped`);
      })()),
  };
}

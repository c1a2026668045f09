import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type GraphQLSchema } from "graphql";
import {
  AppError,
  appErrorFormatter,
  createBaseApp,
  createDrainableServer,
  forwardedFor,
  createLogger,
  createMetrics,
  graphqlBody,
  listen,
  metricsPlugin,
  notFoundHandler,
  remoteJwksVerifier,
  restErrorHandler,
  viewerFromHeader,
  type Logger,
  type RunningServer,
  type TrustFn,
} from "@fixup/platform";
import type { GatewayConfig } from "./config.js";
import type { GatewayContext } from "./context.js";
import { inputTextPlugin } from "./input-text-plugin.js";
import { SubgraphDataSource } from "./data-source.js";
import { createSubgraphFetcher } from "./subgraph-fetcher.js";
import { subgraphFetchCounter } from "./subgraph-metrics.js";
import { proxyTo } from "./rest-proxy.js";
import { subscriptionOwners } from "./subscription-plan.js";
import { startGatewaySubscriptions } from "./subscription-server.js";

export const supergraphPath = new URL("../../schema/supergraph.graphql", import.meta.url);

/** Paths the users service serves over REST; the gateway is the single public entry point for them too. */
export const USERS_REST_PATHS = ["/auth", "/.well-known/jwks.json", "/openapi.json", "/docs", "/users/me/avatar", "/media"];

export async function startGateway(config: GatewayConfig, logger: Logger = createLogger("gateway", config.LOG_LEVEL)): Promise<RunningServer> {
  const production = config.NODE_ENV === "production";
  const metrics = createMetrics("gateway", { maxOperations: config.METRICS_MAX_OPERATIONS });
  const subgraphUrls: Record<string, string> = {
    users: `${config.USERS_URL}/graphql`,
    catalog: `${config.CATALOG_URL}/graphql`,
    orders: `${config.ORDERS_URL}/graphql`,
    chat: `${config.CHAT_URL}/graphql`,
  };
  const verifier = remoteJwksVerifier(`${config.USERS_URL}/.well-known/jwks.json`);

  const supergraphSdl = readFileSync(supergraphPath, "utf8");
  const fetcher = createSubgraphFetcher();
  const onFetch = subgraphFetchCounter(metrics);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      return new SubgraphDataSource({ name, url: target, fetcher, logger, onFetch });
    },
  });
  const owners = subscriptionOwners(supergraphSdl);
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((loaded) => {
    apiSchema = loaded.apiSchema;
  });
  const armor = new ApolloArmor({
    maxDepth: { n: config.MAX_QUERY_DEPTH, flattenFragments: true },
    maxAliases: { n: config.MAX_QUERY_ALIASES },
    // Counted by graphql-js's own parser (parseOptions below): armor's token plugin throws from a plugin hook,
    // which Apollo answers with HTTP 500 instead of a 400 parse error.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 5_000 },
    blockFieldSuggestion: { enabled: production },
  });
  const protection = armor.protect();

  // Ready when every subgraph answers its own /readyz (which checks its database and Redis).
  const app = createBaseApp(
    logger,
    metrics,
    Object.entries(subgraphUrls).map(([name, url]) => ({
      name,
      check: async () => {
        const res = await fetch(url.replace(/\/graphql$/, "/readyz"));
        if (!res.ok) throw new Error(`${name} not ready: ${res.status}`);
      },
    })),
    { trustProxy: config.TRUST_PROXY },
  );
  const http = createDrainableServer(app);
  const httpServer = http.server;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // onShutdown (platform) owns SIGTERM: drain in order, exit 0
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
    formatError: appErrorFormatter(logger),
    plugins: [
      // graphql-armor is typed against Apollo's CJS build; the runtime objects are the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      metricsPlugin(metrics),
      inputTextPlugin(),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();

  for (const path of USERS_REST_PATHS) app.use(path, proxyTo(config.USERS_URL));
  app.use(
    "/graphql",
    graphqlBody("1mb"),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const authorization = req.headers.authorization;
        // Early rejection: a bad token never reaches the subgraphs (they verify again on their own).
        await viewerFromHeader(authorization, verifier).catch((error: unknown) => {
          if (!(error instanceof AppError)) throw error;
          throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: error.status } } });
        });
        return { requestId: String(req.id), authorization, forwardedFor: forwardedFor(req) };
      },
    }),
  );
  const subscriptions = startGatewaySubscriptions({
    httpServer,
    apollo,
    verifier,
    logger,
    schema: () => (apiSchema ? { apiSchema, owners } : undefined),
    subgraphUrls,
    validationRules: protection.validationRules,
    maxTokens: config.MAX_QUERY_TOKENS,
    trustProxy: app.get("trust proxy fn") as TrustFn,
    metrics,
  });
  app.use(notFoundHandler);
  app.use(restErrorHandler(logger));

  const port = await listen(httpServer, config.GATEWAY_PORT, config.GATEWAY_HOST);
  const url = `http://${config.GATEWAY_HOST === "0.0.0.0" ? "localhost" : config.GATEWAY_HOST}:${port}`;
  logger.info({ url: `${url}/graphql` }, "gateway ready");
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        await subscriptions.close();
        await http.drain(); // in-flight operations finish and are answered; nothing new is taken
        await apollo.stop();
        await fetcher.close();
        logger.info("gateway stopped");
      })()),
  };
}

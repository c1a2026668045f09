import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { STATUS_CODES } from "node:http";
import { GraphQLError } from "graphql";
import { REQUEST_ID_HEADER, type Logger } from "@fixup/platform";
import type { GatewayContext } from "./context.js";
import { InFlight } from "./in-flight.js";
import { isReadOnlyOperation } from "./operation-kind.js";
import { SameTickBatcher } from "./batcher.js";
import type { SubgraphFetcher, SubgraphReply } from "./subgraph-fetcher.js";
import { restrictCachePolicy } from "./cache-policy.js";
import { unavailableEntities } from "./partial-failure.js";

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource<GatewayContext>["process"]>>;

/**
 * Headers that only say who asked (correlation, the client's address for per-IP limits on mutations): they do not
 * change a query's answer, so they stay out of the merge key. Every other header is part of the key — a header
 * added later is safe by default.
 */
const CORRELATION_HEADERS = new Set([REQUEST_ID_HEADER, "x-forwarded-for"]);

export type FetchOutcome = "sent" | "merged" | "batched";

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: SubgraphFetcher;
  logger: Logger;
  /** Counts subgraph HTTP requests sent, and operations merged or batched into others (one increment each). */
  onFetch?: (subgraph: string, outcome: FetchOutcome) => void;
}

/**
 * Talks to one subgraph. Subgraphs verify identity themselves, so the gateway forwards the caller's own
 * Authorization header (never one it invented) and the request id for log correlation.
 *
 * Identical read-only operations in flight at the same time (same URL, body and answer-relevant headers, so the
 * same token) are sent once; each caller parses its own copy of the shared reply text. Mutations never merge.
 *
 * Retries: none. A request whose answer was lost may have been executed, and repeating a mutation could apply it
 * twice; the error goes to the client, who knows whether repeating is safe (gateway/src/no-retry.test.ts).
 *
 * An entity fetch (fields this subgraph adds to objects another one returned) that fails blanks only those objects,
 * with one error at each one's path (partial-failure.ts); a root fetch still fails as a whole.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly inFlight = new InFlight<SubgraphReply>();
  private readonly batcher: SameTickBatcher;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    this.batcher = new SameTickBatcher((headers, body) => this.send(headers, body), {
      logger: options.logger,
      subgraph: options.name,
      onBatched: (n) => {
        for (let i = 0; i < n; i++) options.onFetch?.(options.name, "batched");
      },
    });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await this.fetch(options);
    } catch (error) {
      const partial = unavailableEntities(options.request.variables, error);
      if (partial) return partial;
      throw error;
    }
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const [name, value] of request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    const context = options.context as Partial<GatewayContext>;
    if (context.requestId) {
      headers[REQUEST_ID_HEADER] = context.requestId;
      if (context.forwardedFor) headers["x-forwarded-for"] = context.forwardedFor;
      if (context.authorization) headers.authorization = context.authorization;
    }
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    const { url, name } = this.options;
    const incoming = "incomingRequestContext" in options ? options : undefined; // health checks and schema loads are not

    const requestId = context.requestId ?? "internal";
    const credentials = answerKey(url, headers);
    const reply = await (isReadOnlyOperation(request.query, incoming?.document)
      ? this.shared(`${credentials}\n${body}`, requestId, () => this.batcher.enqueue(credentials, headers, body, requestId))
      : this.send(headers, body)
    ).catch((error: unknown) => {
      // A shared failure reaches several client requests: each gets its own error object to annotate.
      throw new Error(`${name} request failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });

    if (reply.status < 200 || reply.status > 299) throw errorFromReply(url, reply);
    const parsed: unknown = isJson(reply.contentType) ? JSON.parse(reply.body) : reply.body;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Expected JSON response body from ${name}, but received: ${reply.body.slice(0, 200)}`);
    }
    if (incoming) restrictCachePolicy(incoming.incomingRequestContext.overallCachePolicy, reply.cacheControl);
    return parsed as SubgraphResponse;
  }

  private send(headers: Record<string, string>, body: string): Promise<SubgraphReply> {
    this.options.onFetch?.(this.options.name, "sent");
    return this.options.fetcher(this.options.url, headers, body);
  }

  private shared(key: string, requestId: string, send: () => Promise<SubgraphReply>): Promise<SubgraphReply> {
    const { logger, name, onFetch } = this.options;
    if (this.inFlight.has(key)) onFetch?.(name, "merged");
    return this.inFlight.run(key, requestId, send, (requestIds) => {
      if (requestIds.length > 1) logger.debug({ subgraph: name, requestIds }, "identical subgraph requests merged");
    });
  }
}

/** The URL and every header that can change a subgraph's answer (credentials above all). */
function answerKey(url: string, headers: Record<string, string>): string {
  let key = url;
  for (const [name, value] of Object.entries(headers)) if (!CORRELATION_HEADERS.has(name)) key += `\n${name}:${value}`;
  return key;
}

const isJson = (contentType: string | undefined) =>
  !!contentType && (contentType.startsWith("application/json") || contentType.startsWith("application/graphql-response+json"));

/** The same error Apollo's RemoteGraphQLDataSource raises for a non-2xx answer (a fresh one per caller). */
function errorFromReply(url: string, reply: SubgraphReply): GraphQLError {
  let body: unknown = reply.body;
  if (isJson(reply.contentType)) {
    try {
      body = JSON.parse(reply.body);
    } catch {
      // keep the text
    }
  }
  const extensions: Record<string, unknown> = { response: { url, status: reply.status, body } };
  if (reply.status === 401) extensions.code = "UNAUTHENTICATED";
  else if (reply.status === 403) extensions.code = "FORBIDDEN";
  return new GraphQLError(`${reply.status}: ${STATUS_CODES[reply.status] ?? ""}`, { extensions });
}

import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayContext } from "./context.js";

type CachePolicy = Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>["incomingRequestContext"]["overallCachePolicy"];

/**
 * Narrows the client response's cache policy by a subgraph's Cache-Control header, as Apollo's
 * RemoteGraphQLDataSource does: no header means "not cacheable", so one uncacheable fetch makes the whole answer so.
 */
export function restrictCachePolicy(policy: CachePolicy | undefined, cacheControl: string | undefined): void {
  if (!policy || !("restrict" in policy)) return;
  const directives = new Map<string, string | true>();
  for (const part of (cacheControl ?? "").split(",")) {
    const [name, value] = part.trim().split("=");
    if (name) directives.set(name.toLowerCase(), value ?? true);
  }
  const maxAge = directives.get("max-age");
  policy.restrict({
    maxAge: typeof maxAge === "string" && /^\d+$/.test(maxAge) ? Number(maxAge) : 0,
    ...(directives.get("private") === true ? { scope: "PRIVATE" as const } : {}),
    ...(directives.get("public") === true ? { scope: "PUBLIC" as const } : {}),
  });
}

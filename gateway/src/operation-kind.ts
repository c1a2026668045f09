import type { DocumentNode } from "graphql";

const QUERY_START = /^\s*(?:query\b|\{)/;

/**
 * Whether a subgraph operation only reads, so identical ones may share one answer. The planner's document is
 * used when the gateway exposes it; otherwise the printed operation (one per fetch, fragments after it) must start
 * with `query` or `{`. Anything else — mutations, subscriptions, a fragment first — counts as not a read.
 */
export function isReadOnlyOperation(query: string, document?: DocumentNode): boolean {
  if (document) {
    const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
    return operations.length === 1 && operations.every((d) => d.operation === "query");
  }
  return QUERY_START.test(query);
}

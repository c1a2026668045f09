import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type DocumentNode, type GraphQLSchema } from "graphql";
import { readFileSync } from "node:fs";

export const loadTypeDefs = (url: URL): DocumentNode => parse(readFileSync(url, "utf8"));

/**
 * Builds a federation subgraph schema from codegen-typed resolvers. The generated `Resolvers` type is stricter than
 * @apollo/subgraph's resolver map (which types context as unknown), so the one cast between them lives here.
 */
export function subgraphSchema<R extends object>(typeDefs: DocumentNode, resolvers: R): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
}

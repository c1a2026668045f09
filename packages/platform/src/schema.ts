import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type DocumentNode, type GraphQLSchema } from "graphql";
import { readFileSync } from "node:fs";
import { errorCodeTypeDefs } from "./error-code-schema.js";

const withSharedTypes = (typeDefs: DocumentNode): DocumentNode => ({
  ...typeDefs,
  definitions: [...typeDefs.definitions, ...errorCodeTypeDefs.definitions],
});

/** A subgraph's SDL file plus the types every subgraph declares alike (the ErrorCode enum). */
export const loadTypeDefs = (url: URL): DocumentNode => withSharedTypes(parse(readFileSync(url, "utf8")));

/**
 * Builds a federation subgraph schema from codegen-typed resolvers. The generated `Resolvers` type is stricter than
 * @apollo/subgraph's resolver map (which types context as unknown), so the one cast between them lives here.
 */
export function subgraphSchema<R extends object>(typeDefs: DocumentNode, resolvers: R): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
}

import type { DocumentNode } from "graphql";
import { loadTypeDefs } from "@fixup/platform";

export interface SubgraphInfo {
  name: string;
  /** Default URL recorded in the supergraph; the gateway overrides it from env. */
  url: string;
  typeDefs: DocumentNode;
}

const sdl = (name: string) => loadTypeDefs(new URL(`../subgraphs/${name}/src/graphql/schema.graphql`, import.meta.url));

/** Every subgraph in the federation; compose and codegen read this list. */
export const SUBGRAPHS: SubgraphInfo[] = [
  { name: "users", url: "http://127.0.0.1:4001/graphql", typeDefs: sdl("users") },
  { name: "catalog", url: "http://127.0.0.1:4002/graphql", typeDefs: sdl("catalog") },
  { name: "orders", url: "http://127.0.0.1:4003/graphql", typeDefs: sdl("orders") },
  { name: "chat", url: "http://127.0.0.1:4004/graphql", typeDefs: sdl("chat") },
];

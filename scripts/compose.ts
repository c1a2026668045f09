import { readFileSync, writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { SUBGRAPHS } from "./subgraphs.js";

export const SUPERGRAPH_FILE = new URL("../schema/supergraph.graphql", import.meta.url);

export function composeSupergraph(): string {
  const result = composeServices(SUBGRAPHS.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join("\n")}`);
  }
  return `${result.supergraphSdl.trim()}\n`;
}

// `npm run compose` writes the file; `npm run compose -- --check` fails when the checked-in copy is stale.
if (import.meta.url === `file://${process.argv[1]}`) {
  const sdl = composeSupergraph();
  if (process.argv.includes("--check")) {
    if (readFileSync(SUPERGRAPH_FILE, "utf8") !== sdl) {
      console.error("schema/supergraph.graphql is stale: run `npm run compose`");
      process.exit(1);
    }
    console.log("supergraph is current");
  } else {
    writeFileSync(SUPERGRAPH_FILE, sdl);
    console.log(`wrote ${SUPERGRAPH_FILE.pathname}`);
  }
}

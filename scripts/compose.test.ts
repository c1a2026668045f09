import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { composeSupergraph, SUPERGRAPH_FILE } from "./compose.js";

test("schema/supergraph.graphql is the current composition of the subgraph SDLs (run `npm run compose`)", () => {
  expect(readFileSync(SUPERGRAPH_FILE, "utf8")).toBe(composeSupergraph());
});

import { readFileSync } from "node:fs";
import { Kind, parse, type EnumTypeDefinitionNode } from "graphql";
import { expect, test } from "vitest";
import { ErrorCode } from "@fixup/platform";

// Clients generate types from the schema: the codes they meet in errors[].extensions.code are an enum there, composed
// from every subgraph, and always the platform's one list.
test("the supergraph's ErrorCode enum is exactly the platform's codes, each documented", () => {
  const supergraph = parse(readFileSync(new URL("../schema/supergraph.graphql", import.meta.url), "utf8"));
  const enumDef = supergraph.definitions.find(
    (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === "ErrorCode",
  );
  expect(enumDef?.values?.map((v) => v.name.value)).toEqual(Object.values(ErrorCode));
  for (const value of enumDef?.values ?? []) expect(value.description?.value, value.name.value).toMatch(/REST status \d{3}\./);
});

import { readFileSync } from "node:fs";
import { Kind, parse, print, type FieldDefinitionNode } from "graphql";
import { describe, expect, test } from "vitest";

// docs/API.md is the contract clients read: its operation tables must name exactly the supergraph's root
// fields, with the same arguments and types, so the document cannot drift from what the gateway serves.
const ROOTS = { Query: "Queries", Mutation: "Mutations", Subscription: "Subscriptions" } as const;

const signature = (field: FieldDefinitionNode) => {
  const args = field.arguments?.length ? `(${field.arguments.map((a) => `${a.name.value}: ${print(a.type)}`).join(", ")})` : "";
  return `${field.name.value}${args}: ${print(field.type)}`;
};

function schemaOperations(root: keyof typeof ROOTS): Record<string, string> {
  const document = parse(readFileSync("schema/supergraph.graphql", "utf8"));
  const operations: Record<string, string> = {};
  for (const definition of document.definitions) {
    if ((definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && definition.name.value === root) {
      for (const field of definition.fields ?? []) operations[field.name.value] = signature(field);
    }
  }
  return operations;
}

/** The first column of every table row in the `## <heading>` section: `` `name(args): Type` ``. */
function documentedOperations(heading: string): Record<string, string> {
  const doc = readFileSync("docs/API.md", "utf8");
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`docs/API.md has no "## ${heading}" section`);
  const operations: Record<string, string> = {};
  for (const match of section.matchAll(/^\| `([^`]+)` \|/gm)) {
    const text = match[1] as string;
    const name = /^\w+/.exec(text)?.[0] as string;
    if (name in operations) throw new Error(`docs/API.md lists ${name} twice under ${heading}`);
    operations[name] = text;
  }
  return operations;
}

describe("docs/API.md against schema/supergraph.graphql", () => {
  test.each(Object.entries(ROOTS) as Array<[keyof typeof ROOTS, string]>)("%s: the same operations with the same signatures", (root, heading) => {
    const inSchema = schemaOperations(root);
    const inDoc = documentedOperations(heading);
    expect(Object.keys(inSchema).length).toBeGreaterThan(0);
    expect({ missingFromDoc: Object.keys(inSchema).filter((n) => !(n in inDoc)), notInSchema: Object.keys(inDoc).filter((n) => !(n in inSchema)) }).toEqual({
      missingFromDoc: [],
      notInSchema: [],
    });
    expect(inDoc).toEqual(inSchema);
  });

  test("names every error code the platform can answer, and the mailed-link operations as public", async () => {
    const { ErrorCode } = await import("@fixup/platform");
    const doc = readFileSync("docs/API.md", "utf8");
    for (const code of Object.values(ErrorCode)) expect(doc).toContain(`| \`${code}\` |`);
    const publicLine = doc.split("\n").find((l) => l.includes("**Public operations**")) ?? "";
    const publicParagraph = doc.slice(doc.indexOf(publicLine), doc.indexOf("Every other operation"));
    for (const op of ["requestPasswordReset", "resetPassword", "verifyEmail"]) expect(publicParagraph).toContain(`\`${op}\``);
  });
});

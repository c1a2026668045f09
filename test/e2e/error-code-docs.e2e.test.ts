import { randomUUID } from "node:crypto";
import type { GraphQLField } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registerUser, startFederation, type Federation, type TestUser } from "../support/federation.js";
import { subscribe, wsClient } from "../support/live.js";
import { loadSupergraph, operationFor, rootFields, valueFor, type Leaf } from "../support/schema-inputs.js";

// The `Errors:` line of each root field (test/error-codes.test.ts checks its form) against what the federation really
// answers: every root field is called through the gateway by probes that reach its early refusals — anonymously, as a
// signed-in customer-and-provider with well-formed but unknown ids, with malformed ids, and with text the input
// boundary refuses — and every code it answers must be one its description lists. Deeper paths (INVALID_STATE,
// CONFLICT, RATE_LIMITED) need objects in particular states; the e2e tests of each feature assert those.

type Field = GraphQLField<unknown, unknown>;
interface Probe {
  name: string;
  signedIn: boolean;
  pick: (path: string[], leaf: Leaf) => string;
}

const PROBES: Probe[] = [
  { name: "anonymous, unknown ids", signedIn: false, pick: (_p, leaf) => (leaf === "ID" ? randomUUID() : "a string") },
  { name: "signed in, unknown ids", signedIn: true, pick: (_p, leaf) => (leaf === "ID" ? randomUUID() : "a string") },
  { name: "signed in, malformed ids", signedIn: true, pick: (_p, leaf) => (leaf === "ID" ? "not-an-id" : "a string") },
  { name: "signed in, unstorable text", signedIn: true, pick: () => "a\u0000b" },
];

const schema = loadSupergraph();
const documented = (field: Field): string[] => {
  const line = (field.description ?? "").trimEnd().split("\n").at(-1) ?? "";
  const listed = /^Errors: (.*)\.$/.exec(line)?.[1];
  if (listed === undefined) throw new Error(`${field.name} has no Errors: line`);
  return listed === "none" ? [] : listed.split(", ");
};
const variablesFor = (field: Field, probe: Probe) =>
  Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, [arg.name], probe.pick)]));

let fed: Federation;
let user: TestUser;
// Requests come from random client addresses so per-IP budgets (reset mails, logins) are this file's own.
const clientIp = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
const answered = new Map<string, Set<string>>();

async function codesOf(query: string, variables: Record<string, unknown>, token?: string): Promise<string[]> {
  const res = await fetch(`${fed.gatewayUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": clientIp(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return (body.errors ?? []).map((e) => String(e.extensions?.code));
}

beforeAll(async () => {
  fed = await startFederation();
  user = await registerUser(fed.gatewayUrl, ["CUSTOMER", "PROVIDER"], "Error Docs");
}, 120_000);
afterAll(() => fed?.stop());

describe("every root field answers only the codes its description lists", () => {
  test.each(rootFields(schema).map(({ kind, field }) => ({ name: field.name, kind, field })))("$name", async ({ kind, field }) => {
    // The selection is __typename only (operationFor): no nested field runs, so every code is the root field's own.
    const allowed = documented(field);
    for (const probe of PROBES) {
      const codes = await codesOf(operationFor(kind, field), variablesFor(field, probe), probe.signedIn ? user.token : undefined);
      for (const code of codes) answered.set(code, (answered.get(code) ?? new Set()).add(field.name));
      expect(codes.filter((c) => !allowed.includes(c)), `${field.name}, ${probe.name}`).toEqual([]);
    }
  });

  const subscriptions = Object.values(schema.getSubscriptionType()?.getFields() ?? {});
  test.each(subscriptions.map((field) => ({ name: field.name, field })))("subscription $name over graphql-ws", async ({ field }) => {
    const allowed = documented(field);
    for (const probe of PROBES) {
      const client = wsClient(fed.gatewayUrl, probe.signedIn ? user.token : undefined);
      try {
        const first = await subscribe(client, operationFor("subscription", field).replace("{ __typename }", "{ id }"), variablesFor(field, probe)).next(5_000);
        const codes = (first.errors ?? []).flatMap((e) => {
          const code = (e as { extensions?: { code?: unknown } }).extensions?.code;
          return typeof code === "string" ? [code] : [];
        });
        for (const code of codes) answered.set(code, (answered.get(code) ?? new Set()).add(field.name));
        expect(codes.filter((c) => !allowed.includes(c)), `${field.name}, ${probe.name}`).toEqual([]);
      } finally {
        await client.dispose();
      }
    }
  });

  test("the probes did reach the refusals (the comparison above is not vacuous)", () => {
    for (const code of ["UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND"]) expect(answered.get(code)?.size ?? 0, code).toBeGreaterThan(3);
  });
});

import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { createLogger } from "./logger.js";

/** Logs one object at info and returns the JSON line pino wrote. */
function logged(object: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  createLogger("test", "info", sink).info(object, "logged");
  return JSON.parse(lines.join("")) as Record<string, unknown>;
}

describe("log redaction: secrets and providers' identity numbers never reach log storage", () => {
  test.each([
    { case: "a REST register body", object: { body: { email: "p@example.com", password: "pw", identityNumber: "12345678901" } } },
    { case: "an express request body", object: { req: { body: { identityNumber: "12345678901", name: "Pat" } } } },
    { case: "GraphQL variables", object: { variables: { input: { identityNumber: "12345678901", password: "pw" } } } },
    { case: "a top-level field", object: { identityNumber: "12345678901" } },
    { case: "a database row", object: { row: { identity_number: "12345678901" } } },
  ])("$case", ({ object }) => {
    const line = JSON.stringify(logged(object));
    expect(line).not.toContain("12345678901");
    expect(line).toContain("[REDACTED]");
  });

  test("the rest of a register body stays readable", () => {
    expect(logged({ body: { email: "p@example.com", identityNumber: "12345678901" } })).toMatchObject({
      body: { email: "p@example.com", identityNumber: "[REDACTED]" },
    });
  });
});

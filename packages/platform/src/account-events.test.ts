import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { onUserDeleted, USER_DELETED } from "./account-events.js";
import { createLogger } from "./logger.js";

const event = (type: string, payload: Record<string, unknown>) => ({ id: randomUUID(), type, source: "users", occurredAt: new Date().toISOString(), payload });

test.each([
  ["a UserDeleted event", USER_DELETED, { userId: "6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b" }, ["6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b"]],
  ["another type", "UserRenamed", { userId: "6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b" }, []],
  ["a malformed payload (skipped, not retried)", USER_DELETED, { userId: "not-a-uuid" }, []],
])("%s", async (_case, type, payload, expected) => {
  const applied: string[] = [];
  const handler = onUserDeleted(async (userId) => void applied.push(userId), createLogger("t", "silent"), "applied");
  await expect(handler(event(type, payload))).resolves.toBeUndefined();
  expect(applied).toEqual(expected);
});

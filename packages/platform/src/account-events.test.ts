import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { allHandlers, onUserDeleted, onUserSuspension, USER_DELETED, USER_SUSPENDED, USER_UNSUSPENDED } from "./account-events.js";
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

const ID = "6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b";
test.each<[string, string, Record<string, unknown>, string[]]>([
  ["suspended until lifted", USER_SUSPENDED, { userId: ID, until: null }, [`suspended ${ID} null`]],
  ["suspended until a time", USER_SUSPENDED, { userId: ID, until: "2030-01-02T03:04:05.000Z" }, [`suspended ${ID} 2030-01-02T03:04:05.000Z`]],
  ["unsuspended", USER_UNSUSPENDED, { userId: ID }, [`unsuspended ${ID}`]],
  ["a malformed suspension (skipped)", USER_SUSPENDED, { userId: ID, until: "tomorrow" }, []],
  ["another type", USER_DELETED, { userId: ID }, []],
])("onUserSuspension: %s", async (_case, type, payload, expected) => {
  const applied: string[] = [];
  const handler = onUserSuspension(
    {
      suspended: async (userId, until) => void applied.push(`suspended ${userId} ${until?.toISOString() ?? null}`),
      unsuspended: async (userId) => void applied.push(`unsuspended ${userId}`),
    },
    createLogger("t", "silent"),
  );
  await expect(handler(event(type, payload))).resolves.toBeUndefined();
  expect(applied).toEqual(expected);
});

test("allHandlers: every handler sees every event, in order", async () => {
  const seen: string[] = [];
  const handler = allHandlers(async (e) => void seen.push(`a ${e.type}`), async (e) => void seen.push(`b ${e.type}`));
  await handler(event(USER_DELETED, { userId: ID }));
  expect(seen).toEqual([`a ${USER_DELETED}`, `b ${USER_DELETED}`]);
});

import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { createAdmin } from "./create-admin.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("users_admin", migrationsDir);
});
afterAll(async () => {
  await db?.drop();
});

test("creates an ADMIN, then promotes an existing account without touching its password or roles", async () => {
  const first = await createAdmin(db.url, { email: "Ops@Example.com", password: "adminpass123", name: "Ops" });
  expect(first).toMatchObject({ created: true, user: { email: "ops@example.com", roles: ["ADMIN"] } });
  const again = await createAdmin(db.url, { email: "ops@example.com", password: "ignored-here", name: "Ops" });
  expect(again).toMatchObject({ created: false, user: { id: first.user.id, roles: ["ADMIN"] } });
});

test("refuses a weak password for a new admin", async () => {
  await expect(createAdmin(db.url, { email: "weak@example.com", password: "short", name: "W" })).rejects.toMatchObject({
    code: "BAD_USER_INPUT",
  });
});

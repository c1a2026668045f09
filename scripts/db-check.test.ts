import { describe, expect, test } from "vitest";
import { TEST_SERVER_URL } from "@fixup/platform/testing";
import { schemaDrift } from "./db-check.js";
import { readSchema } from "./schema-sql.js";

describe("db:check", () => {
  test("users schema.prisma and migrations agree", async () => {
    expect(await schemaDrift(await readSchema("users"), "prisma/users/migrations", TEST_SERVER_URL)).toEqual([]);
  });

  test.each([
    ["a new column", (s: string) => s.replace("avatarKey    String?", "nickname     String?\n  avatarKey    String?"), /users\.nickname/],
    ["a changed nullability", (s: string) => s.replace("avatarKey    String?", "avatarKey    String "), /users\.avatar_key/],
    ["a new index", (s: string) => s.replace("@@map(\"users\")", "@@index([name])\n  @@map(\"users\")"), /users_name_idx/],
  ])("reports %s that no migration creates", async (_name, change, expected) => {
    const drift = await schemaDrift(change(await readSchema("users")), "prisma/users/migrations", TEST_SERVER_URL);
    expect(drift.join("\n")).toMatch(expected);
  });
});

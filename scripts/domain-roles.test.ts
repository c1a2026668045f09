import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { ROLES } from "../packages/platform/src/auth.js";
import { domainRolesFile, domainRolesSource, ROLE_SERVICES } from "./domain-roles.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

describe("each service's domain copy of the platform's roles", () => {
  test.each(ROLE_SERVICES)("%s: src/domain/generated/roles.ts is current (run `npm run generate`)", (service) => {
    expect(readFileSync(domainRolesFile(service), "utf8")).toBe(domainRolesSource());
  });
});

/** Production sources, outside generated code and tests. */
function productionSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" || entry.name === "node_modules" ? [] : productionSources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const role = `"(?:${ROLES.join("|")})"`;
/** Two role names side by side in a list or a union: `["MODERATOR", "ADMIN"]`, `"CUSTOMER" | "PROVIDER"`. */
const HAND_WRITTEN_ROLES = new RegExp(`${role}(?:\\s+as\\s+const)?\\s*[,|]\\s*${role}`);

test("no role list is written by hand: Role and the staff roles come from the platform (auth.ts) or its generated copies", () => {
  const sources = ["packages", "subgraphs", "gateway/src"].flatMap((dir) => productionSources(join(ROOT, dir)));
  const offenders = sources
    .filter((file) => relative(ROOT, file) !== "packages/platform/src/auth.ts")
    .filter((file) => HAND_WRITTEN_ROLES.test(readFileSync(file, "utf8")) || /\btype\s+Role\s*=\s*"/.test(readFileSync(file, "utf8")))
    .map((file) => relative(ROOT, file));
  expect(offenders).toEqual([]);
});

test("the check above recognises a hand-written role list", () => {
  expect(HAND_WRITTEN_ROLES.test(`const STAFF: readonly Role[] = ["MODERATOR", "ADMIN"];`)).toBe(true);
  expect(HAND_WRITTEN_ROLES.test(`export type Role = "CUSTOMER" | "PROVIDER" | "MODERATOR" | "ADMIN";`)).toBe(true);
  expect(HAND_WRITTEN_ROLES.test(`roles: ["ADMIN"]`)).toBe(false);
});

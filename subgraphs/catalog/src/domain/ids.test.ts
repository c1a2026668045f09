import { describe, expect, test } from "vitest";
import { normalizeId } from "./ids.js";

describe("normalizeId", () => {
  test.each<{ case: string; raw: string; id: string | null }>([
    { case: "canonical v4", raw: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b", id: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b" },
    { case: "upper case is lower-cased", raw: "5BE9D4FD-AE1B-4DDE-8DAF-8E90CC8E526B", id: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b" },
    { case: "surrounding spaces", raw: " 5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b ", id: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b" },
    { case: "nil uuid", raw: "00000000-0000-0000-0000-000000000000", id: "00000000-0000-0000-0000-000000000000" },
    { case: "empty", raw: "", id: null },
    { case: "not a uuid", raw: "plumbing", id: null },
    { case: "too short", raw: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526", id: null },
    { case: "no hyphens", raw: "5be9d4fdae1b4dde8daf8e90cc8e526b", id: null },
    { case: "non-hex digit", raw: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526g", id: null },
    { case: "braces", raw: "{5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b}", id: null },
    { case: "sql", raw: "' OR 1=1 --", id: null },
  ])("$case → $id", ({ raw, id }) => {
    expect(normalizeId(raw)).toBe(id);
  });
});

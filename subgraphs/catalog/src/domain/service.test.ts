import { describe, expect, test } from "vitest";
import { SEEDED_CATEGORIES } from "./category.js";
import { compareByName, DESCRIPTION_MAX, normalizeLabel, PREDEFINED_SERVICES, sameName, SERVICE_NAME_MAX } from "./service.js";
import { normalizeId } from "./ids.js";

describe("labels", () => {
  test.each([
    { raw: "  Plumbing ", label: "Plumbing" },
    { raw: "Appliance \t  repair", label: "Appliance repair" },
    { raw: "\n", label: "" },
  ])("normalizeLabel($raw) → $label", ({ raw, label }) => {
    expect(normalizeLabel(raw)).toBe(label);
  });

  test.each([
    { a: "Plumbing", b: "plumbing", same: true },
    { a: "Appliance repair", b: " appliance   REPAIR ", same: true },
    { a: "Plumbing", b: "Plumbing 2", same: false },
  ])("sameName($a, $b) → $same", ({ a, b, same }) => {
    expect(sameName(a, b)).toBe(same);
  });

  test("compareByName sorts case-insensitively, exact name breaks ties", () => {
    const names = ["plumbing", "Appliance repair", "Plumbing", "cleaning", "Zebra"];
    expect(names.map((name) => ({ name })).sort(compareByName).map((s) => s.name)).toEqual([
      "Appliance repair",
      "cleaning",
      "Plumbing",
      "plumbing",
      "Zebra",
    ]);
  });
});

describe("PREDEFINED_SERVICES", () => {
  test("at least 40, spread over the seeded tree", () => {
    expect(PREDEFINED_SERVICES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(PREDEFINED_SERVICES.map((s) => s.categoryId)).size).toBeGreaterThanOrEqual(15);
  });

  test("contains at least the services API.md promises", () => {
    expect(PREDEFINED_SERVICES.map((s) => s.name)).toEqual(
      expect.arrayContaining(["Plumbing", "Electrical", "Cleaning", "Moving", "Painting", "Handyman", "Gardening", "Appliance repair"]),
    );
  });

  test("ids and names are unique, ids canonical, every field within the input limits", () => {
    expect(new Set(PREDEFINED_SERVICES.map((s) => s.id)).size).toBe(PREDEFINED_SERVICES.length);
    expect(new Set(PREDEFINED_SERVICES.map((s) => s.name.toLowerCase())).size).toBe(PREDEFINED_SERVICES.length);
    for (const s of PREDEFINED_SERVICES) {
      expect(normalizeId(s.id)).toBe(s.id);
      expect(normalizeLabel(s.name)).toBe(s.name);
      expect(s.name.length).toBeLessThanOrEqual(SERVICE_NAME_MAX);
      expect(SEEDED_CATEGORIES.map((c) => c.id)).toContain(s.categoryId);
      expect(s.description?.length ?? 0).toBeLessThanOrEqual(DESCRIPTION_MAX);
    }
  });
});

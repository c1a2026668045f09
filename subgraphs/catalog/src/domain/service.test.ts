import { describe, expect, test } from "vitest";
import {
  CATEGORY_MAX,
  compareByName,
  DESCRIPTION_MAX,
  matchesFilter,
  normalizeLabel,
  PREDEFINED_SERVICES,
  sameName,
  SERVICE_NAME_MAX,
  type ServiceFilter,
} from "./service.js";
import { normalizeId } from "./ids.js";

const sink = { name: "Plumbing", category: "Home repair", description: "Leaks and blocked DRAINS" };

describe("matchesFilter", () => {
  test.each<{ case: string; filter: ServiceFilter; matches: boolean }>([
    { case: "no filter", filter: {}, matches: true },
    { case: "category exact", filter: { category: "Home repair" }, matches: true },
    { case: "category other case", filter: { category: "HOME REPAIR" }, matches: true },
    { case: "category prefix is not a match", filter: { category: "Home" }, matches: false },
    { case: "other category", filter: { category: "Outdoor" }, matches: false },
    { case: "search in name", filter: { search: "lumb" }, matches: true },
    { case: "search in name, other case", filter: { search: "PLUMB" }, matches: true },
    { case: "search in description", filter: { search: "drains" }, matches: true },
    { case: "search misses", filter: { search: "garden" }, matches: false },
    { case: "both match", filter: { category: "home repair", search: "leak" }, matches: true },
    { case: "category matches, search misses", filter: { category: "home repair", search: "lawn" }, matches: false },
    { case: "wildcards are literal", filter: { search: "%" }, matches: false },
  ])("$case → $matches", ({ filter, matches }) => {
    expect(matchesFilter(sink, filter)).toBe(matches);
  });

  test("a service without description matches by name only", () => {
    expect(matchesFilter({ ...sink, description: null }, { search: "leak" })).toBe(false);
    expect(matchesFilter({ ...sink, description: null }, { search: "plumb" })).toBe(true);
  });
});

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
      expect(s.category.length).toBeLessThanOrEqual(CATEGORY_MAX);
      expect(s.description?.length ?? 0).toBeLessThanOrEqual(DESCRIPTION_MAX);
    }
  });
});

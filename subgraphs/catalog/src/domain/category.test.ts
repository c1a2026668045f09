import { describe, expect, test } from "vitest";
import { normalizeId } from "./ids.js";
import { CATEGORY_NAME_MAX, deletionBlocker, OTHER_CATEGORY_ID, SEEDED_CATEGORIES, SLUG_PATTERN, slugify, wouldCreateCycle } from "./category.js";

describe("wouldCreateCycle", () => {
  // Tree: A → B → C; D is a separate root.
  const ancestors: Record<string, string[]> = { A: [], B: ["A"], C: ["B", "A"], D: [] };
  test.each<{ case: string; move: string; under: string | null; cycle: boolean }>([
    { case: "to a root", move: "B", under: null, cycle: false },
    { case: "under itself", move: "B", under: "B", cycle: true },
    { case: "under its child", move: "A", under: "B", cycle: true },
    { case: "under its grandchild", move: "A", under: "C", cycle: true },
    { case: "under its parent (no change)", move: "C", under: "B", cycle: false },
    { case: "under its grandparent", move: "C", under: "A", cycle: false },
    { case: "under another tree", move: "A", under: "D", cycle: false },
    { case: "a leaf under a sibling branch", move: "D", under: "C", cycle: false },
  ])("$case → $cycle", ({ move, under, cycle }) => {
    expect(wouldCreateCycle(move, under, under === null ? [] : ancestors[under]!)).toBe(cycle);
  });
});

describe("deletionBlocker", () => {
  test.each([
    { usage: { children: 0, services: 0 }, blocker: null },
    { usage: { children: 1, services: 0 }, blocker: "it still has 1 subcategory" },
    { usage: { children: 2, services: 5 }, blocker: "it still has 2 subcategories" },
    { usage: { children: 0, services: 1 }, blocker: "it still has 1 service" },
    { usage: { children: 0, services: 3 }, blocker: "it still has 3 services" },
  ])("$usage → $blocker", ({ usage, blocker }) => {
    expect(deletionBlocker(usage)).toBe(blocker);
  });
});

describe("slugify", () => {
  test.each([
    { name: "Heating & cooling", slug: "heating-cooling" },
    { name: "  Leak   repair ", slug: "leak-repair" },
    { name: "Déménagement", slug: "demenagement" },
    { name: "EV charger (22 kW)", slug: "ev-charger-22-kw" },
    { name: "%%%", slug: "" },
    { name: "a".repeat(80), slug: "a".repeat(60) },
  ])("$name → $slug", ({ name, slug }) => {
    expect(slugify(name)).toBe(slug);
  });
});

describe("SEEDED_CATEGORIES", () => {
  const byId = new Map(SEEDED_CATEGORIES.map((c) => [c.id, c]));
  const depth = (id: string): number => {
    const parent = byId.get(id)?.parentId;
    return parent ? 1 + depth(parent) : 1;
  };

  test("ids, slugs and names unique; ids canonical; slugs well-formed; parents listed before children", () => {
    expect(new Set(SEEDED_CATEGORIES.map((c) => c.id)).size).toBe(SEEDED_CATEGORIES.length);
    expect(new Set(SEEDED_CATEGORIES.map((c) => c.slug)).size).toBe(SEEDED_CATEGORIES.length);
    expect(new Set(SEEDED_CATEGORIES.map((c) => c.name.toLowerCase())).size).toBe(SEEDED_CATEGORIES.length);
    SEEDED_CATEGORIES.forEach((c, i) => {
      expect(normalizeId(c.id)).toBe(c.id);
      expect(c.slug).toMatch(SLUG_PATTERN);
      expect(c.name.length).toBeLessThanOrEqual(CATEGORY_NAME_MAX);
      if (c.parentId) expect(SEEDED_CATEGORIES.findIndex((p) => p.id === c.parentId)).toBeLessThan(i);
    });
  });

  test("three levels deep, with an Other root for old flat categories", () => {
    expect(Math.max(...SEEDED_CATEGORIES.map((c) => depth(c.id)))).toBe(3);
    expect(byId.get(OTHER_CATEGORY_ID)).toMatchObject({ name: "Other", parentId: null });
  });
});

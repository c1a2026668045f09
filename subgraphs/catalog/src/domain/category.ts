/** A node of the catalog's category tree (Home → Plumbing; Home → Heating & cooling → Boilers). */
export interface Category {
  id: string;
  name: string;
  /** URL-friendly, unique across the tree ("heating-cooling"). */
  slug: string;
  /** Null for a root. */
  parentId: string | null;
  createdAt: Date;
}

export interface CategoryDraft {
  name: string;
  slug: string;
  parentId: string | null;
}

export const CATEGORY_NAME_MAX = 50;
export const SLUG_MAX = 60;
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** "Heating & cooling" → "heating-cooling"; accents dropped; empty when nothing usable is left. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, "");
}

/**
 * The tree rule: a category may not be moved under itself or under one of its own descendants.
 * `ancestorsOfNewParent` lists the new parent's ancestors (nearest first, the new parent itself excluded).
 */
export function wouldCreateCycle(categoryId: string, newParentId: string | null, ancestorsOfNewParent: readonly string[]): boolean {
  if (newParentId === null) return false;
  return newParentId === categoryId || ancestorsOfNewParent.includes(categoryId);
}

/** A category can go only when nothing hangs from it: no child category, no service. */
export function deletionBlocker(usage: { children: number; services: number }): string | null {
  if (usage.children > 0) return `it still has ${usage.children} subcategor${usage.children === 1 ? "y" : "ies"}`;
  if (usage.services > 0) return `it still has ${usage.services} service${usage.services === 1 ? "" : "s"}`;
  return null;
}

/** Where `createService(input: { category: "…" })` (the old flat string) puts a category it does not know. */
export const OTHER_CATEGORY_ID = "ca7e0000-0000-4000-8000-000000000005";

type Seed = Omit<Category, "createdAt">;
const c = (n: number, name: string, slug: string, parent: number | null): Seed => ({
  id: `ca7e0000-0000-4000-8000-${n.toString().padStart(12, "0")}`,
  name,
  slug,
  parentId: parent === null ? null : `ca7e0000-0000-4000-8000-${parent.toString().padStart(12, "0")}`,
});

/**
 * The seeded taxonomy (inserted by migration 20261201210000_category_tree; fixed ids and slugs, so a category an
 * admin renamed or moved is never re-created). Types → categories → subcategories; services hang at any level.
 */
export const SEEDED_CATEGORIES: readonly Seed[] = [
  c(1, "Home", "home", null),
  c(2, "Outdoor", "outdoor", null),
  c(3, "Cleaning", "cleaning", null),
  c(4, "Moving & delivery", "moving-delivery", null),
  c(5, "Other", "other", null),
  c(11, "Plumbing", "plumbing", 1),
  c(12, "Electrical", "electrical", 1),
  c(13, "Heating & cooling", "heating-cooling", 1),
  c(14, "Appliances", "appliances", 1),
  c(15, "Painting & decorating", "painting-decorating", 1),
  c(16, "Handyman", "handyman", 1),
  c(17, "Renovation", "renovation", 1),
  c(18, "Locks & security", "locks-security", 1),
  c(131, "Boilers", "boilers", 13),
  c(132, "Air conditioning", "air-conditioning", 13),
  c(171, "Kitchens", "kitchens", 17),
  c(172, "Bathrooms", "bathrooms", 17),
  c(21, "Gardening", "gardening", 2),
  c(22, "Fencing & paving", "fencing-paving", 2),
  c(23, "Roofing & gutters", "roofing-gutters", 2),
  c(31, "Home cleaning", "home-cleaning", 3),
  c(32, "Office cleaning", "office-cleaning", 3),
  c(41, "Removals", "removals", 4),
  c(42, "Delivery", "delivery", 4),
];

const seeded = (slug: string): string => {
  const found = SEEDED_CATEGORIES.find((s) => s.slug === slug);
  if (!found) throw new Error(`no seeded category ${slug}`);
  return found.id;
};

/** Fixed ids of seeded categories by slug (for the predefined services and tests). */
export const SEEDED = {
  home: seeded("home"),
  outdoor: seeded("outdoor"),
  plumbing: seeded("plumbing"),
  electrical: seeded("electrical"),
  heatingCooling: seeded("heating-cooling"),
  boilers: seeded("boilers"),
  airConditioning: seeded("air-conditioning"),
  appliances: seeded("appliances"),
  painting: seeded("painting-decorating"),
  handyman: seeded("handyman"),
  renovation: seeded("renovation"),
  kitchens: seeded("kitchens"),
  bathrooms: seeded("bathrooms"),
  locks: seeded("locks-security"),
  gardening: seeded("gardening"),
  fencing: seeded("fencing-paving"),
  roofing: seeded("roofing-gutters"),
  homeCleaning: seeded("home-cleaning"),
  officeCleaning: seeded("office-cleaning"),
  removals: seeded("removals"),
  delivery: seeded("delivery"),
  other: seeded("other"),
} as const;

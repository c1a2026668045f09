import { z } from "zod";
import { CATEGORY_NAME_MAX, SLUG_MAX, SLUG_PATTERN } from "../domain/category.js";
import { CATEGORY_MAX, DESCRIPTION_MAX, normalizeLabel, SEARCH_MAX, SERVICE_NAME_MAX } from "../domain/service.js";

const text = () => z.string({ error: (issue) => (issue.input === null ? "must not be null" : "must be a string") });

const label = (max: number) =>
  text()
    .transform(normalizeLabel)
    .pipe(z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`));

/** Blank clears the description. */
const description = z
  .string({ error: "must be a string" })
  .trim()
  .max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`)
  .nullable()
  .transform((value) => (value ? value : null));

/** An id as given (checked against the tree by the service); null is refused. */
const id = () => text();

/** `categoryId`, or the old flat `category` name: exactly one when creating, at most one when updating. */
const oneCategory =
  (required: boolean) =>
  (value: { categoryId?: string; category?: string }, ctx: z.RefinementCtx) => {
    if (value.categoryId !== undefined && value.category !== undefined) {
      ctx.addIssue({ code: "custom", path: ["category"], message: "give categoryId or category, not both" });
    } else if (required && value.categoryId === undefined && value.category === undefined) {
      ctx.addIssue({ code: "custom", path: ["categoryId"], message: "is required (or the deprecated category)" });
    }
  };

export const createServiceInput = z
  .object({
    name: label(SERVICE_NAME_MAX),
    description: description.optional().transform((value) => value ?? null),
    categoryId: id().optional(),
    category: label(CATEGORY_MAX).optional(),
  })
  .superRefine(oneCategory(true));

/** Absent fields stay as they are; `description: null` clears it; name and category cannot be cleared. */
export const updateServiceInput = z
  .object({
    name: label(SERVICE_NAME_MAX).optional(),
    description: description.optional(),
    categoryId: id().optional(),
    category: label(CATEGORY_MAX).optional(),
  })
  .superRefine(oneCategory(false));

const slug = text()
  .trim()
  .max(SLUG_MAX, `must be at most ${SLUG_MAX} characters`)
  .regex(SLUG_PATTERN, "must be lower-case letters and digits separated by single hyphens");

export const createCategoryInput = z.object({
  name: label(CATEGORY_NAME_MAX),
  /** Derived from the name when absent. */
  slug: slug.nullish().transform((value) => value ?? undefined),
  /** Absent or null: a root. */
  parentId: id().nullish().transform((value) => value ?? null),
});

/** Absent fields stay as they are; `parentId: null` makes the category a root. */
export const updateCategoryInput = z.object({
  name: label(CATEGORY_NAME_MAX).optional(),
  slug: slug.optional(),
  parentId: id().nullable().optional(),
});

export const categoryLookupInput = z
  .object({
    id: id().nullish().transform((value) => value ?? undefined),
    slug: text().trim().nullish().transform((value) => value || undefined),
  })
  .superRefine((value, ctx) => {
    if ((value.id === undefined) === (value.slug === undefined)) {
      ctx.addIssue({ code: "custom", path: ["id"], message: "give exactly one of id and slug" });
    }
  });

/** Blank filters mean "no filter". */
const optionalFilter = (max: number) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((value) => (value ? value : undefined));

export const serviceFilterInput = z.object({
  category: optionalFilter(CATEGORY_MAX).transform((value) => (value === undefined ? undefined : normalizeLabel(value))),
  categoryId: id().nullish().transform((value) => value ?? undefined),
  search: optionalFilter(SEARCH_MAX),
});

export type CreateServiceInput = z.infer<typeof createServiceInput>;
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;

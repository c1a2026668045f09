import { z } from "zod";
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

export const createServiceInput = z.object({
  name: label(SERVICE_NAME_MAX),
  description: description.optional().transform((value) => value ?? null),
  category: label(CATEGORY_MAX),
});

/** Absent fields stay as they are; `description: null` clears it; name and category cannot be cleared. */
export const updateServiceInput = z.object({
  name: label(SERVICE_NAME_MAX).optional(),
  description: description.optional(),
  category: label(CATEGORY_MAX).optional(),
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
  search: optionalFilter(SEARCH_MAX),
});

export type CreateServiceInput = z.infer<typeof createServiceInput>;
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;

// The catalog's search rule. The repository implements it in SQL with pg_trgm; this is the reference (and what the
// in-memory fake runs), written after pg_trgm's definitions: words are runs of letters and digits, lower-cased,
// padded with two spaces in front and one behind, and cut into trigrams.

/** pg_trgm's defaults for its `%` (similarity) and `<%` (word_similarity) operators, which the SQL uses. */
export const SIMILARITY_THRESHOLD = 0.3;
export const WORD_SIMILARITY_THRESHOLD = 0.6;
/** A match through the category (its name or an ancestor's) counts a little less than one on the service's name. */
export const CATEGORY_WEIGHT = 0.9;
/** A match in the description only (a literal substring) ranks below any good match on names. */
export const DESCRIPTION_SCORE = 0.5;

function wordTrigrams(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.flatMap((word) => {
    const padded = `  ${word} `;
    return Array.from({ length: padded.length - 2 }, (_, i) => padded.slice(i, i + 3));
  });
}

/** pg_trgm's similarity(a, b): shared trigrams over all trigrams of both. */
export function similarity(a: string, b: string): number {
  const x = new Set(wordTrigrams(a));
  const y = new Set(wordTrigrams(b));
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  return shared / (x.size + y.size - shared);
}

/** pg_trgm's word_similarity(query, text): the best similarity of the query to a continuous extent of the text. */
export function wordSimilarity(query: string, text: string): number {
  const q = new Set(wordTrigrams(query));
  const t = wordTrigrams(text);
  if (q.size === 0 || t.length === 0) return 0;
  let best = 0;
  for (let i = 0; i < t.length; i++) {
    const extent = new Set<string>();
    for (let j = i; j < t.length; j++) {
      extent.add(t[j]!);
      let shared = 0;
      for (const x of extent) if (q.has(x)) shared++;
      best = Math.max(best, shared / (q.size + extent.size - shared));
    }
  }
  return best;
}

const textScore = (query: string, text: string) => Math.max(similarity(query, text), wordSimilarity(query, text));
const trigramMatch = (query: string, text: string) =>
  similarity(query, text) >= SIMILARITY_THRESHOLD || wordSimilarity(query, text) >= WORD_SIMILARITY_THRESHOLD;

export interface Searchable {
  name: string;
  description: string | null;
  /** The service's category and its ancestors' names. */
  categoryNames: readonly string[];
}

/**
 * Whether and how well a service answers a search. It matches when its name or description contains the query
 * literally (case-insensitively), or its name or one of its category path's names matches by trigrams
 * (similarity ≥ SIMILARITY_THRESHOLD or word_similarity ≥ WORD_SIMILARITY_THRESHOLD). Its rank, 0..1, is the
 * greatest of: 1 for a literal name match; the trigram score (the larger of similarity and word_similarity) of its
 * name; CATEGORY_WEIGHT × the best score of a matching category name; DESCRIPTION_SCORE for a literal description
 * match. Null: no match.
 */
export function searchRank(query: string, service: Searchable): number | null {
  const needle = query.toLowerCase();
  const literalName = service.name.toLowerCase().includes(needle);
  const literalDescription = (service.description ?? "").toLowerCase().includes(needle);
  const matchingCategories = service.categoryNames.filter((name) => trigramMatch(query, name));
  if (!literalName && !literalDescription && !trigramMatch(query, service.name) && matchingCategories.length === 0) return null;
  return Math.max(
    literalName ? 1 : 0,
    textScore(query, service.name),
    CATEGORY_WEIGHT * Math.max(0, ...matchingCategories.map((name) => textScore(query, name))),
    literalDescription ? DESCRIPTION_SCORE : 0,
  );
}

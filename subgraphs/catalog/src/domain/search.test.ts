import { describe, expect, test } from "vitest";
import { searchRank, similarity, wordSimilarity } from "./search.js";

// Values as pg_trgm computes them (checked against Postgres: SELECT similarity(...), word_similarity(...)).
describe("pg_trgm's measures", () => {
  test.each([
    { a: "word", b: "two words", similarity: 4 / 11, word: 0.8 },
    { a: "plumbr", b: "Plumbing", similarity: 5 / 11, word: 5 / 7 },
    { a: "repair leak", b: "Leak repair", similarity: 1, word: 1 },
    { a: "%", b: "Plumbing", similarity: 0, word: 0 },
  ])("$a ~ $b", ({ a, b, similarity: sim, word }) => {
    expect(similarity(a, b)).toBeCloseTo(sim, 5);
    expect(wordSimilarity(a, b)).toBeCloseTo(word, 5);
  });
});

describe("searchRank", () => {
  const leak = { name: "Leak repair", description: "Finding and fixing leaking pipes", categoryNames: ["Plumbing", "Home"] };
  const mowing = { name: "Lawn mowing", description: null, categoryNames: ["Gardening", "Outdoor"] };
  test.each<{ case: string; query: string; service: typeof leak | typeof mowing; rank: number | null }>([
    { case: "literal name substring", query: "EAK REP", service: leak, rank: 1 },
    { case: "words swapped", query: "repair leak", service: leak, rank: 1 },
    { case: "typo in the category", query: "plumbr", service: leak, rank: 0.9 * (5 / 7) },
    { case: "an ancestor's name", query: "home", service: leak, rank: 0.9 },
    { case: "description only, literally", query: "fixing", service: leak, rank: 0.5 },
    { case: "unrelated", query: "gardening", service: leak, rank: null },
    { case: "typo in the name", query: "lawn mowign", service: mowing, rank: expect.any(Number) as unknown as number },
    { case: "wildcards are literal", query: "%", service: mowing, rank: null },
  ])("$case", ({ query, service, rank }) => {
    const got = searchRank(query, service);
    if (rank === null) expect(got).toBeNull();
    else expect(got).toEqual(typeof rank === "number" ? expect.closeTo(rank, 5) : rank);
  });
});

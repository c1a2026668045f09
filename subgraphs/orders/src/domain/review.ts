export const MAX_COMMENT_LENGTH = 2000;
/** Reasons given for pausing a job or hiding a review. */
export const MAX_REASON_LENGTH = 500;

/** 0..5 in steps of 0.5. */
export function ratingProblem(rating: number): string | null {
  if (!Number.isFinite(rating) || rating < 0 || rating > 5) return "must be between 0 and 5";
  if (!Number.isInteger(rating * 2)) return "must be in steps of 0.5";
  return null;
}

export interface ProviderRating {
  average: number;
  count: number;
}

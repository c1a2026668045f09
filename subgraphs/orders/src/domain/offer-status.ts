export const OFFER_STATUSES = ["PENDING", "ACCEPTED", "REJECTED", "WITHDRAWN"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** An offer can only move out of PENDING, and only once. */
export const canWithdraw = (status: OfferStatus): boolean => status === "PENDING";
export const canAccept = (status: OfferStatus): boolean => status === "PENDING";
/** A withdrawn offer may be submitted again (revived); any other existing offer is a duplicate. */
export const canResubmit = (status: OfferStatus): boolean => status === "WITHDRAWN";

/** What an offer shows: a PENDING offer past its validUntil is EXPIRED (computed at read time, never stored). */
export type EffectiveOfferStatus = OfferStatus | "EXPIRED";

export const isExpired = (offer: { status: OfferStatus; validUntil: Date | null }, now: Date): boolean =>
  offer.status === "PENDING" && offer.validUntil !== null && offer.validUntil.getTime() <= now.getTime();

export const effectiveStatus = (offer: { status: OfferStatus; validUntil: Date | null }, now: Date): EffectiveOfferStatus =>
  isExpired(offer, now) ? "EXPIRED" : offer.status;

/** A new offer's validUntil must lie in the future. */
export const validUntilProblem = (validUntil: Date | null, now: Date): string | null =>
  validUntil !== null && validUntil.getTime() <= now.getTime() ? "must be in the future" : null;

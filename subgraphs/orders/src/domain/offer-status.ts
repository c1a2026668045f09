export const OFFER_STATUSES = ["PENDING", "ACCEPTED", "REJECTED", "WITHDRAWN"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** An offer can only move out of PENDING, and only once. */
export const canWithdraw = (status: OfferStatus): boolean => status === "PENDING";
export const canAccept = (status: OfferStatus): boolean => status === "PENDING";
/** A withdrawn offer may be submitted again (revived); any other existing offer is a duplicate. */
export const canResubmit = (status: OfferStatus): boolean => status === "WITHDRAWN";

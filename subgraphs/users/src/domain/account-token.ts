export type AccountTokenPurpose = "EMAIL_VERIFICATION" | "PASSWORD_RESET";

/** How long a mailed link stays good: a day to find the verification mail, an hour for a reset (OWASP). */
export const ACCOUNT_TOKEN_TTL_SECONDS: Record<AccountTokenPurpose, number> = {
  EMAIL_VERIFICATION: 24 * 60 * 60,
  PASSWORD_RESET: 60 * 60,
};

export interface AccountTokenRecord {
  id: string;
  userId: string;
  purpose: AccountTokenPurpose;
  expiresAt: Date;
  usedAt: Date | null;
}

export type AccountTokenDecision =
  | { kind: "redeem"; token: AccountTokenRecord }
  | { kind: "reject"; reason: "unknown" | "used" | "expired" };

/**
 * Whether a presented token may be redeemed for `purpose`. A token minted for the other purpose counts as unknown,
 * so a verification link can never reset a password.
 */
export function decideAccountToken(token: AccountTokenRecord | null, purpose: AccountTokenPurpose, now: Date): AccountTokenDecision {
  if (!token || token.purpose !== purpose) return { kind: "reject", reason: "unknown" };
  if (token.usedAt) return { kind: "reject", reason: "used" };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: "reject", reason: "expired" };
  return { kind: "redeem", token };
}

export const accountTokenExpiry = (purpose: AccountTokenPurpose, now: Date): Date =>
  new Date(now.getTime() + ACCOUNT_TOKEN_TTL_SECONDS[purpose] * 1000);

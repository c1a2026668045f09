export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export type RefreshDecision =
  | { kind: "rotate"; token: RefreshTokenRecord }
  | { kind: "reject"; reason: "unknown" | "expired" | "revoked" }
  | { kind: "reuse"; token: RefreshTokenRecord };

/**
 * RFC 9700 §4.14 rotation: a token is good once. Presenting an already-rotated token means it leaked, so the
 * whole family is revoked (the caller acts on `reuse`).
 */
export function decideRefresh(token: RefreshTokenRecord | null, now: Date): RefreshDecision {
  if (!token) return { kind: "reject", reason: "unknown" };
  if (token.revokedAt) return { kind: "reject", reason: "revoked" };
  if (token.usedAt) return { kind: "reuse", token };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: "reject", reason: "expired" };
  return { kind: "rotate", token };
}

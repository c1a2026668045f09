// Provider identity numbers (the personal identification number the original system asked providers for). Pure
// rules: the format check, the preview, who may see what. Encryption and storage live in the service/repository.
import { hasStaffRole, type Role } from "./generated/roles.js";

/** The original system's format: 11 digits. Configurable (IDENTITY_NUMBER_PATTERN) for other countries' formats. */
export const DEFAULT_IDENTITY_NUMBER_PATTERN = "^[0-9]{11}$";
export const IDENTITY_PREVIEW_VISIBLE = 4;
export const IDENTITY_MASK_CHAR = "•";
export const ACCESS_REASON_MIN = 10;
export const ACCESS_REASON_MAX = 500;
export const BIO_MAX_LENGTH = 2000;

/** Whitespace around the number is a typing accident, not part of it. */
export const normalizeIdentityNumber = (raw: string): string => raw.trim();

/** Null when `value` (already normalised) has the configured shape, else the problem to show the user. */
export function identityNumberProblem(value: string, pattern: RegExp): string | null {
  if (!value) return "is required";
  if (value.length > 64) return "is too long";
  return pattern.test(value) ? null : "is not a valid identity number";
}

/** All but the last four characters masked, same length: "12345678901" → "•••••••8901". */
export function identityPreview(value: string): string {
  const visible = Math.min(IDENTITY_PREVIEW_VISIBLE, Math.max(0, value.length - 1));
  return IDENTITY_MASK_CHAR.repeat(value.length - visible) + value.slice(value.length - visible);
}

export const isProvider = (roles: readonly Role[]): boolean => roles.includes("PROVIDER");

/** The preview is for the provider themself and for staff (ADMIN, MODERATOR). */
export function canSeeIdentityPreview(viewer: { userId: string; roles: readonly Role[] } | null, userId: string): boolean {
  return !!viewer && (viewer.userId === userId || hasStaffRole(viewer.roles));
}

/** The full number: ADMIN only (and always with a reason, audited). */
export const canRevealIdentityNumber = (viewer: { roles: readonly Role[] }): boolean => viewer.roles.includes("ADMIN");

/** Null when the reason is acceptable (trimmed length 10..500). */
export function accessReasonProblem(reason: string): string | null {
  const n = reason.trim().length;
  if (n < ACCESS_REASON_MIN) return `must be at least ${ACCESS_REASON_MIN} characters`;
  if (n > ACCESS_REASON_MAX) return `must be at most ${ACCESS_REASON_MAX} characters`;
  return null;
}

export type IdentityRequirement =
  | { kind: "ok" }
  | { kind: "required" }
  | { kind: "not-a-provider" }
  | { kind: "already-on-file" };

/**
 * Whether an account going from `currentRoles` (empty at registration) to `nextRoles` must, may or may not give an
 * identity number now: becoming a provider needs one unless one is on file; a provider from before identity numbers
 * existed keeps working without one and may add it later; a non-provider never gives one; a number on file is not
 * replaced through self-service.
 */
export function identityRequirement(
  currentRoles: readonly Role[],
  nextRoles: readonly Role[],
  hasOnFile: boolean,
  given: boolean,
): IdentityRequirement {
  if (!isProvider(nextRoles)) return given ? { kind: "not-a-provider" } : { kind: "ok" };
  if (hasOnFile) return given ? { kind: "already-on-file" } : { kind: "ok" };
  if (given || isProvider(currentRoles)) return { kind: "ok" };
  return { kind: "required" };
}

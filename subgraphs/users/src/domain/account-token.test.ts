import { describe, expect, test } from "vitest";
import {
  ACCOUNT_TOKEN_TTL_SECONDS,
  accountTokenExpiry,
  decideAccountToken,
  type AccountTokenDecision,
  type AccountTokenRecord,
} from "./account-token.js";

const NOW = new Date("2025-01-01T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

const token = (overrides: Partial<AccountTokenRecord> = {}): AccountTokenRecord => ({
  id: "t1",
  userId: "u1",
  purpose: "PASSWORD_RESET",
  expiresAt: at(60_000),
  usedAt: null,
  ...overrides,
});

describe("decideAccountToken", () => {
  const live = token();

  test.each<{ case: string; record: AccountTokenRecord | null; expected: AccountTokenDecision }>([
    { case: "unknown (null)", record: null, expected: { kind: "reject", reason: "unknown" } },
    { case: "minted for the other purpose", record: token({ purpose: "EMAIL_VERIFICATION" }), expected: { kind: "reject", reason: "unknown" } },
    { case: "used", record: token({ usedAt: at(-1_000) }), expected: { kind: "reject", reason: "used" } },
    { case: "used and expired", record: token({ usedAt: at(-2_000), expiresAt: at(-1_000) }), expected: { kind: "reject", reason: "used" } },
    { case: "expired", record: token({ expiresAt: at(-1) }), expected: { kind: "reject", reason: "expired" } },
    { case: "expiring exactly now", record: token({ expiresAt: at(0) }), expected: { kind: "reject", reason: "expired" } },
    { case: "live for 1 more ms", record: token({ expiresAt: at(1) }), expected: { kind: "redeem", token: token({ expiresAt: at(1) }) } },
    { case: "live", record: live, expected: { kind: "redeem", token: live } },
  ])("$case → $expected.kind", ({ record, expected }) => {
    expect(decideAccountToken(record, "PASSWORD_RESET", NOW)).toEqual(expected);
  });
});

describe("accountTokenExpiry", () => {
  test.each([
    { purpose: "EMAIL_VERIFICATION" as const, seconds: 24 * 3600 },
    { purpose: "PASSWORD_RESET" as const, seconds: 3600 },
  ])("$purpose lasts $seconds s", ({ purpose, seconds }) => {
    expect(ACCOUNT_TOKEN_TTL_SECONDS[purpose]).toBe(seconds);
    expect(accountTokenExpiry(purpose, NOW)).toEqual(at(seconds * 1000));
  });
});

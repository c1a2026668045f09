import { describe, expect, test } from "vitest";
import { decideRefresh, type RefreshDecision, type RefreshTokenRecord } from "./refresh-token.js";

const NOW = new Date("2025-01-01T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

const token = (overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  id: "t1",
  userId: "u1",
  familyId: "f1",
  expiresAt: at(60_000),
  usedAt: null,
  revokedAt: null,
  ...overrides,
});

describe("decideRefresh", () => {
  const live = token();
  const used = token({ usedAt: at(-1_000) });
  const usedAndExpired = token({ usedAt: at(-10_000), expiresAt: at(-1_000) });

  test.each<{ case: string; record: RefreshTokenRecord | null; expected: RefreshDecision }>([
    { case: "unknown (null)", record: null, expected: { kind: "reject", reason: "unknown" } },
    { case: "revoked", record: token({ revokedAt: at(-1_000) }), expected: { kind: "reject", reason: "revoked" } },
    { case: "used", record: used, expected: { kind: "reuse", token: used } },
    { case: "expired", record: token({ expiresAt: at(-1) }), expected: { kind: "reject", reason: "expired" } },
    { case: "expiring exactly now", record: token({ expiresAt: at(0) }), expected: { kind: "reject", reason: "expired" } },
    { case: "live", record: live, expected: { kind: "rotate", token: live } },
    { case: "live for 1 more ms", record: token({ expiresAt: at(1) }), expected: { kind: "rotate", token: token({ expiresAt: at(1) }) } },
    {
      case: "used and revoked",
      record: token({ usedAt: at(-2_000), revokedAt: at(-1_000) }),
      expected: { kind: "reject", reason: "revoked" },
    },
    {
      case: "revoked and expired",
      record: token({ revokedAt: at(-2_000), expiresAt: at(-1_000) }),
      expected: { kind: "reject", reason: "revoked" },
    },
    // A leaked token is still reuse after it expired: the family must be revoked.
    { case: "used and expired", record: usedAndExpired, expected: { kind: "reuse", token: usedAndExpired } },
  ])("$case → $expected.kind", ({ record, expected }) => {
    expect(decideRefresh(record, NOW)).toEqual(expected);
  });

  test("returns the same record it was given", () => {
    const decision = decideRefresh(live, NOW);
    expect(decision.kind === "rotate" && decision.token).toBe(live);
  });
});

import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type { AccountTokenPurpose } from "../src/domain/account-token.js";
import { PrismaAccountTokenRepository, type AccountTokenRepository } from "../src/repository/account-token-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaRefreshTokenRepository, type RefreshTokenRepository } from "../src/repository/refresh-token-repository.js";
import { PrismaUserRepository, type UserRepository } from "../src/repository/user-repository.js";
import { FakeAccountTokenRepository } from "./account-fakes.js";
import { FakeRefreshTokenRepository, FakeUserRepository } from "./fakes.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see orders' order-repository.contract.test.ts). Account tokens act on users and
// their refresh tokens, so each side brings all three repositories, wired as the real ones share one database.
interface Subject {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  tokens: AccountTokenRepository;
}

const database = usePrismaDatabase("users_account_contract", migrationsDir, (url) => createPrisma(url, 8));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaAccountTokenRepository (real Postgres)",
    create: () => ({
      users: new PrismaUserRepository(database.prisma),
      refreshTokens: new PrismaRefreshTokenRepository(database.prisma),
      tokens: new PrismaAccountTokenRepository(database.prisma),
    }),
  },
  {
    name: "FakeAccountTokenRepository",
    create: () => {
      const users = new FakeUserRepository();
      const refreshTokens = new FakeRefreshTokenRepository(users);
      return { users, refreshTokens, tokens: new FakeAccountTokenRepository(users, refreshTokens) };
    },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Tokens are used at AT; their expiry is relative to it, so the cases do not depend on the machine's clock. */
const AT = new Date("2026-01-02T03:04:05.678Z");
const inAnHour = () => new Date(AT.getTime() + 3_600_000);

describe.each(implementations)("AccountTokenRepository contract: $name", ({ create }) => {
  async function setup() {
    const subject = create();
    const newUser = () =>
      subject.users.create({ email: `at-${randomUUID()}@example.com`, name: "Ann", passwordHash: "scrypt$old", roles: ["CUSTOMER"] });
    const user = await newUser();
    /** Issues a token of `purpose` and returns its record. */
    const issued = async (purpose: AccountTokenPurpose, expiresAt = inAnHour(), userId = user.id) => {
      const tokenHash = `t-${randomUUID()}`;
      await subject.tokens.issue({ userId, purpose, tokenHash, expiresAt });
      return { tokenHash, ...(await subject.tokens.findByHash(tokenHash))! };
    };
    return { ...subject, user, newUser, issued };
  }

  test("issue keeps only the newest token per user and purpose; findByHash returns the record without its hash", async () => {
    const { tokens, user, newUser, issued } = await setup();
    const expiresAt = inAnHour();
    const reset1 = await issued("PASSWORD_RESET");
    const verification = await issued("EMAIL_VERIFICATION", expiresAt);
    const other = await newUser();
    const theirs = await issued("PASSWORD_RESET", inAnHour(), other.id);
    const reset2 = await issued("PASSWORD_RESET");
    expect(await tokens.findByHash(reset1.tokenHash)).toBeNull();
    expect(await tokens.findByHash(verification.tokenHash)).toEqual({ id: expect.stringMatching(UUID), userId: user.id, purpose: "EMAIL_VERIFICATION", expiresAt, usedAt: null });
    expect(await tokens.findByHash(reset2.tokenHash)).toMatchObject({ userId: user.id, purpose: "PASSWORD_RESET", usedAt: null });
    expect(await tokens.findByHash(theirs.tokenHash)).toMatchObject({ userId: other.id });
    expect(await tokens.findByHash("t-unknown")).toBeNull();
  });

  test("a hash is unique; a token of an unknown user is refused; deleting the user deletes their tokens", async () => {
    const { users, tokens, user, newUser, issued } = await setup();
    const mine = await issued("PASSWORD_RESET");
    const other = await newUser();
    await expect(tokens.issue({ userId: other.id, purpose: "PASSWORD_RESET", tokenHash: mine.tokenHash, expiresAt: inAnHour() })).rejects.toThrow();
    await expect(tokens.issue({ userId: randomUUID(), purpose: "PASSWORD_RESET", tokenHash: "t-orphan", expiresAt: inAnHour() })).rejects.toThrow();
    expect(await tokens.findByHash("t-orphan")).toBeNull();
    await users.delete(user.id, outboxRow("UserDeleted", { userId: user.id }));
    expect(await tokens.findByHash(mine.tokenHash)).toBeNull();
  });

  test("verifyEmail: single use, also under concurrency; the first verification time is kept", async () => {
    const { users, tokens, user, issued } = await setup();
    const first = await issued("EMAIL_VERIFICATION");
    const results = await Promise.all(Array.from({ length: 4 }, () => tokens.verifyEmail(first.id, user.id, AT)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tokens.findByHash(first.tokenHash)).toMatchObject({ usedAt: AT });
    expect((await users.findById(user.id))?.emailVerifiedAt).toEqual(AT);
    const second = await issued("EMAIL_VERIFICATION");
    expect(await tokens.verifyEmail(second.id, user.id, new Date(AT.getTime() + 60_000))).toBe(true);
    expect((await users.findById(user.id))?.emailVerifiedAt).toEqual(AT);
    expect(await tokens.verifyEmail(randomUUID(), user.id, AT)).toBe(false);
  });

  test.each([
    { case: "expired a moment ago", expiresInMs: -1, ok: false },
    { case: "expiring exactly then", expiresInMs: 0, ok: false },
    { case: "live", expiresInMs: 1, ok: true },
  ])("a token is usable strictly before its expiry: $case → $ok", async ({ expiresInMs, ok }) => {
    const { users, tokens, user, issued } = await setup();
    const verification = await issued("EMAIL_VERIFICATION", new Date(AT.getTime() + expiresInMs));
    expect(await tokens.verifyEmail(verification.id, user.id, AT)).toBe(ok);
    expect((await users.findById(user.id))?.emailVerifiedAt).toEqual(ok ? AT : null);
    const reset = await issued("PASSWORD_RESET", new Date(AT.getTime() + expiresInMs));
    expect(await tokens.resetPassword({ tokenId: reset.id, userId: user.id, passwordHash: "scrypt$new", at: AT })).toBe(ok);
  });

  test("resetPassword: new hash, e-mail verified, every refresh token revoked, token used — once", async () => {
    const { users, refreshTokens, tokens, user, newUser, issued } = await setup();
    const other = await newUser();
    const refresh = [user.id, user.id, other.id].map((userId) => ({ userId, familyId: randomUUID(), tokenHash: `r-${randomUUID()}`, expiresAt: inAnHour() }));
    for (const r of refresh) await refreshTokens.create(r);
    const reset = await issued("PASSWORD_RESET");
    const results = await Promise.all(
      ["scrypt$new1", "scrypt$new2", "scrypt$new3"].map((passwordHash) => tokens.resetPassword({ tokenId: reset.id, userId: user.id, passwordHash, at: AT })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await users.findByIdWithPassword(user.id)).toMatchObject({ passwordHash: `scrypt$new${results.indexOf(true) + 1}`, emailVerifiedAt: AT });
    expect(await tokens.findByHash(reset.tokenHash)).toMatchObject({ usedAt: AT });
    expect(await refreshTokens.findByHash(refresh[0]!.tokenHash)).toMatchObject({ revokedAt: AT });
    expect(await refreshTokens.findByHash(refresh[1]!.tokenHash)).toMatchObject({ revokedAt: AT });
    expect(await refreshTokens.findByHash(refresh[2]!.tokenHash)).toMatchObject({ revokedAt: null });
  });

  test("a reset that cannot complete changes nothing: the token stays usable", async () => {
    const { users, tokens, user, issued } = await setup();
    const reset = await issued("PASSWORD_RESET");
    await expect(tokens.resetPassword({ tokenId: reset.id, userId: randomUUID(), passwordHash: "scrypt$evil", at: AT })).rejects.toThrow();
    expect(await tokens.findByHash(reset.tokenHash)).toMatchObject({ usedAt: null });
    expect(await users.findByIdWithPassword(user.id)).toMatchObject({ passwordHash: "scrypt$old", emailVerifiedAt: null });
    expect(await tokens.resetPassword({ tokenId: reset.id, userId: user.id, passwordHash: "scrypt$new", at: AT })).toBe(true);
  });
});

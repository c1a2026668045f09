import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaRefreshTokenRepository, type NewRefreshToken, type RefreshTokenRepository } from "../src/repository/refresh-token-repository.js";
import { PrismaUserRepository, type UserRepository } from "../src/repository/user-repository.js";
import { FakeRefreshTokenRepository, FakeUserRepository } from "./fakes.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see orders' order-repository.contract.test.ts). Tokens belong to users, so each
// side brings its user repository too (the fake's tokens are wired to its users as the foreign key does).
interface Subject {
  users: UserRepository;
  tokens: RefreshTokenRepository;
}

const database = usePrismaDatabase("users_refresh_contract", migrationsDir, (url) => createPrisma(url, 6));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaRefreshTokenRepository (real Postgres)",
    create: () => ({ users: new PrismaUserRepository(database.prisma), tokens: new PrismaRefreshTokenRepository(database.prisma) }),
  },
  {
    name: "FakeRefreshTokenRepository",
    create: () => {
      const users = new FakeUserRepository();
      return { users, tokens: new FakeRefreshTokenRepository(users) };
    },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const inAnHour = () => new Date(Date.now() + 3_600_000);
const AT = new Date("2026-01-02T03:04:05.678Z");
const LATER = new Date("2026-01-02T04:00:00.000Z");

describe.each(implementations)("RefreshTokenRepository contract: $name", ({ create }) => {
  async function setup() {
    const subject = create();
    const user = await subject.users.create({ email: `rt-${randomUUID()}@example.com`, name: "Ann", passwordHash: "scrypt$x", roles: ["CUSTOMER"] });
    const token = (more: Partial<NewRefreshToken> = {}): NewRefreshToken => ({
      userId: user.id, familyId: randomUUID(), tokenHash: `h-${randomUUID()}`, expiresAt: inAnHour(), ...more,
    });
    const stored = async (input: NewRefreshToken) => {
      await subject.tokens.create(input);
      return (await subject.tokens.findByHash(input.tokenHash))!;
    };
    return { ...subject, user, token, stored };
  }

  test("create then findByHash: the record without its hash; unknown hash → null; a hash is unique", async () => {
    const { tokens, token } = await setup();
    const input = token();
    await tokens.create(input);
    expect(await tokens.findByHash(input.tokenHash)).toEqual({
      id: expect.stringMatching(UUID), userId: input.userId, familyId: input.familyId, expiresAt: input.expiresAt, usedAt: null, revokedAt: null,
    });
    expect(await tokens.findByHash("h-unknown")).toBeNull();
    await expect(tokens.create(token({ tokenHash: input.tokenHash }))).rejects.toThrow();
  });

  test("a token of an unknown user is refused; deleting the user deletes their tokens", async () => {
    const { users, tokens, token, user } = await setup();
    await expect(tokens.create(token({ userId: randomUUID() }))).rejects.toThrow();
    const input = token();
    await tokens.create(input);
    await users.delete(user.id, outboxRow("UserDeleted", { userId: user.id }));
    expect(await tokens.findByHash(input.tokenHash)).toBeNull();
  });

  test("markUsed: once, only while live (not used, not revoked); an unknown id → false", async () => {
    const { tokens, token, stored } = await setup();
    const input = token();
    const live = await stored(input);
    expect(await tokens.markUsed(live.id, AT)).toBe(true);
    expect(await tokens.markUsed(live.id, LATER)).toBe(false);
    expect(await tokens.findByHash(input.tokenHash)).toMatchObject({ usedAt: AT, revokedAt: null });
    const revoked = token();
    const r = await stored(revoked);
    await tokens.revokeFamily(revoked.familyId, AT);
    expect(await tokens.markUsed(r.id, LATER)).toBe(false);
    expect(await tokens.findByHash(revoked.tokenHash)).toMatchObject({ usedAt: null, revokedAt: AT });
    expect(await tokens.markUsed(randomUUID(), AT)).toBe(false);
  });

  test("rotate: marks the token used and stores its successor, once; a used or revoked token stores nothing", async () => {
    const { tokens, token, stored } = await setup();
    const first = token();
    const { id } = await stored(first);
    const successors = [1, 2, 3].map(() => token({ familyId: first.familyId }));
    const results = await Promise.all(successors.map((s) => tokens.rotate(id, s, AT)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = successors[results.indexOf(true)]!;
    expect(await tokens.findByHash(first.tokenHash)).toMatchObject({ usedAt: AT, revokedAt: null });
    expect(await tokens.findByHash(winner.tokenHash)).toMatchObject({ familyId: first.familyId, usedAt: null, revokedAt: null });
    for (const loser of successors.filter((s) => s !== winner)) expect(await tokens.findByHash(loser.tokenHash)).toBeNull();

    const revoked = token();
    const r = await stored(revoked);
    await tokens.revokeFamily(revoked.familyId, AT);
    const orphan = token({ familyId: revoked.familyId });
    expect(await tokens.rotate(r.id, orphan, LATER)).toBe(false);
    expect(await tokens.findByHash(orphan.tokenHash)).toBeNull();
  });

  test("rotate is all or nothing: a successor that cannot be stored leaves the token unused", async () => {
    const { tokens, token, stored } = await setup();
    const taken = token();
    await tokens.create(taken);
    const current = token();
    const { id } = await stored(current);
    await expect(tokens.rotate(id, token({ familyId: current.familyId, tokenHash: taken.tokenHash }), AT)).rejects.toThrow();
    expect(await tokens.findByHash(current.tokenHash)).toMatchObject({ usedAt: null, revokedAt: null });
    expect(await tokens.rotate(id, token({ familyId: current.familyId }), AT)).toBe(true);
  });

  test("revokeFamily revokes the family's live tokens only; an earlier revocation keeps its time", async () => {
    const { tokens, token } = await setup();
    const familyId = randomUUID();
    const [a, b, other] = [token({ familyId }), token({ familyId }), token()];
    for (const t of [a, b, other]) await tokens.create(t);
    await tokens.revokeFamily(familyId, AT);
    await tokens.revokeFamily(familyId, LATER);
    expect(await tokens.findByHash(a.tokenHash)).toMatchObject({ revokedAt: AT });
    expect(await tokens.findByHash(b.tokenHash)).toMatchObject({ revokedAt: AT });
    expect(await tokens.findByHash(other.tokenHash)).toMatchObject({ revokedAt: null });
  });

  test("revokeAllForUser revokes the user's tokens but the kept family's; others' tokens untouched", async () => {
    const { users, tokens, token } = await setup();
    const someoneElse = await users.create({ email: `rt-${randomUUID()}@example.com`, name: "Bob", passwordHash: "scrypt$x", roles: ["CUSTOMER"] });
    const keep = randomUUID();
    const [kept, dropped, alreadyRevoked, theirs] = [token({ familyId: keep }), token(), token(), token({ userId: someoneElse.id })];
    for (const t of [kept, dropped, alreadyRevoked, theirs]) await tokens.create(t);
    await tokens.revokeFamily(alreadyRevoked.familyId, AT);
    await tokens.revokeAllForUser(kept.userId, LATER, keep);
    expect(await tokens.findByHash(kept.tokenHash)).toMatchObject({ revokedAt: null });
    expect(await tokens.findByHash(dropped.tokenHash)).toMatchObject({ revokedAt: LATER });
    expect(await tokens.findByHash(alreadyRevoked.tokenHash)).toMatchObject({ revokedAt: AT });
    expect(await tokens.findByHash(theirs.tokenHash)).toMatchObject({ revokedAt: null });
    await tokens.revokeAllForUser(kept.userId, LATER);
    expect(await tokens.findByHash(kept.tokenHash)).toMatchObject({ revokedAt: LATER });
  });
});

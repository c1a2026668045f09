// In-memory fakes for service unit tests. Semantics mirror the Prisma repositories (unique email, conditional
// updates, foreign keys to users) so services can be tested without a database; the *.contract.test.ts suites
// beside this file hold both to the same cases.
import type { JSONWebKeySet } from "jose";
import { uuidsOnly, type OutboxRow } from "@fixup/platform";
import type { RefreshTokenRecord } from "../src/domain/refresh-token.js";
import { tombstone, type User, type UserWithPassword } from "../src/domain/user.js";
import type { NewRefreshToken, RefreshTokenRepository } from "../src/repository/refresh-token-repository.js";
import type { StoredIdentity } from "../src/repository/identity-repository.js";
import { EmailTakenError, type NewUser, type UserChanges, type UserRepository } from "../src/repository/user-repository.js";
import type { PasswordHasher } from "../src/service/password-hasher.js";
import type { AccessTokenIssuer } from "../src/service/token-issuer.js";

/** Ids shaped as the real ones (uuids), counting up so tests read deterministically. */
export const fakeUuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** Prisma's reading of a change set: a key whose value is undefined is no change. */
const definedOnly = <T extends object>(changes: T): Partial<T> =>
  Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;

const publicUser = ({ passwordHash: _omit, ...user }: UserWithPassword): User => ({ ...user, roles: [...user.roles] });

export class FakeUserRepository implements UserRepository {
  readonly rows = new Map<string, UserWithPassword>();
  /** provider_identities: written with the account (create/update), read by FakeIdentityRepository. */
  readonly identities = new Map<string, StoredIdentity>();
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(user: NewUser): Promise<User> {
    if ([...this.rows.values()].some((u) => u.email === user.email)) throw new EmailTakenError();
    const at = this.now();
    const { identity, id, ...columns } = user;
    if (id !== undefined && this.rows.has(id)) throw new Error(`duplicate id ${id}`);
    const row: UserWithPassword = { id: id ?? fakeUuid("aaaaaaaa", ++this.seq), avatarKey: null, bio: null, emailVerifiedAt: null, createdAt: at, updatedAt: at, ...columns };
    this.rows.set(row.id, row);
    if (identity) this.identities.set(row.id, { ...identity, userId: row.id, updatedAt: at });
    return publicUser(row);
  }

  async findById(id: string): Promise<User | null> {
    const row = this.row(id);
    return row ? publicUser(row) : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    return uuidsOnly(ids).flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [publicUser(row)] : [];
    });
  }

  async findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    const row = [...this.rows.values()].find((u) => u.email === email);
    return row ? { ...row } : null;
  }

  async findByIdWithPassword(id: string): Promise<UserWithPassword | null> {
    const row = this.row(id);
    return row ? { ...row } : null;
  }

  async update(id: string, changes: UserChanges): Promise<User> {
    const row = this.mustGet(id);
    const { identity, ...columns } = changes;
    Object.assign(row, definedOnly(columns), { updatedAt: this.now() });
    if (identity) this.identities.set(row.id, { ...identity, userId: row.id, updatedAt: this.now() });
    return publicUser(row);
  }

  async swapAvatarKey(id: string, expected: string | null, next: string): Promise<boolean> {
    const row = this.row(id);
    if (!row || row.avatarKey !== expected) return false;
    Object.assign(row, { avatarKey: next, updatedAt: this.now() });
    return true;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    Object.assign(this.mustGet(id), { passwordHash, updatedAt: this.now() });
  }

  readonly tombstones = new Map<string, User>();
  readonly outbox: OutboxRow[] = [];
  private readonly cascades: Array<(userId: string) => void> = [];

  /** What the users table's ON DELETE CASCADE does to rows of other tables (a token fake registers its own). */
  onDelete(cascade: (userId: string) => void): void {
    this.cascades.push(cascade);
  }

  /** The foreign key to users: a row of another table may only point at an existing user. */
  mustExist(id: string): void {
    this.mustGet(id);
  }

  async delete(id: string, event: OutboxRow): Promise<boolean> {
    const row = this.row(id);
    if (!row) return false;
    this.rows.delete(row.id);
    this.identities.delete(row.id);
    for (const cascade of this.cascades) cascade(row.id);
    this.tombstones.set(row.id, tombstone(row.id, row.createdAt));
    this.outbox.push(event);
    return true;
  }

  async findTombstones(ids: readonly string[]): Promise<User[]> {
    return uuidsOnly(ids).flatMap((id) => {
      const t = this.tombstones.get(id);
      return t ? [t] : [];
    });
  }

  /** Ids compare as uuids do: any case, and a malformed one matches nobody. */
  private row(id: string): UserWithPassword | undefined {
    const [key] = uuidsOnly([id]);
    return key === undefined ? undefined : this.rows.get(key);
  }

  private mustGet(id: string): UserWithPassword {
    const row = this.row(id);
    if (!row) throw new Error(`user ${id} not found`);
    return row;
  }
}

export interface StoredRefreshToken extends RefreshTokenRecord {
  tokenHash: string;
}

export class FakeRefreshTokenRepository implements RefreshTokenRepository {
  rows: StoredRefreshToken[] = [];
  private seq = 0;

  /** Tokens follow their user as the foreign key makes them: refused for an unknown one, deleted with it. */
  constructor(private readonly users: FakeUserRepository) {
    users.onDelete((userId) => (this.rows = this.rows.filter((r) => r.userId !== userId)));
  }

  async create(token: NewRefreshToken): Promise<void> {
    this.check(token);
    this.rows.push({ id: fakeUuid("bbbbbbbb", ++this.seq), usedAt: null, revokedAt: null, ...token });
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const row = this.rows.find((r) => r.tokenHash === tokenHash);
    if (!row) return null;
    const { tokenHash: _omit, ...record } = row;
    return record;
  }

  async markUsed(id: string, at: Date): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id && !r.usedAt && !r.revokedAt);
    if (!row) return false;
    row.usedAt = at;
    return true;
  }

  /** One transaction in the real repository: a successor that cannot be stored leaves the token unused. */
  async rotate(id: string, successor: NewRefreshToken, at: Date): Promise<boolean> {
    if (!this.rows.some((r) => r.id === id && !r.usedAt && !r.revokedAt)) return false;
    this.check(successor);
    await this.markUsed(id, at);
    await this.create(successor);
    return true;
  }

  /** What the table's constraints refuse: a hash stored twice, a token of an unknown user. */
  private check(token: NewRefreshToken): void {
    if (this.rows.some((r) => r.tokenHash === token.tokenHash)) throw new Error("duplicate tokenHash");
    this.users.mustExist(token.userId);
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    for (const row of this.rows) if (row.familyId === familyId && !row.revokedAt) row.revokedAt = at;
  }

  async revokeAllForUser(userId: string, at: Date, exceptFamilyId?: string): Promise<void> {
    for (const row of this.rows) {
      if (row.userId === userId && !row.revokedAt && row.familyId !== exceptFamilyId) row.revokedAt = at;
    }
  }
}

/** Instant, obviously-not-secure hasher: `h:<password>`. */
export const fakeHasher = (): PasswordHasher => ({
  hash: async (password) => `h:${password}`,
  verify: async (password, stored) => stored === `h:${password}`,
});

export const fakeTokenIssuer = (): AccessTokenIssuer => ({
  accessTtlSeconds: 900,
  sign: async (user) => `at:${user.id}`,
  jwks: async (): Promise<JSONWebKeySet> => ({ keys: [] }),
});

/** A clock tests can move. */
export class FakeClock {
  constructor(private current = new Date("2025-01-01T00:00:00.000Z")) {}
  readonly now = (): Date => new Date(this.current.getTime());
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

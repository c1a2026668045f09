// In-memory IdentityRepository over FakeUserRepository's provider_identities map (the numbers are written with the
// account, as the Prisma repository's nested writes do). identity-repository.contract.test.ts holds both to one contract.
import { randomUUID } from "node:crypto";
import { uuidsOnly, type PageRequest } from "@fixup/platform";
import type { EncryptedValue } from "../src/service/identity-cipher.js";
import { IdentityCipher } from "../src/service/identity-cipher.js";
import { keyringOrThrow } from "../src/service/identity-keys.js";
import { IdentityService } from "../src/service/identity-service.js";
import type { IdentityAccess, IdentityAccessPage, IdentityRepository, StoredIdentity } from "../src/repository/identity-repository.js";
import { DEFAULT_IDENTITY_NUMBER_PATTERN } from "../src/domain/identity-number.js";
import type { FakeUserRepository } from "./fakes.js";

const copy = (row: StoredIdentity): StoredIdentity => ({
  ...row,
  iv: new Uint8Array(row.iv),
  ciphertext: new Uint8Array(row.ciphertext),
  tag: new Uint8Array(row.tag),
});

/** Newest first: accessedAt DESC, then id DESC (the Prisma order). */
const newestFirst = (a: IdentityAccess, b: IdentityAccess) =>
  b.accessedAt.getTime() - a.accessedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class FakeIdentityRepository implements IdentityRepository {
  readonly access: IdentityAccess[] = [];

  constructor(
    private readonly users: FakeUserRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async findPreviews(userIds: readonly string[]) {
    return uuidsOnly(userIds).flatMap((id) => {
      const row = this.users.identities.get(id);
      return row ? [{ userId: row.userId, preview: row.preview }] : [];
    });
  }

  async readAudited(userId: string, access: { adminId: string; reason: string }): Promise<StoredIdentity | null> {
    const [id] = uuidsOnly([userId]);
    const row = id === undefined ? undefined : this.users.identities.get(id);
    if (!row) return null;
    this.access.push({ id: randomUUID(), adminId: access.adminId, userId: row.userId, reason: access.reason, accessedAt: this.now() });
    return copy(row);
  }

  async listAccess(filter: { userId?: string | undefined }, page: PageRequest): Promise<IdentityAccessPage> {
    if (filter.userId !== undefined && !uuidsOnly([filter.userId]).length) return { rows: [], totalCount: 0 };
    const userId = filter.userId?.toLowerCase();
    const scoped = this.access.filter((a) => userId === undefined || a.userId === userId).sort(newestFirst);
    const after = page.after;
    const rows = after
      ? scoped.filter((a) => a.accessedAt < after.createdAt || (a.accessedAt.getTime() === after.createdAt.getTime() && a.id < after.id))
      : scoped;
    return { rows: rows.slice(0, page.take + 1).map((a) => ({ ...a })), totalCount: scoped.length };
  }

  async findNotUnderKey(keyId: string, limit: number): Promise<StoredIdentity[]> {
    return [...this.users.identities.values()]
      .filter((r) => r.keyId !== keyId)
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }

  async replaceEncryption(userId: string, expectedKeyId: string, next: EncryptedValue): Promise<boolean> {
    const row = this.users.identities.get(userId);
    if (!row || row.keyId !== expectedKeyId) return false;
    this.users.identities.set(userId, { ...row, ...next, updatedAt: this.now() });
    return true;
  }

  async countByKey(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const row of this.users.identities.values()) counts[row.keyId] = (counts[row.keyId] ?? 0) + 1;
    return counts;
  }
}

/** Fixed test keys (never used outside tests). */
export const TEST_KEY_A = `a:${Buffer.alloc(32, 1).toString("base64")}`;
export const TEST_KEY_B = `b:${Buffer.alloc(32, 2).toString("base64")}`;

export const testCipher = (keys = TEST_KEY_A) => new IdentityCipher(keyringOrThrow(keys, "IDENTITY_KEYS"));

export function testIdentityService(identities: IdentityRepository, keys = TEST_KEY_A, pattern = DEFAULT_IDENTITY_NUMBER_PATTERN) {
  return new IdentityService({ identities, cipher: testCipher(keys), pattern: new RegExp(pattern) });
}

/** A valid (default-format) identity number, different per call. */
let identitySeq = 0;
export const validIdentityNumber = () => String(10_000_000_000 + ++identitySeq * 7919);

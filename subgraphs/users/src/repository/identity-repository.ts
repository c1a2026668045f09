import { uuidsOnly, type Cursor, type PageRequest } from "@fixup/platform";
import type { EncryptedValue } from "../service/identity-cipher.js";
import type { UsersPrisma } from "./prisma.js";

/** What is stored for one provider: the encrypted number and its masked preview. */
export interface NewIdentity extends EncryptedValue {
  preview: string;
}

export interface StoredIdentity extends NewIdentity {
  userId: string;
  updatedAt: Date;
}

export interface IdentityAccess {
  id: string;
  adminId: string;
  userId: string;
  reason: string;
  accessedAt: Date;
}

export interface IdentityAccessPage {
  /** Newest first, up to `take + 1` rows (the extra one tells whether another page exists). */
  rows: IdentityAccess[];
  totalCount: number;
}

/**
 * Identity numbers are written with their account (UserRepository.create / update take a NewIdentity); this
 * repository reads them, audits full reads, and re-encrypts them for key rotation.
 */
export interface IdentityRepository {
  /** Previews of the given accounts that have a number on file (one query for a batch). */
  findPreviews(userIds: readonly string[]): Promise<Array<{ userId: string; preview: string }>>;
  /**
   * The stored value and, in the same transaction, an audit record of who read it and why. No row: null and no
   * record.
   */
  readAudited(userId: string, access: { adminId: string; reason: string }): Promise<StoredIdentity | null>;
  /** Audit records, newest first (accessedAt DESC, id DESC), optionally of one account's number. */
  listAccess(filter: { userId?: string | undefined }, page: PageRequest): Promise<IdentityAccessPage>;
  /** Up to `limit` values encrypted under any key but `keyId` (rotation works through them in batches). */
  findNotUnderKey(keyId: string, limit: number): Promise<StoredIdentity[]>;
  /** Replaces the encryption only if the row is still under `expectedKeyId`; false when it is not (or is gone). */
  replaceEncryption(userId: string, expectedKeyId: string, next: EncryptedValue): Promise<boolean>;
  /** Rows per key id. */
  countByKey(): Promise<Record<string, number>>;
}

export const accessCursor = (a: IdentityAccess): Cursor => ({ createdAt: a.accessedAt, id: a.id });

const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

export class PrismaIdentityRepository implements IdentityRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async findPreviews(userIds: readonly string[]): Promise<Array<{ userId: string; preview: string }>> {
    const valid = uuidsOnly(userIds);
    if (!valid.length) return [];
    return this.prisma.providerIdentity.findMany({ where: { userId: { in: valid } }, select: { userId: true, preview: true } });
  }

  async readAudited(userId: string, access: { adminId: string; reason: string }): Promise<StoredIdentity | null> {
    if (!uuidsOnly([userId]).length) return null;
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.providerIdentity.findUnique({ where: { userId } });
      if (!row) return null;
      await tx.identityAccess.create({ data: { adminId: access.adminId, userId: row.userId, reason: access.reason } });
      return row;
    });
  }

  async listAccess(filter: { userId?: string | undefined }, page: PageRequest): Promise<IdentityAccessPage> {
    if (filter.userId !== undefined && !uuidsOnly([filter.userId]).length) return { rows: [], totalCount: 0 };
    const scope = filter.userId !== undefined ? { userId: filter.userId } : {};
    const before = page.after
      ? { OR: [{ accessedAt: { lt: page.after.createdAt } }, { accessedAt: page.after.createdAt, id: { lt: page.after.id } }] }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.identityAccess.findMany({
        where: { ...scope, ...before },
        orderBy: [{ accessedAt: "desc" }, { id: "desc" }],
        take: page.take + 1,
      }),
      this.prisma.identityAccess.count({ where: scope }),
    ]);
    return { rows, totalCount };
  }

  findNotUnderKey(keyId: string, limit: number): Promise<StoredIdentity[]> {
    return this.prisma.providerIdentity.findMany({ where: { keyId: { not: keyId } }, orderBy: { userId: "asc" }, take: limit });
  }

  async replaceEncryption(userId: string, expectedKeyId: string, next: EncryptedValue): Promise<boolean> {
    const { count } = await this.prisma.providerIdentity.updateMany({
      where: { userId, keyId: expectedKeyId },
      data: { keyId: next.keyId, iv: bytes(next.iv), ciphertext: bytes(next.ciphertext), tag: bytes(next.tag) },
    });
    return count === 1;
  }

  async countByKey(): Promise<Record<string, number>> {
    const groups = await this.prisma.providerIdentity.groupBy({ by: ["keyId"], _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.keyId, g._count._all]));
  }
}

/** Prisma `create` data for a NewIdentity (Bytes columns take plain Uint8Arrays). */
export const identityData = (identity: NewIdentity) => ({
  keyId: identity.keyId,
  iv: bytes(identity.iv),
  ciphertext: bytes(identity.ciphertext),
  tag: bytes(identity.tag),
  preview: identity.preview,
});

import { uuidsOnly, type OutboxRow } from "@fixup/platform";
import type { Role } from "../domain/generated/roles.js";
import { tombstone, type User, type UserWithPassword } from "../domain/user.js";
import { identityData, type NewIdentity } from "./identity-repository.js";
import { isUniqueViolation, type UsersPrisma } from "./prisma.js";

export class EmailTakenError extends Error {
  constructor() {
    super("email taken");
  }
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  roles: Role[];
  /** Chosen by the caller when it must be known before the row exists (a provider's identity is bound to it). */
  id?: string;
  /** A provider's encrypted identity number, stored with the account in one statement. */
  identity?: NewIdentity;
}

/** What update may change; `identity` sets (or replaces) the encrypted identity number with the other changes. */
export type UserChanges = Partial<Pick<User, "name" | "roles" | "avatarKey" | "bio">> & { identity?: NewIdentity | undefined };

/** Ids that are not uuids (a forged federation reference, a junk `user(id:)` argument) match no account. */
export interface UserRepository {
  create(user: NewUser): Promise<User>;
  findById(id: string): Promise<User | null>;
  findByIds(ids: readonly string[]): Promise<User[]>;
  findByEmailWithPassword(email: string): Promise<UserWithPassword | null>;
  findByIdWithPassword(id: string): Promise<UserWithPassword | null>;
  update(id: string, changes: UserChanges): Promise<User>;
  /** Points the user at `next` only if their avatar is still `expected`; false when another upload won meanwhile. */
  swapAvatarKey(id: string, expected: string | null, next: string): Promise<boolean>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /**
   * Deletes the account (its tokens go with it), leaves a tombstone (id and creation time) and writes `event` to the
   * outbox, in one transaction. False when there was no such account.
   */
  delete(id: string, event: OutboxRow): Promise<boolean>;
  /** Tombstones of deleted accounts among `ids`. */
  findTombstones(ids: readonly string[]): Promise<User[]>;
}

const publicColumns = {
  id: true,
  email: true,
  name: true,
  roles: true,
  avatarKey: true,
  bio: true,
  emailVerifiedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async create(user: NewUser): Promise<User> {
    try {
      const { identity, ...columns } = user;
      const data = identity ? { ...columns, identity: { create: identityData(identity) } } : columns;
      return await this.prisma.user.create({ data, select: publicColumns });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    if (!uuidsOnly([id]).length) return null;
    return this.prisma.user.findUnique({ where: { id }, select: publicColumns });
  }

  /** One query for a whole batch of federation representations. */
  async findByIds(ids: readonly string[]): Promise<User[]> {
    const valid = uuidsOnly(ids);
    if (!valid.length) return [];
    return this.prisma.user.findMany({ where: { id: { in: valid } }, select: publicColumns });
  }

  findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  async findByIdWithPassword(id: string): Promise<UserWithPassword | null> {
    if (!uuidsOnly([id]).length) return null;
    return this.prisma.user.findUnique({ where: { id } });
  }

  update(id: string, changes: UserChanges): Promise<User> {
    const { identity, ...columns } = changes;
    const data = identity
      ? { ...columns, identity: { upsert: { create: identityData(identity), update: identityData(identity) } } }
      : columns;
    return this.prisma.user.update({ where: { id }, data, select: publicColumns });
  }

  async swapAvatarKey(id: string, expected: string | null, next: string): Promise<boolean> {
    if (!uuidsOnly([id]).length) return false;
    const { count } = await this.prisma.user.updateMany({ where: { id, avatarKey: expected }, data: { avatarKey: next } });
    return count === 1;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { passwordHash } });
  }

  async delete(id: string, event: OutboxRow): Promise<boolean> {
    if (!uuidsOnly([id]).length) return false;
    return this.prisma.$transaction(async (tx) => {
      // RETURNING: of two concurrent deletions exactly one sees the row, and only it writes the tombstone and event.
      const [row] = await tx.$queryRaw<Array<{ created_at: Date }>>`DELETE FROM users WHERE id = ${id}::uuid RETURNING created_at`;
      if (!row) return false;
      await tx.deletedUser.create({ data: { id, createdAt: row.created_at } });
      await tx.outboxEvent.create({ data: event });
      return true;
    });
  }

  async findTombstones(ids: readonly string[]): Promise<User[]> {
    const valid = uuidsOnly(ids);
    if (!valid.length) return [];
    const rows = await this.prisma.deletedUser.findMany({ where: { id: { in: valid } } });
    return rows.map((row) => tombstone(row.id, row.createdAt));
  }
}

import type { RefreshTokenRecord } from "../domain/refresh-token.js";
import type { UsersPrisma } from "./prisma.js";

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

export interface RefreshTokenRepository {
  create(token: NewRefreshToken): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Marks the token used only if it is still live; false means someone else used it first (reuse). */
  markUsed(id: string, at: Date): Promise<boolean>;
  /** Atomically marks `id` used and stores its successor; false when it was already used or revoked. */
  rotate(id: string, successor: NewRefreshToken, at: Date): Promise<boolean>;
  revokeFamily(familyId: string, at: Date): Promise<void>;
  revokeAllForUser(userId: string, at: Date, exceptFamilyId?: string): Promise<void>;
}

const columns = { id: true, userId: true, familyId: true, expiresAt: true, usedAt: true, revokedAt: true } as const;

export class PrismaRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async create(token: NewRefreshToken): Promise<void> {
    await this.prisma.refreshToken.create({ data: token });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash }, select: columns });
  }

  async markUsed(id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { id, usedAt: null, revokedAt: null },
      data: { usedAt: at },
    });
    return count === 1;
  }

  rotate(id: string, successor: NewRefreshToken, at: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id, usedAt: null, revokedAt: null },
        data: { usedAt: at },
      });
      if (count !== 1) return false;
      await tx.refreshToken.create({ data: successor });
      return true;
    });
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: at } });
  }

  async revokeAllForUser(userId: string, at: Date, exceptFamilyId?: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({
      where: { userId, revokedAt: null, ...(exceptFamilyId ? { familyId: { not: exceptFamilyId } } : {}) },
      data: { revokedAt: at },
    });
  }
}

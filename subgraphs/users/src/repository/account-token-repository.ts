import type { AccountTokenPurpose, AccountTokenRecord } from "../domain/account-token.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { UsersPrisma } from "./prisma.js";

export interface NewAccountToken {
  userId: string;
  purpose: AccountTokenPurpose;
  tokenHash: string;
  expiresAt: Date;
}

export interface PasswordReset {
  tokenId: string;
  userId: string;
  passwordHash: string;
  at: Date;
}

export interface AccountTokenRepository {
  /** Stores `token` and drops the user's earlier tokens of that purpose: only the newest mailed link works. */
  issue(token: NewAccountToken): Promise<void>;
  findByHash(tokenHash: string): Promise<AccountTokenRecord | null>;
  /** Uses the token (if still unused and unexpired at `at`) and marks the user's e-mail verified; false if too late. */
  verifyEmail(tokenId: string, userId: string, at: Date): Promise<boolean>;
  /**
   * One transaction: uses the token (if still unused and unexpired), sets the new password hash, marks the e-mail
   * verified (the reset link proved the mailbox) and revokes every refresh token of the user. False if too late.
   */
  resetPassword(reset: PasswordReset): Promise<boolean>;
}

const columns = { id: true, userId: true, purpose: true, expiresAt: true, usedAt: true } as const;

/** The conditional update is what makes a token single-use under concurrent redemptions. */
async function useToken(tx: Prisma.TransactionClient, id: string, at: Date): Promise<boolean> {
  const { count } = await tx.accountToken.updateMany({
    where: { id, usedAt: null, expiresAt: { gt: at } },
    data: { usedAt: at },
  });
  return count === 1;
}

export class PrismaAccountTokenRepository implements AccountTokenRepository {
  constructor(private readonly prisma: UsersPrisma) {}

  async issue(token: NewAccountToken): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // Locking the user row serializes issues per user; without it two concurrent requests could each delete
      // nothing and both insert, leaving two live tokens.
      await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${token.userId}::uuid FOR UPDATE`;
      await tx.accountToken.deleteMany({ where: { userId: token.userId, purpose: token.purpose } });
      await tx.accountToken.create({ data: token });
    });
  }

  findByHash(tokenHash: string): Promise<AccountTokenRecord | null> {
    return this.prisma.accountToken.findUnique({ where: { tokenHash }, select: columns });
  }

  verifyEmail(tokenId: string, userId: string, at: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await useToken(tx, tokenId, at))) return false;
      // Keep the first verification time if the address was verified before.
      await tx.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: at } });
      return true;
    });
  }

  resetPassword({ tokenId, userId, passwordHash, at }: PasswordReset): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await useToken(tx, tokenId, at))) return false;
      await tx.user.update({ where: { id: userId }, data: { passwordHash } });
      await tx.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: at } });
      await tx.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } });
      return true;
    });
  }
}

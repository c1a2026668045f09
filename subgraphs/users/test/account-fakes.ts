// In-memory fakes for the account e-mail service tests; semantics mirror the Prisma repository (conditional use,
// one transaction for a reset), acting on the fakes in fakes.ts.
import type { AccountTokenRecord } from "../src/domain/account-token.js";
import type { AccountTokenRepository, NewAccountToken, PasswordReset } from "../src/repository/account-token-repository.js";
import type { Mailer, MailMessage } from "../src/service/mail/mailer.js";
import { fakeUuid, type FakeRefreshTokenRepository, type FakeUserRepository } from "./fakes.js";

export interface StoredAccountToken extends AccountTokenRecord {
  tokenHash: string;
}

export class FakeAccountTokenRepository implements AccountTokenRepository {
  rows: StoredAccountToken[] = [];
  private seq = 0;

  constructor(
    private readonly users: FakeUserRepository,
    private readonly refreshTokens: FakeRefreshTokenRepository,
  ) {
    users.onDelete((userId) => (this.rows = this.rows.filter((r) => r.userId !== userId)));
  }

  async issue(token: NewAccountToken): Promise<void> {
    this.users.mustExist(token.userId);
    const kept = this.rows.filter((r) => !(r.userId === token.userId && r.purpose === token.purpose));
    if (kept.some((r) => r.tokenHash === token.tokenHash)) throw new Error("duplicate tokenHash");
    this.rows = [...kept, { id: fakeUuid("cccccccc", ++this.seq), usedAt: null, ...token }];
  }

  async findByHash(tokenHash: string): Promise<AccountTokenRecord | null> {
    const row = this.rows.find((r) => r.tokenHash === tokenHash);
    if (!row) return null;
    const { tokenHash: _omit, ...record } = row;
    return record;
  }

  async verifyEmail(tokenId: string, userId: string, at: Date): Promise<boolean> {
    if (!this.use(tokenId, at)) return false;
    const user = this.users.rows.get(userId);
    if (user && !user.emailVerifiedAt) user.emailVerifiedAt = at;
    return true;
  }

  async resetPassword({ tokenId, userId, passwordHash, at }: PasswordReset): Promise<boolean> {
    if (!this.usable(tokenId, at)) return false;
    this.users.mustExist(userId); // the real transaction fails here and rolls back the token's use
    this.use(tokenId, at);
    await this.users.setPasswordHash(userId, passwordHash);
    const user = this.users.rows.get(userId);
    if (user && !user.emailVerifiedAt) user.emailVerifiedAt = at;
    await this.refreshTokens.revokeAllForUser(userId, at);
    return true;
  }

  private usable(id: string, at: Date): StoredAccountToken | undefined {
    return this.rows.find((r) => r.id === id && !r.usedAt && r.expiresAt.getTime() > at.getTime());
  }

  private use(id: string, at: Date): boolean {
    const row = this.usable(id, at);
    if (!row) return false;
    row.usedAt = at;
    return true;
  }
}

/** Keeps every message; `failing` makes sends fail like an unreachable SMTP server. */
export class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failing = false;

  async send(message: MailMessage): Promise<void> {
    if (this.failing) throw new Error("SMTP server unreachable");
    this.sent.push(message);
  }

  async close(): Promise<void> {}
}

import { createHash, randomBytes } from "node:crypto";
import { AppError, ErrorCode, badInput, unauthenticated, type Logger } from "@fixup/platform";
import { accountTokenExpiry, decideAccountToken, type AccountTokenPurpose } from "../domain/account-token.js";
import { passwordProblem } from "../domain/password-policy.js";
import { normalizeEmail, type User } from "../domain/user.js";
import type { AccountTokenRepository } from "../repository/account-token-repository.js";
import type { UserRepository } from "../repository/user-repository.js";
import { passwordResetMail, verificationMail } from "./account-email-messages.js";
import type { RequestMeta } from "./auth-service.js";
import { parseInput, passwordResetConfirmInput, passwordResetRequestInput, verifyEmailInput } from "./inputs.js";
import type { LoginLimiter } from "./login-limiter.js";
import type { Mailer } from "./mail/mailer.js";
import type { PasswordHasher } from "./password-hasher.js";
import type { PasswordResetLimiter } from "./password-reset-limiter.js";

/** Mailed tokens are random 32 bytes; only their SHA-256 is stored, so a database leak holds no usable link. */
export const newAccountToken = (): string => randomBytes(32).toString("base64url");
export const hashAccountToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export interface AccountEmailDeps {
  users: UserRepository;
  tokens: AccountTokenRepository;
  hasher: PasswordHasher;
  mailer: Mailer;
  resetLimiter: PasswordResetLimiter;
  /** Cleared for the account after a reset, so a user locked out by wrong guesses can log in with the new password. */
  loginLimiter: Pick<LoginLimiter, "succeeded">;
  /** Public origin of the API (the gateway) that verification links point at, e.g. https://api.fixup.example. */
  publicBaseUrl: string;
  logger: Logger;
  now?: () => Date;
}

const invalidToken = () => badInput({ token: "is invalid, used or expired" }, "This link or code is invalid, already used or expired");

/** E-mail verification and password reset by mailed single-use tokens. */
export class AccountEmailService {
  private readonly now: () => Date;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: AccountEmailDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** After a registration: mails a verification link in the background. Never throws — the account exists either way. */
  userRegistered(user: User): void {
    this.background("verification mail", () => this.sendVerification(user));
  }

  /**
   * A new verification mail for a signed-in user whose first one was lost; the older link stops working. Shares
   * the per-address mail budget with reset requests, so it cannot be used to flood a mailbox.
   */
  async resendVerification(userId: string, meta: RequestMeta = {}): Promise<void> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw unauthenticated("Account no longer exists");
    if (user.emailVerifiedAt) throw new AppError(ErrorCode.INVALID_STATE, "The e-mail address is already confirmed");
    const wait = await this.deps.resetLimiter.take({ email: user.email, ip: meta.ip });
    if (wait > 0) {
      throw new AppError(ErrorCode.RATE_LIMITED, "Too many e-mails requested; try again later", { retryAfterSeconds: wait });
    }
    this.background("verification mail", () => this.sendVerification(user));
  }

  async verifyEmail(raw: unknown): Promise<void> {
    const { token } = parseInput(verifyEmailInput, raw);
    const now = this.now();
    const decision = decideAccountToken(await this.deps.tokens.findByHash(hashAccountToken(token)), "EMAIL_VERIFICATION", now);
    if (decision.kind === "reject") throw invalidToken();
    // The conditional use inside verifyEmail decides races between two redemptions of the same token.
    if (!(await this.deps.tokens.verifyEmail(decision.token.id, decision.token.userId, now))) throw invalidToken();
  }

  /**
   * Answers the same way whether or not an account has this e-mail: the lookup and the mail happen in the background
   * after the answer, so neither the response nor its timing tells the two apart.
   */
  async requestPasswordReset(raw: unknown, meta: RequestMeta = {}): Promise<void> {
    const email = normalizeEmail(parseInput(passwordResetRequestInput, raw).email);
    const wait = await this.deps.resetLimiter.take({ email, ip: meta.ip });
    if (wait > 0) {
      throw new AppError(ErrorCode.RATE_LIMITED, "Too many password reset requests; try again later", { retryAfterSeconds: wait });
    }
    this.background("password reset mail", () => this.sendPasswordReset(email));
  }

  /** Sets a new password with a reset token; every refresh token of the user is revoked with it (old sessions die). */
  async resetPassword(raw: unknown): Promise<void> {
    const { token, newPassword } = parseInput(passwordResetConfirmInput, raw);
    const decision = decideAccountToken(await this.deps.tokens.findByHash(hashAccountToken(token)), "PASSWORD_RESET", this.now());
    if (decision.kind === "reject") throw invalidToken();
    const user = await this.deps.users.findById(decision.token.userId);
    if (!user) throw invalidToken();
    const problem = passwordProblem(newPassword, user.email);
    if (problem) throw badInput({ newPassword: problem });
    const passwordHash = await this.deps.hasher.hash(newPassword);
    const reset = await this.deps.tokens.resetPassword({ tokenId: decision.token.id, userId: user.id, passwordHash, at: this.now() });
    if (!reset) throw invalidToken();
    await this.deps.loginLimiter.succeeded({ email: user.email });
  }

  /** Resolves when every background mail task has finished (tests, graceful shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async sendVerification(user: User): Promise<void> {
    if (user.emailVerifiedAt) return;
    const token = await this.issue(user.id, "EMAIL_VERIFICATION");
    const link = new URL(`${this.deps.publicBaseUrl.replace(/\/+$/, "")}/auth/verify-email`);
    link.searchParams.set("token", token);
    await this.deps.mailer.send(verificationMail(user.email, user.name, link.toString()));
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const user = await this.deps.users.findByEmailWithPassword(email);
    if (!user) return; // nothing to send, and nothing the caller could notice
    const token = await this.issue(user.id, "PASSWORD_RESET");
    await this.deps.mailer.send(passwordResetMail(user.email, user.name, token));
  }

  private async issue(userId: string, purpose: AccountTokenPurpose): Promise<string> {
    const token = newAccountToken();
    await this.deps.tokens.issue({ userId, purpose, tokenHash: hashAccountToken(token), expiresAt: accountTokenExpiry(purpose, this.now()) });
    return token;
  }

  private background(what: string, task: () => Promise<void>): void {
    const run: Promise<void> = task()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, `${what} failed`))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }
}

import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, USER_DELETED, badInput, conflict, outboxRow, unauthenticated } from "@fixup/platform";
import { seenByItself, type SeenUser } from "../domain/access.js";
import type { Role } from "../domain/generated/roles.js";
import { isProvider } from "../domain/identity-number.js";
import { decideRefresh } from "../domain/refresh-token.js";
import { passwordProblem } from "../domain/password-policy.js";
import { initialRoles, normalizeEmail, type User } from "../domain/user.js";
import type { RefreshTokenRepository } from "../repository/refresh-token-repository.js";
import { EmailTakenError, type UserRepository } from "../repository/user-repository.js";
import { loginInput, parseInput, refreshInput, registerInput } from "./inputs.js";
import type { IdentityService } from "./identity-service.js";
import type { LoginLimiter } from "./login-limiter.js";
import type { PasswordHasher } from "./password-hasher.js";
import { hashRefreshToken, newRefreshToken, type AccessTokenIssuer } from "./token-issuer.js";

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  /** The account the tokens were issued to, as it sees itself (the caller holds no access token yet). */
  user: SeenUser;
}

export interface AuthServiceDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  hasher: PasswordHasher;
  tokens: AccessTokenIssuer;
  limiter: LoginLimiter;
  refreshTtlSeconds: number;
  /** Checks and encrypts providers' identity numbers; without it no account may register as a provider. */
  identity?: IdentityService;
  /** Told about each new self-registered account (sends the verification mail); must not throw. */
  onRegistered?: (user: User) => void;
  /** After an account is deleted (e.g. its avatar object goes too); failures there must not undo the deletion. */
  onDeleted?: (user: User) => Promise<void>;
  /** Asked before login and refreshToken issue tokens; throws to refuse (a suspended account: see ModerationService). */
  signInGate?: (userId: string) => Promise<void>;
  now?: () => Date;
}

export interface RequestMeta {
  ip?: string;
}

const invalidCredentials = () => unauthenticated("Invalid email or password");

export class AuthService {
  private readonly now: () => Date;
  // A hash to verify against when the account does not exist, so timing does not reveal which emails exist.
  private decoyHash: Promise<string> | undefined;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async register(raw: unknown): Promise<AuthPayload> {
    const input = parseInput(registerInput, raw);
    const email = normalizeEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw badInput({ password: problem });
    const roles = initialRoles(input.roles);
    // A provider's number is encrypted for (bound to) the account's id, so the id is chosen before the row exists.
    const id = randomUUID();
    const identity = this.requireIdentity(roles, input.identityNumber)?.prepare({
      currentRoles: [],
      nextRoles: roles,
      hasOnFile: false,
      raw: input.identityNumber,
      ownerId: id,
    });
    const passwordHash = await this.deps.hasher.hash(input.password);
    try {
      const user = await this.deps.users.create({ email, name: input.name, passwordHash, roles, ...(identity ? { id, identity } : {}) });
      this.deps.onRegistered?.(user);
      return this.issue(user, randomUUID());
    } catch (error) {
      if (error instanceof EmailTakenError) throw conflict("An account with this email already exists");
      throw error;
    }
  }

  async login(raw: unknown, meta: RequestMeta = {}): Promise<AuthPayload> {
    const input = parseInput(loginInput, raw);
    const keys = { email: normalizeEmail(input.email), ip: meta.ip };
    await this.takeAttempt(keys);
    const user = await this.deps.users.findByEmailWithPassword(keys.email);
    const ok = user
      ? await this.deps.hasher.verify(input.password, user.passwordHash)
      : await this.deps.hasher.verify(input.password, await this.decoy()).then(() => false);
    if (!user || !ok) throw invalidCredentials();
    await this.deps.limiter.succeeded(keys);
    await this.deps.signInGate?.(user.id); // after the password: only its holder learns the account is suspended
    const { passwordHash: _omit, ...publicUser } = user;
    return this.issue(publicUser, randomUUID());
  }

  async refresh(raw: unknown): Promise<AuthPayload> {
    const { refreshToken } = parseInput(refreshInput, raw);
    const now = this.now();
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (record) await this.deps.signInGate?.(record.userId);
    const decision = decideRefresh(record, now);
    if (decision.kind === "reject") throw unauthenticated("Invalid refresh token");
    if (decision.kind === "reuse") {
      await this.deps.refreshTokens.revokeFamily(decision.token.familyId, now);
      throw unauthenticated("Refresh token reuse detected; session revoked");
    }
    const user = await this.deps.users.findById(decision.token.userId);
    if (!user) throw unauthenticated("Invalid refresh token");
    const next = newRefreshToken();
    const rotated = await this.deps.refreshTokens.rotate(
      decision.token.id,
      { userId: user.id, familyId: decision.token.familyId, tokenHash: hashRefreshToken(next), expiresAt: this.refreshExpiry(now) },
      now,
    );
    if (!rotated) {
      // Lost a race with another use of the same token: that is reuse too.
      await this.deps.refreshTokens.revokeFamily(decision.token.familyId, now);
      throw unauthenticated("Refresh token reuse detected; session revoked");
    }
    return this.payload(user, next);
  }

  /** Idempotent: an unknown or already revoked token still answers success, revealing nothing. */
  async logout(raw: unknown): Promise<void> {
    const { refreshToken } = parseInput(refreshInput, raw);
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (record) await this.deps.refreshTokens.revokeFamily(record.familyId, this.now());
  }

  async changePassword(userId: string, currentPassword: string, newPassword: string, keepFamilyOf?: string): Promise<void> {
    const user = await this.deps.users.findByIdWithPassword(userId);
    if (!user) throw unauthenticated();
    await this.takeAttempt({ email: user.email });
    if (!(await this.deps.hasher.verify(currentPassword, user.passwordHash))) {
      throw badInput({ currentPassword: "is incorrect" }, "Current password is incorrect");
    }
    await this.deps.limiter.succeeded({ email: user.email });
    const problem = passwordProblem(newPassword, user.email);
    if (problem) throw badInput({ newPassword: problem });
    await this.deps.users.setPasswordHash(userId, await this.deps.hasher.hash(newPassword));
    const keep = keepFamilyOf ? (await this.deps.refreshTokens.findByHash(hashRefreshToken(keepFamilyOf)))?.familyId : undefined;
    await this.deps.refreshTokens.revokeAllForUser(userId, this.now(), keep);
  }

  async deleteAccount(userId: string, password: string): Promise<void> {
    const user = await this.deps.users.findByIdWithPassword(userId);
    if (!user) throw unauthenticated();
    await this.takeAttempt({ email: user.email });
    if (!(await this.deps.hasher.verify(password, user.passwordHash))) {
      throw badInput({ password: "is incorrect" }, "Password is incorrect");
    }
    // Refresh tokens go with the account (ON DELETE CASCADE); the event tells every other service.
    const deletedNow = await this.deps.users.delete(userId, outboxRow(USER_DELETED, { userId }));
    if (!deletedNow) throw unauthenticated();
    const { passwordHash: _omit, ...deleted } = user;
    await this.deps.onDeleted?.(deleted);
  }

  /**
   * Operator action (CLI, never exposed over the API): makes `email` an ADMIN, creating the account when missing.
   * An existing account keeps its password and other roles.
   */
  async createAdmin(raw: unknown): Promise<{ user: User; created: boolean }> {
    const input = parseInput(registerInput, raw);
    const email = normalizeEmail(input.email);
    const existing = await this.deps.users.findByEmailWithPassword(email);
    if (existing) {
      const roles = [...new Set([...existing.roles, "ADMIN" as const])];
      return { user: await this.deps.users.update(existing.id, { roles }), created: false };
    }
    const problem = passwordProblem(input.password, email);
    if (problem) throw badInput({ password: problem });
    const passwordHash = await this.deps.hasher.hash(input.password);
    return { user: await this.deps.users.create({ email, name: input.name, passwordHash, roles: ["ADMIN"] }), created: true };
  }

  /** The identity service when this registration involves a number (a provider, or a number sent anyway). */
  private requireIdentity(roles: readonly Role[], identityNumber: string | undefined): IdentityService | undefined {
    if (!isProvider(roles) && identityNumber === undefined) return undefined;
    if (!this.deps.identity) throw new Error("AuthService: provider registration needs the identity service");
    return this.deps.identity;
  }

  async jwks() {
    return this.deps.tokens.jwks();
  }

  /** Password checks (login, change, delete) share one per-account budget so a stolen session cannot guess either. */
  private async takeAttempt(keys: { email: string; ip?: string }): Promise<void> {
    const wait = await this.deps.limiter.attempt(keys);
    if (wait > 0) {
      throw new AppError(ErrorCode.RATE_LIMITED, "Too many failed password attempts; try again later", {
        retryAfterSeconds: wait,
      });
    }
  }

  private async issue(user: User, familyId: string): Promise<AuthPayload> {
    const refreshToken = newRefreshToken();
    await this.deps.refreshTokens.create({
      userId: user.id,
      familyId,
      tokenHash: hashRefreshToken(refreshToken),
      expiresAt: this.refreshExpiry(this.now()),
    });
    return this.payload(user, refreshToken);
  }

  private async payload(user: User, refreshToken: string): Promise<AuthPayload> {
    return {
      accessToken: await this.deps.tokens.sign(user),
      refreshToken,
      expiresIn: this.deps.tokens.accessTtlSeconds,
      user: seenByItself(user),
    };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.deps.refreshTtlSeconds * 1000);
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= this.deps.hasher.hash(randomUUID());
    return this.decoyHash;
  }
}

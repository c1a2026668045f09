import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "@fixup/platform";

export interface PasswordResetLimiter {
  /** Counts one reset request; returns seconds to wait when the e-mail or the IP is over its limit, else 0. */
  take(keys: { email: string; ip?: string }): Promise<number>;
}

export interface PasswordResetLimits {
  perEmail: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_PASSWORD_RESET_LIMITS: PasswordResetLimits = { perEmail: 5, perIp: 20, windowSeconds: 60 * 60 };

/**
 * Same pattern as the login limiter (Redis when available, so limits hold across instances). Requests are counted
 * per e-mail whether or not an account has it, so a 429 tells nothing about which e-mails exist; the per-e-mail
 * limit stops mail-bombing one inbox, the per-IP one stops a client from spraying many addresses.
 */
export function createPasswordResetLimiter(redis: Redis | null, limits: PasswordResetLimits = DEFAULT_PASSWORD_RESET_LIMITS): PasswordResetLimiter {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: limits.windowSeconds, useRedisPackage: false })
      : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
  const byEmail = make("password_reset_email", limits.perEmail);
  const byIp = make("password_reset_ip", limits.perIp);

  return {
    async take({ email, ip }) {
      const results = await Promise.allSettled([byEmail.consume(email), ip ? byIp.consume(ip) : Promise.resolve(null)]);
      let wait = 0;
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        wait = Math.max(wait, Math.max(1, Math.ceil(result.reason.msBeforeNext / 1000)));
      }
      return wait;
    },
  };
}

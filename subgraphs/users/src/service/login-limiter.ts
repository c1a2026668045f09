import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "@fixup/platform";

export interface LoginKeys {
  email: string;
  ip?: string;
}

export interface LoginLimiter {
  /**
   * Takes one attempt before the password is checked (so parallel guesses cannot all slip past a check-then-
   * count window). Returns seconds to wait when over the limit, else 0.
   */
  attempt(keys: LoginKeys): Promise<number>;
  /** A correct password: clears the account's count and gives the IP its attempt back. */
  succeeded(keys: LoginKeys): Promise<void>;
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perIp: 50, windowSeconds: 15 * 60 };

const waitSeconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Failed attempts per account and per IP in a fixed window; Redis-backed so counts hold across instances. */
export function createLoginLimiter(redis: Redis | null, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): LoginLimiter {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: limits.windowSeconds, useRedisPackage: false })
      : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
  const account = make("login_fail_account", limits.perAccount);
  const ip = make("login_fail_ip", limits.perIp);

  return {
    async attempt({ email, ip: address }) {
      const results = await Promise.allSettled([account.consume(email), address ? ip.consume(address) : Promise.resolve(null)]);
      let wait = 0;
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        wait = Math.max(wait, waitSeconds(result.reason));
      }
      return wait;
    },
    async succeeded({ email, ip: address }) {
      await Promise.all([account.delete(email), address ? ip.reward(address, 1) : undefined]);
    },
  };
}

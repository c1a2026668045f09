import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Redis } from "@fixup/platform";

export interface LoginLimiter {
  /** Throws-free check: seconds to wait when locked out, else 0. */
  retryAfter(keys: LoginKeys): Promise<number>;
  recordFailure(keys: LoginKeys): Promise<void>;
  reset(keys: LoginKeys): Promise<void>;
}

export interface LoginKeys {
  email: string;
  ip?: string;
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perIp: 50, windowSeconds: 15 * 60 };

/** Failures per account and per IP in a fixed window; Redis-backed so the count holds across instances. */
export function createLoginLimiter(redis: Redis | null, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): LoginLimiter {
  const make = (keyPrefix: string, points: number) =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: limits.windowSeconds, useRedisPackage: false })
      : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
  const account = make("login_fail_account", limits.perAccount);
  const ip = make("login_fail_ip", limits.perIp);

  const wait = (res: RateLimiterRes | null, max: number) =>
    res && res.consumedPoints >= max ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

  return {
    async retryAfter({ email, ip: address }) {
      const [a, i] = await Promise.all([account.get(email), address ? ip.get(address) : null]);
      return Math.max(wait(a, limits.perAccount), wait(i, limits.perIp));
    },
    async recordFailure({ email, ip: address }) {
      const swallowLimit = (e: unknown) => {
        if (!(e instanceof RateLimiterRes)) throw e;
      };
      await Promise.all([
        account.consume(email).catch(swallowLimit),
        address ? ip.consume(address).catch(swallowLimit) : undefined,
      ]);
    },
    async reset({ email }) {
      await account.delete(email);
    },
  };
}

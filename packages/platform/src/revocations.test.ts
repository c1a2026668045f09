import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import type { TokenVerifier } from "./auth.js";
import { createLogger } from "./logger.js";
import { memoryRevocations, redisRevocations, REVOCATION_TTL_SECONDS, withRevocations, type AccountRevocations } from "./revocations.js";
import { TEST_REDIS_URL } from "./testing.js";

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});

/** A verifier that trusts any token "<userId>@<iat>". */
const fakeVerifier: TokenVerifier = {
  async verify(token) {
    const [userId = "", iat = "0"] = token.split("@");
    return { userId, roles: ["CUSTOMER"], issuedAt: Number(iat) };
  },
};
const logger = createLogger("revocations-test", "silent");
const now = Math.floor(Date.now() / 1000);

describe.each<[string, () => AccountRevocations]>([
  ["redisRevocations", () => redisRevocations(redis)],
  ["memoryRevocations", () => memoryRevocations()],
])("%s", (_name, create) => {
  test("tokens issued at or before the revocation are refused; later ones and other accounts are not", async () => {
    const revocations = create();
    const verifier = withRevocations(fakeVerifier, revocations, logger);
    const [gone, other] = [randomUUID(), randomUUID()];
    await expect(verifier.verify(`${gone}@${now}`)).resolves.toMatchObject({ userId: gone });
    await revocations.revoke(gone, new Date(now * 1000));
    await expect(verifier.verify(`${gone}@${now}`)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(verifier.verify(`${gone}@${now - 600}`)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // A suspension lifted and a new login later: that token works.
    await expect(verifier.verify(`${gone}@${now + 5}`)).resolves.toMatchObject({ userId: gone });
    await expect(verifier.verify(`${other}@${now}`)).resolves.toMatchObject({ userId: other });
  });
});

test("a Redis entry expires on its own after every token it could affect", async () => {
  const userId = randomUUID();
  await redisRevocations(redis).revoke(userId);
  const ttl = await redis.ttl(`fixup:revoked:${userId}`);
  expect(ttl).toBeGreaterThan(REVOCATION_TTL_SECONDS - 10);
  expect(ttl).toBeLessThanOrEqual(REVOCATION_TTL_SECONDS);
});

test("when the store cannot be asked, the signature and expiry decide (an outage logs nobody out)", async () => {
  const broken: AccountRevocations = {
    revoke: async () => undefined,
    revokedUntil: async () => {
      throw new Error("redis down");
    },
  };
  await expect(withRevocations(fakeVerifier, broken, logger).verify(`${randomUUID()}@${now}`)).resolves.toMatchObject({ roles: ["CUSTOMER"] });
});

import { afterEach, expect, test, vi } from "vitest";
import { verifiedTokenCache } from "./verified-tokens.js";

afterEach(() => void vi.useRealTimers());

function counting(expiresInMs = 600_000) {
  const calls: string[] = [];
  const verify = (token: string) => {
    calls.push(token);
    if (token.startsWith("bad")) return Promise.reject(new Error("invalid"));
    return Promise.resolve({ value: { userId: token }, expiresAt: Date.now() + expiresInMs });
  };
  return { calls, verify };
}

test("a token that verified is not checked again; concurrent checks share one verification", async () => {
  const { calls, verify } = counting();
  const cached = verifiedTokenCache(verify);
  expect(await Promise.all([cached("a"), cached("a")])).toEqual([{ userId: "a" }, { userId: "a" }]);
  expect(await cached("a")).toEqual({ userId: "a" });
  expect(await cached("b")).toEqual({ userId: "b" });
  expect(calls).toEqual(["a", "b"]);
});

test("failures are never remembered", async () => {
  const { calls, verify } = counting();
  const cached = verifiedTokenCache(verify);
  await expect(cached("bad")).rejects.toThrow("invalid");
  await expect(cached("bad")).rejects.toThrow("invalid");
  expect(calls).toEqual(["bad", "bad"]);
});

test("never trusted past the token's exp, nor past the TTL", async () => {
  vi.useFakeTimers();
  const short = counting(1_000);
  const cached = verifiedTokenCache(short.verify, { ttlMs: 60_000 });
  await cached("a");
  vi.advanceTimersByTime(1_001);
  await cached("a");
  expect(short.calls).toEqual(["a", "a"]); // expired: verified again (and the real verifier would refuse it)

  const long = counting();
  const ttl = verifiedTokenCache(long.verify, { ttlMs: 5_000 });
  await ttl("a");
  vi.advanceTimersByTime(4_000);
  await ttl("a");
  vi.advanceTimersByTime(1_001);
  await ttl("a");
  expect(long.calls).toEqual(["a", "a"]);
});

test("keeps at most maxEntries tokens, dropping the oldest", async () => {
  const { calls, verify } = counting();
  const cached = verifiedTokenCache(verify, { maxEntries: 2 });
  for (const t of ["a", "b", "c", "a"]) await cached(t);
  expect(calls).toEqual(["a", "b", "c", "a"]);
});

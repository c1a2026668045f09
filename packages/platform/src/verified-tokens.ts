export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most (the oldest go first). */
  maxEntries?: number;
  /** How long a verification is trusted, at most — never past the token's own `exp`. */
  ttlMs?: number;
}

interface Entry<T> {
  result: Promise<T>;
  until: number;
}

/**
 * Remembers successful token verifications, so a client's every request does not pay an ES256 signature check
 * in the gateway and again in each subgraph (about a tenth of their CPU under load). Keyed by the exact token:
 * only a token that verified is trusted, and never past its `exp` or the TTL (which bounds how long a key
 * withdrawn from the JWKS keeps working). Concurrent checks of one token share one verification; failures are
 * forgotten at once.
 */
export function verifiedTokenCache<T>(verify: (token: string) => Promise<{ value: T; expiresAt: number }>, options: VerifiedTokenCacheOptions = {}) {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 60_000;
  const entries = new Map<string, Entry<T>>();
  return (token: string): Promise<T> => {
    const now = Date.now();
    const hit = entries.get(token);
    if (hit && hit.until > now) return hit.result;
    if (hit) entries.delete(token);
    const entry: Entry<T> = {
      until: now + ttlMs,
      result: verify(token).then(
        ({ value, expiresAt }) => {
          entry.until = Math.min(entry.until, expiresAt);
          return value;
        },
        (error: unknown) => {
          if (entries.get(token) === entry) entries.delete(token);
          throw error;
        },
      ),
    };
    entries.set(token, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return entry.result;
  };
}

import { randomInt } from "node:crypto";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFederation, uniqueEmail, type Federation } from "../support/federation.js";

/**
 * Finding 6: per-IP limits in users must count clients, not the proxies in front of it. Every process trusts only
 * 127.0.0.1 here (TRUST_PROXY), so a client on 127.0.0.1 plays a trusted proxy (nginx) telling the client's address,
 * and a client bound to another loopback address (127.x.y.z) is an untrusted peer whose X-Forwarded-For is forged.
 */
const PER_IP = 3;
let fed: Federation;

beforeAll(async () => {
  fed = await startFederation({ env: { TRUST_PROXY: "127.0.0.1", PASSWORD_RESET_MAX_PER_IP: String(PER_IP) } });
}, 120_000);
afterAll(() => fed?.stop());

// Rate-limit buckets live in Redis for an hour: fresh addresses each run keep reruns independent.
const randomIp = () => `198.18.${randomInt(256)}.${randomInt(256)}`;
const untrustedPeer = () => new Agent({ localAddress: `127.${randomInt(1, 255)}.${randomInt(256)}.${randomInt(1, 255)}` });

async function requestReset(headers: Record<string, string>, dispatcher?: Agent): Promise<number> {
  const res = await undiciFetch(`${fed.gatewayUrl}/auth/password-reset/request`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email: uniqueEmail("reset") }),
    dispatcher,
  });
  await res.arrayBuffer();
  return res.status;
}

describe("per-IP limits behind proxies (TRUST_PROXY)", () => {
  test("two clients behind a trusted proxy have separate budgets", async () => {
    const [a, b] = [randomIp(), randomIp()];
    for (let i = 0; i < PER_IP; i++) expect(await requestReset({ "x-forwarded-for": a })).toBe(202);
    expect(await requestReset({ "x-forwarded-for": a })).toBe(429);
    expect(await requestReset({ "x-forwarded-for": b })).toBe(202);
  });

  test("a forged X-Forwarded-For from an untrusted peer is ignored: the peer's own budget is spent (REST and GraphQL)", async () => {
    const peer = untrustedPeer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i <= PER_IP; i++) statuses.push(await requestReset({ "x-forwarded-for": randomIp() }, peer));
      expect(statuses).toEqual([...Array<number>(PER_IP).fill(202), 429]);

      const res = await undiciFetch(`${fed.gatewayUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
        body: JSON.stringify({ query: "mutation($e: String!) { requestPasswordReset(email: $e) }", variables: { e: uniqueEmail("reset") } }),
        dispatcher: peer,
      });
      const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    } finally {
      await peer.close();
    }
  });
});

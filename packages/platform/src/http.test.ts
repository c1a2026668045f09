import type { IncomingMessage } from "node:http";
import { describe, expect, test } from "vitest";
import { forwardedFor, redactQuery } from "./http.js";

test.each([
  ["/auth/verify-email?token=abc123", "/auth/verify-email?token=%5BREDACTED%5D"],
  ["/x?a=1&Token=s&b=2", "/x?a=1&Token=%5BREDACTED%5D&b=2"],
  ["/media/a.webp?Signature=zz&Expires=1", "/media/a.webp?Signature=%5BREDACTED%5D&Expires=1"],
  ["/graphql", "/graphql"],
  ["/search?q=sink", "/search?q=sink"],
])("redactQuery(%s) → %s", (url, expected) => {
  expect(redactQuery(url)).toBe(expected);
});

describe("forwardedFor", () => {
  const request = (peer: string, xff?: string) =>
    ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { "x-forwarded-for": xff } }) as unknown as IncomingMessage;
  const trustOnly = (...trusted: string[]) => (address: string) => trusted.includes(address);

  test.each([
    { case: "no header", peer: "10.0.0.2", xff: undefined, trust: trustOnly("10.0.0.2"), chain: "10.0.0.2" },
    { case: "trusted peer passes the chain on", peer: "10.0.0.2", xff: "203.0.113.7", trust: trustOnly("10.0.0.2"), chain: "203.0.113.7, 10.0.0.2" },
    { case: "untrusted peer: its header is dropped", peer: "198.51.100.9", xff: "203.0.113.7", trust: trustOnly("10.0.0.2"), chain: "198.51.100.9" },
    { case: "stops at the first untrusted hop", peer: "10.0.0.2", xff: "1.1.1.1, 203.0.113.7, 10.0.0.3", trust: trustOnly("10.0.0.2", "10.0.0.3"), chain: "203.0.113.7, 10.0.0.3, 10.0.0.2" },
    { case: "hop count 1", peer: "10.0.0.2", xff: "1.1.1.1, 203.0.113.7", trust: (_a: string, hop: number) => hop < 1, chain: "203.0.113.7, 10.0.0.2" },
  ])("$case → $chain", ({ peer, xff, trust, chain }) => {
    expect(forwardedFor(request(peer, xff), trust)).toBe(chain);
  });
});

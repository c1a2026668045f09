import { expect, test } from "vitest";
import { redactQuery } from "./http.js";

test.each([
  ["/auth/verify-email?token=abc123", "/auth/verify-email?token=%5BREDACTED%5D"],
  ["/x?a=1&Token=s&b=2", "/x?a=1&Token=%5BREDACTED%5D&b=2"],
  ["/media/a.webp?Signature=zz&Expires=1", "/media/a.webp?Signature=%5BREDACTED%5D&Expires=1"],
  ["/graphql", "/graphql"],
  ["/search?q=sink", "/search?q=sink"],
])("redactQuery(%s) → %s", (url, expected) => {
  expect(redactQuery(url)).toBe(expected);
});

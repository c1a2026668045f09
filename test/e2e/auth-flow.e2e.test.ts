import { createHmac } from "node:crypto";
import { exportSPKI, importJWK, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@fixup/platform";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { gql, identityNumber, postJson, startFederation, uniqueEmail, type Federation } from "../support/federation.js";

interface Payload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; roles: string[] };
}

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation();
});
afterAll(async () => {
  await fed?.stop();
});

const ME = "query Me { me { id name email roles createdAt } }";
const register = async (overrides: Record<string, unknown> = {}) => {
  const email = uniqueEmail();
  const res = await postJson(fed.gatewayUrl, "/auth/register", { email, password: "correct horse", name: "Ann", ...overrides });
  expect(res.status).toBe(201);
  return { email, payload: res.body as unknown as Payload };
};

describe("auth flow through the gateway", () => {
  test("register → login → me → refresh → reuse revokes the family → logout", async () => {
    const { email, payload: registered } = await register({ roles: ["PROVIDER"], identityNumber: identityNumber() });
    expect(registered.user).toMatchObject({ email, name: "Ann", roles: ["PROVIDER"] });
    expect(registered.expiresIn).toBe(900);

    const login = await postJson(fed.gatewayUrl, "/auth/login", { email: email.toUpperCase(), password: "correct horse" });
    expect(login.status).toBe(200);
    const session = login.body as unknown as Payload;

    const me = await gql<{ me: { id: string; email: string } }>(fed.gatewayUrl, ME, {}, session.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ id: registered.user.id, email });

    const refreshed = await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: session.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as unknown as Payload;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.accessToken).toEqual(expect.any(String));

    const reuse = await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: session.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });

    const revoked = await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: next.refreshToken });
    expect(revoked.status).toBe(401);

    // The registration session is a separate family: logout revokes it and only it.
    const logout = await postJson(fed.gatewayUrl, "/auth/logout", { refreshToken: registered.refreshToken });
    expect(logout.status).toBe(204);
    const afterLogout = await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: registered.refreshToken });
    expect(afterLogout.status).toBe(401);
  });

  test("the GraphQL mutations share the REST rules", async () => {
    const email = uniqueEmail();
    const reg = await gql<{ register: Payload }>(
      fed.gatewayUrl,
      "mutation R($i: RegisterInput!) { register(input: $i) { accessToken refreshToken expiresIn user { id email roles } } }",
      { i: { email, password: "longenough", name: "Bo" } },
    );
    expect(reg.errors).toBeUndefined();
    expect(reg.data?.register.user).toMatchObject({ email, roles: ["CUSTOMER"] });

    const dup = await gql(fed.gatewayUrl, "mutation R($i: RegisterInput!) { register(input: $i) { accessToken } }", {
      i: { email, password: "longenough", name: "Bo" },
    });
    expect(dup.errors?.[0]?.extensions?.code).toBe("CONFLICT");

    const refreshed = await gql<{ refreshToken: Payload }>(
      fed.gatewayUrl,
      "mutation($t: String!) { refreshToken(refreshToken: $t) { refreshToken user { id } } }",
      { t: reg.data?.register.refreshToken },
    );
    expect(refreshed.data?.refreshToken.user.id).toBe(reg.data?.register.user.id);
    const out = await gql<{ logout: boolean }>(fed.gatewayUrl, "mutation($t: String!) { logout(refreshToken: $t) }", {
      t: refreshed.data?.refreshToken.refreshToken,
    });
    expect(out.data?.logout).toBe(true);
  });

  test("user(id) hides the email from others; updateMe changes name and roles", async () => {
    const a = await register();
    const b = await register();
    const q = "query U($id: ID!) { user(id: $id) { id name email } }";
    const anonymous = await gql<{ user: { email: string | null } }>(fed.gatewayUrl, q, { id: a.payload.user.id });
    expect(anonymous.data?.user).toMatchObject({ name: "Ann", email: null });
    const other = await gql<{ user: { email: string | null } }>(fed.gatewayUrl, q, { id: a.payload.user.id }, b.payload.accessToken);
    expect(other.data?.user.email).toBeNull();
    const self = await gql<{ user: { email: string | null } }>(fed.gatewayUrl, q, { id: a.payload.user.id }, a.payload.accessToken);
    expect(self.data?.user.email).toBe(a.email);

    const upd = await gql<{ updateMe: { name: string; roles: string[] } }>(
      fed.gatewayUrl,
      "mutation U($n: String) { updateMe(input: { name: \"Annie\", roles: [CUSTOMER, PROVIDER], identityNumber: $n }) { name roles } }",
      { n: identityNumber() },
      a.payload.accessToken,
    );
    expect(upd.data?.updateMe).toEqual({ name: "Annie", roles: ["CUSTOMER", "PROVIDER"] });
    const grab = await gql(fed.gatewayUrl, "mutation { updateMe(input: { roles: [ADMIN] }) { roles } }", {}, a.payload.accessToken);
    expect(grab.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  test("changePassword revokes other sessions; deleteMe removes the account", async () => {
    const { email, payload } = await register();
    const other = (await postJson(fed.gatewayUrl, "/auth/login", { email, password: "correct horse" })).body as unknown as Payload;
    const wrong = await gql(
      fed.gatewayUrl,
      'mutation { changePassword(currentPassword: "nope nope", newPassword: "brand new pass") }',
      {},
      payload.accessToken,
    );
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { currentPassword: "is incorrect" } });
    const ok = await gql<{ changePassword: boolean }>(
      fed.gatewayUrl,
      "mutation($t: String) { changePassword(currentPassword: \"correct horse\", newPassword: \"brand new pass\", refreshToken: $t) }",
      { t: payload.refreshToken },
      payload.accessToken,
    );
    expect(ok.data?.changePassword).toBe(true);
    expect((await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: other.refreshToken })).status).toBe(401);
    expect((await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: payload.refreshToken })).status).toBe(200);
    expect((await postJson(fed.gatewayUrl, "/auth/login", { email, password: "correct horse" })).status).toBe(401);

    const del = await gql<{ deleteMe: boolean }>(fed.gatewayUrl, 'mutation { deleteMe(password: "brand new pass") }', {}, payload.accessToken);
    expect(del.data?.deleteMe).toBe(true);
    expect((await postJson(fed.gatewayUrl, "/auth/login", { email, password: "brand new pass" })).status).toBe(401);
    const me = await gql(fed.gatewayUrl, ME, {}, payload.accessToken);
    expect(me.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("bad input gets a clear error", () => {
  test("malformed JSON → 400 BAD_USER_INPUT", async () => {
    const res = await postJson(fed.gatewayUrl, "/auth/login", '{"email": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "BAD_USER_INPUT" } });
  });

  test.each([
    ["missing fields", {}, ["email", "password", "name"]],
    ["bad email", { email: "not-an-email", password: "longenough", name: "X" }, ["email"]],
    ["short password", { email: "short@example.com", password: "short", name: "X" }, ["password"]],
    ["password equal to email", { email: "same@example.com", password: "same@example.com", name: "X" }, ["password"]],
    ["admin role", { email: "adm@example.com", password: "longenough", name: "X", roles: ["ADMIN"] }, ["roles.0"]],
  ])("register with %s → 400 naming the fields", async (_name, body, fields) => {
    const res = await postJson(fed.gatewayUrl, "/auth/register", body);
    expect(res.status).toBe(400);
    const error = (res.body as { error: { code: string; fields: Record<string, string> } }).error;
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(Object.keys(error.fields).sort()).toEqual([...fields].sort());
  });

  test("duplicate email → 409 CONFLICT", async () => {
    const { email } = await register();
    const res = await postJson(fed.gatewayUrl, "/auth/register", { email, password: "longenough", name: "Again" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "CONFLICT" } });
  });

  test("wrong password → 401; five failures → 429 RATE_LIMITED with Retry-After", async () => {
    const { email } = await register();
    for (let i = 0; i < 5; i++) {
      const res = await postJson(fed.gatewayUrl, "/auth/login", { email, password: "wrong password" });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "UNAUTHENTICATED", message: "Invalid email or password" } });
    }
    const limited = await postJson(fed.gatewayUrl, "/auth/login", { email, password: "correct horse" });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("unknown refresh token → 401", async () => {
    const res = await postJson(fed.gatewayUrl, "/auth/refresh", { refreshToken: "nonsense" });
    expect(res.status).toBe(401);
  });

  test("GraphQL validation error names the field", async () => {
    const res = await gql(fed.gatewayUrl, "mutation { register(input: { email: \"x\", password: \"p\", name: \"\" }) { accessToken } }");
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(Object.keys((res.errors?.[0]?.extensions?.fields as Record<string, string>) ?? {})).toEqual(
      expect.arrayContaining(["email", "name"]),
    );
  });

  test("me without a token → UNAUTHENTICATED", async () => {
    const res = await gql(fed.gatewayUrl, ME);
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("forged and expired access tokens are refused", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  let valid: string;
  let userId: string;
  let publicJwk: JWK;

  beforeAll(async () => {
    const { payload } = await register();
    valid = payload.accessToken;
    userId = payload.user.id;
    const jwks = (await (await fetch(`${fed.gatewayUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    publicJwk = jwks.keys[0] as JWK;
  });

  const forgers: Array<[string, () => Promise<string>]> = [
    ["tampered payload", async () => {
      const [h, p, s] = valid.split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
      return [h, b64({ ...claims, roles: ["ADMIN"] }), s].join(".");
    }],
    ["alg none", async () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: userId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 9_999_999_999 })}.`],
    ["HS256 signed with the public key", async () => {
      const pem = await exportSPKI((await importJWK(publicJwk, "ES256")) as CryptoKey);
      const head = `${b64({ alg: "HS256", typ: "JWT", kid: publicJwk.kid })}.${b64({ sub: userId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 9_999_999_999 })}`;
      return `${head}.${createHmac("sha256", pem).update(head).digest("base64url")}`;
    }],
    ["expired", async () => {
      // Signed by a key the server does not know, then by structure: an expired claim alone must fail too.
      const { generateKeyPair } = await import("jose");
      const { privateKey } = await generateKeyPair("ES256");
      return new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: publicJwk.kid }).setSubject(userId)
        .setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt(1_000).setExpirationTime(2_000).sign(privateKey);
    }],
    ["garbage", async () => "not.a.jwt"],
  ];

  test.each(forgers)("%s → UNAUTHENTICATED at the gateway and at the subgraph", async (_name, forge) => {
    const token = await forge();
    const viaGateway = await gql(fed.gatewayUrl, ME, {}, token);
    expect(viaGateway.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(viaGateway.status).toBe(401);
    const direct = await gql(fed.usersUrl, ME, {}, token);
    expect(direct.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("gateway edges", () => {
  test("alias limit answers BAD_USER_INPUT", async () => {
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: user(id: "x") { id }`).join(" ")} }`;
    const res = await gql(fed.gatewayUrl, query);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" }, message: expect.stringMatching(/alias/i) });
  });

  test("depth limit answers BAD_USER_INPUT", async () => {
    const shallow = await startGateway(
      loadGatewayConfig({ NODE_ENV: "test", GATEWAY_PORT: "0", USERS_URL: fed.usersUrl, MAX_QUERY_DEPTH: "2" }),
      createLogger("test", "silent"),
    );
    try {
      const res = await gql(shallow.url, 'mutation { login(input: { email: "a@b.co", password: "x" }) { user { id } } }');
      expect(res.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" }, message: expect.stringMatching(/depth/i) });
    } finally {
      await shallow.close();
    }
  });

  test("health, readiness, metrics and request id propagation", async () => {
    expect((await fetch(`${fed.gatewayUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${fed.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    const usersReady = (await (await fetch(`${fed.usersUrl}/readyz`)).json()) as { checks: Record<string, string> };
    expect(usersReady.checks).toEqual({ postgres: "ok", redis: "ok" });
    const res = await fetch(`${fed.gatewayUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-e2e-123" },
      body: JSON.stringify({ query: "query Probe { user(id: \"00000000-0000-0000-0000-000000000000\") { id } }", operationName: "Probe" }),
    });
    expect(res.headers.get("x-request-id")).toBe("req-e2e-123");
    const metrics = await (await fetch(`${fed.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/graphql_request_duration_seconds_count\{[^}]*operation="Probe"/);
    const usersMetrics = await (await fetch(`${fed.usersUrl}/metrics`)).text();
    expect(usersMetrics).toMatch(/graphql_request_duration_seconds_count\{[^}]*operation="Probe/);
  });

  test("introspection and the Sandbox landing page are on in development, off in production", async () => {
    const introspect = "{ __schema { queryType { name } } }";
    expect((await gql<{ __schema: unknown }>(fed.gatewayUrl, introspect)).data?.__schema).toBeDefined();
    const landing = await fetch(`${fed.gatewayUrl}/graphql`, { headers: { accept: "text/html" } });
    expect(await landing.text()).toMatch(/<html/i);

    const production = await startGateway(
      loadGatewayConfig({ NODE_ENV: "production", GATEWAY_PORT: "0", USERS_URL: fed.usersUrl }),
      createLogger("test", "silent"),
    );
    try {
      const refused = await gql(production.url, introspect);
      expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await fetch(`${production.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await page.text()).not.toMatch(/<html/i);
    } finally {
      await production.close();
    }
  });

  test("unknown REST route → 404 JSON", async () => {
    const res = await fetch(`${fed.gatewayUrl}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

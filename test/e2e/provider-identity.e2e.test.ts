import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAdmin } from "../../subgraphs/users/src/cli/create-admin.js";
import { gql, gqlOk, identityNumber, postJson, startFederation, uniqueEmail, type Federation } from "../support/federation.js";
import { loginToken } from "../support/read-your-writes.js";

// Provider identity through the gateway: a provider registers with a personal identification number, sees only its
// preview (others see null), an ADMIN reads the full number with a reason and the read is in the access log; nobody
// else can read it; customers give none; the number never reaches users' events or its database in clear.
let fed: Federation;
let db: pg.Client;
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  fed = await startFederation();
  db = new pg.Client({ connectionString: fed.databaseUrls.users });
  await db.connect();
}, 90_000);

afterAll(async () => {
  await db?.end();
  await fed?.stop();
});

const USER = `query U($id: ID!) { user(id: $id) { id isProvider bio identityNumberPreview } }`;
const REVEAL = `query R($id: ID!, $reason: String!) { providerIdentityNumber(userId: $id, reason: $reason) }`;
const LOG = `query L($id: ID, $first: Int, $after: String) { identityAccessLog(userId: $id, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { reason accessedAt admin { id } user { id name } } } } }`;

async function register(body: Record<string, unknown>) {
  return postJson(fed.gatewayUrl, "/auth/register", { email: uniqueEmail("identity"), password: PASSWORD, name: "Pat Provider", ...body });
}

/** An account with `roles` set out of band (ADMIN by the operator's CLI, MODERATOR straight in the table). */
async function staff(role: "ADMIN" | "MODERATOR"): Promise<{ id: string; token: string }> {
  const email = uniqueEmail(role.toLowerCase());
  const { user } = await createAdmin(fed.databaseUrls.users, { email, password: PASSWORD, name: `The ${role}` });
  if (role === "MODERATOR") await db.query(`UPDATE users SET roles = '{MODERATOR}' WHERE id = $1`, [user.id]);
  return { id: user.id, token: await loginToken(fed.gatewayUrl, email, PASSWORD) };
}

describe("provider identity through the gateway", () => {
  test("register → preview to self and staff only → admin reads with a reason → audited; never in events or in clear", async () => {
    const number = identityNumber();
    const registered = await register({ roles: ["PROVIDER"], identityNumber: number });
    expect(registered.status).toBe(201);
    const provider = registered.body as { accessToken: string; user: { id: string } };
    const id = provider.user.id;
    const preview = `•••••••${number.slice(-4)}`;

    const self = await gqlOk<{ me: Record<string, unknown> }>(fed.gatewayUrl, "{ me { isProvider bio identityNumberPreview } }", {}, provider.accessToken);
    expect(self.me).toEqual({ isProvider: true, bio: null, identityNumberPreview: preview });
    const bio = await gqlOk<{ updateMe: { bio: string } }>(fed.gatewayUrl, `mutation { updateMe(input: { bio: "  Pipes and leaks.  " }) { bio } }`, {}, provider.accessToken);
    expect(bio.updateMe.bio).toBe("Pipes and leaks.");

    const customer = (await register({ roles: ["CUSTOMER"] })).body as { accessToken: string };
    const admin = await staff("ADMIN");
    const moderator = await staff("MODERATOR");
    for (const [who, token, expected] of [
      ["another user", customer.accessToken, null],
      ["anonymous", undefined, null],
      ["a moderator", moderator.token, preview],
      ["an admin", admin.token, preview],
    ] as const) {
      const seen = await gqlOk<{ user: Record<string, unknown> }>(fed.gatewayUrl, USER, { id }, token);
      expect(seen.user, who).toEqual({ id, isProvider: true, bio: "Pipes and leaks.", identityNumberPreview: expected });
    }

    // Only an ADMIN reads the full number, and only with a reason.
    for (const token of [customer.accessToken, provider.accessToken, moderator.token]) {
      const refused = await gql(fed.gatewayUrl, REVEAL, { id, reason: "just curious, honestly" }, token);
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(refused.data?.providerIdentityNumber ?? null).toBeNull();
    }
    const noReason = await gql(fed.gatewayUrl, REVEAL, { id, reason: "   short  " }, admin.token);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { reason: "must be at least 10 characters" } });
    const customerId = (await gqlOk<{ me: { id: string } }>(fed.gatewayUrl, "{ me { id } }", {}, customer.accessToken)).me.id;
    expect((await gql(fed.gatewayUrl, REVEAL, { id: customerId, reason: "wrong account asked" }, admin.token)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const revealed = await gqlOk<{ providerIdentityNumber: string }>(fed.gatewayUrl, REVEAL, { id, reason: "  KYC review for payout #77  " }, admin.token);
    expect(revealed.providerIdentityNumber).toBe(number);

    const log = await gqlOk<{ identityAccessLog: { totalCount: number; edges: Array<{ node: Record<string, unknown> }> } }>(fed.gatewayUrl, LOG, { id }, admin.token);
    expect(log.identityAccessLog.totalCount).toBe(1);
    expect(log.identityAccessLog.edges[0]?.node).toEqual({
      reason: "KYC review for payout #77",
      accessedAt: expect.any(String),
      admin: { id: admin.id },
      user: { id, name: "Pat Provider" },
    });
    expect((await gql(fed.gatewayUrl, LOG, {}, moderator.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    // At rest: only ciphertext and the preview; in users' events: nothing at all of it.
    const stored = await db.query<{ row: string }>(`SELECT row_to_json(p)::text AS row FROM provider_identities p WHERE user_id = $1`, [id]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.row).not.toContain(number);
    expect(stored.rows[0]?.row).not.toContain(Buffer.from(number).toString("hex"));
    expect(await gql(fed.gatewayUrl, "mutation D($p: String!) { deleteMe(password: $p) }", { p: PASSWORD }, provider.accessToken)).toMatchObject({ data: { deleteMe: true } });
    const events = await db.query<{ type: string; payload: string }>(`SELECT type, payload::text AS payload FROM outbox_events`);
    expect(events.rows.map((e) => e.type)).toContain("UserDeleted");
    for (const event of events.rows) expect(event.payload).not.toContain(number);
  }, 60_000);

  test.each<{ case: string; body: Record<string, unknown>; message: string }>([
    { case: "a customer sending a number", body: { roles: ["CUSTOMER"], identityNumber: "12345678901" }, message: "only providers give an identity number" },
    { case: "a provider without one", body: { roles: ["PROVIDER"] }, message: "is required for providers" },
    { case: "a provider with 10 digits", body: { roles: ["PROVIDER"], identityNumber: "1234567890" }, message: "is not a valid identity number" },
  ])("REST register refuses $case (400, fields.identityNumber)", async ({ body, message }) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "BAD_USER_INPUT", fields: { identityNumber: message } } });
  });

  test("GraphQL register and updateMe: a customer becomes a provider only with a number", async () => {
    const REGISTER = `mutation R($i: RegisterInput!) { register(input: $i) { accessToken user { isProvider identityNumberPreview } } }`;
    const base = { email: uniqueEmail("gql-identity"), password: PASSWORD, name: "Gale" };
    const refused = await gql(fed.gatewayUrl, REGISTER, { i: { ...base, roles: ["CUSTOMER"], identityNumber: "12345678901" } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { identityNumber: "only providers give an identity number" } });
    const ok = await gqlOk<{ register: { accessToken: string; user: Record<string, unknown> } }>(fed.gatewayUrl, REGISTER, { i: { ...base, roles: ["CUSTOMER"] } });
    expect(ok.register.user).toEqual({ isProvider: false, identityNumberPreview: null });
    const UPDATE = `mutation U($i: UpdateMeInput!) { updateMe(input: $i) { roles isProvider identityNumberPreview } }`;
    const noNumber = await gql(fed.gatewayUrl, UPDATE, { i: { roles: ["CUSTOMER", "PROVIDER"] } }, ok.register.accessToken);
    expect(noNumber.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { identityNumber: "is required for providers" } });
    const became = await gqlOk<{ updateMe: Record<string, unknown> }>(fed.gatewayUrl, UPDATE, { i: { roles: ["CUSTOMER", "PROVIDER"], identityNumber: "10000000042" } }, ok.register.accessToken);
    expect(became.updateMe).toEqual({ roles: ["CUSTOMER", "PROVIDER"], isProvider: true, identityNumberPreview: "•••••••0042" });
  });
});

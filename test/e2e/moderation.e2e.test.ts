import { beforeAll, describe, expect, test } from "vitest";
import { adminAccount, logIn, PASSWORD, type LoggedIn } from "../support/accounts.js";
import { gql, gqlOk, postJson, registerUser, uniqueEmail, type TestUser } from "../support/federation.js";
import { assignService, placeOrder, seededServiceId, submitOffer } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// Issue 13, moderation and roles through the gateway (README, "Moderation"): an ADMIN (made as an operator does)
// grants MODERATOR; the moderator handles a report, suspends and unsuspends an account, and hides a message.
const federation = useFederation();
let url: string;
let serviceId: string;

const login = async (email: string) => postJson(url, "/auth/login", { email, password: PASSWORD });
const session = (email: string) => logIn(url, email);
const errorOf = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions;

let admin: LoggedIn;
let moderator: LoggedIn;
let customer: TestUser;
let provider: TestUser;

beforeAll(async () => {
  url = federation.url;
  admin = await adminAccount(federation.fed, "Ops");
  serviceId = await seededServiceId(url);
  const mod = await registerUser(url, ["CUSTOMER"], "Future Moderator");
  [customer, provider] = await Promise.all([registerUser(url, ["CUSTOMER"], "Carol Customer"), registerUser(url, ["PROVIDER"], "Pete Provider")]);

  // The admin grants MODERATOR; the moderator's old token is refused and a refresh brings the new role.
  const granted = await gqlOk<{ grantRole: { roles: string[] } }>(url, 'mutation($u: ID!) { grantRole(userId: $u, role: MODERATOR) { roles } }', { u: mod.id }, admin.token);
  expect(granted.grantRole.roles).toEqual(["CUSTOMER", "MODERATOR"]);
  expect(errorOf(await gql(url, "{ me { id } }", {}, mod.token))?.code).toBe("UNAUTHENTICATED");
  moderator = await session(mod.email);
}, 120_000);

describe("roles", () => {
  test("nobody grants a role to themself; only an ADMIN grants", async () => {
    const self = await gql(url, 'mutation($u: ID!) { grantRole(userId: $u, role: MODERATOR) { id } }', { u: admin.id }, admin.token);
    expect(errorOf(self)?.code).toBe("FORBIDDEN");
    const byModerator = await gql(url, 'mutation($u: ID!) { grantRole(userId: $u, role: ADMIN) { id } }', { u: moderator.id }, moderator.token);
    expect(errorOf(byModerator)?.code).toBe("FORBIDDEN");
    const { moderationLog } = await gqlOk<{ moderationLog: { edges: Array<{ node: Record<string, unknown> }> } }>(
      url,
      "query($s: ID) { moderationLog(subjectUserId: $s) { edges { node { action role actor { id } subject { id } } } } }",
      { s: moderator.id },
      admin.token,
    );
    expect(moderationLog.edges.map((e) => e.node)).toEqual([{ action: "GRANT_ROLE", role: "MODERATOR", actor: { id: admin.id }, subject: { id: moderator.id } }]);
  });
});

describe("a report, handled by the moderator", () => {
  test("a user reports another; the moderator lists it and resolves it; the reporter cannot list", async () => {
    const filed = await gqlOk<{ report: { id: string; status: string; target: { type: string; id: string } } }>(
      url,
      'mutation($u: ID!) { report(target: { userId: $u }, reason: "Asks for payment outside the platform") { id status target { type id } } }',
      { u: provider.id },
      customer.token,
    );
    expect(filed.report).toMatchObject({ status: "OPEN", target: { type: "USER", id: provider.id } });
    const two = await gql(url, 'mutation($u: ID!) { report(target: { userId: $u, reviewId: $u }, reason: "two targets") { id } }', { u: provider.id }, customer.token);
    expect(errorOf(two)).toMatchObject({ code: "BAD_USER_INPUT", fields: { target: expect.any(String) } });
    expect(errorOf(await gql(url, "{ reports { totalCount } }", {}, customer.token))?.code).toBe("FORBIDDEN");

    const { reports } = await gqlOk<{ reports: { edges: Array<{ node: { id: string; reporter: { id: string }; targetUser: { name: string } } }> } }>(
      url, "{ reports(status: OPEN) { edges { node { id reporter { id } targetUser { name } } } } }", {}, moderator.token,
    );
    expect(reports.edges.map((e) => e.node)).toEqual([{ id: filed.report.id, reporter: { id: customer.id }, targetUser: { name: "Pete Provider" } }]);
    const { resolveReport } = await gqlOk<{ resolveReport: { status: string; resolvedBy: { id: string } } }>(
      url, 'mutation($id: ID!) { resolveReport(id: $id, resolution: RESOLVED, note: "Warned") { status resolvedBy { id } } }', { id: filed.report.id }, moderator.token,
    );
    expect(resolveReport).toEqual({ status: "RESOLVED", resolvedBy: { id: moderator.id } });
  });
});

describe("suspension", () => {
  test("suspended: login refused, the access token refused at its next request, refresh refused; unsuspended: login works", async () => {
    const email = uniqueEmail("suspect");
    const reg = await postJson(url, "/auth/register", { email, password: PASSWORD, name: "Sam Suspect", roles: ["CUSTOMER"] });
    expect(reg.status).toBe(201);
    const victim = await session(email);
    const { suspendUser } = await gqlOk<{ suspendUser: { id: string; suspended: boolean; suspendedUntil: string | null; suspensionReason: string } }>(
      url,
      'mutation($id: ID!) { suspendUser(id: $id, reason: "Fraudulent offers") { id suspended suspendedUntil suspensionReason } }',
      { id: victim.id },
      moderator.token,
    );
    expect(suspendUser).toEqual({ id: victim.id, suspended: true, suspendedUntil: null, suspensionReason: "Fraudulent offers" });
    // The suspension is for the account itself and staff to see.
    const seen = "query($id: ID!) { user(id: $id) { suspended suspendedUntil suspensionReason } }";
    expect((await gqlOk(url, seen, { id: victim.id }, customer.token)).user).toEqual({ suspended: null, suspendedUntil: null, suspensionReason: null });
    expect((await gqlOk(url, seen, { id: victim.id }, admin.token)).user).toEqual({ suspended: true, suspendedUntil: null, suspensionReason: "Fraudulent offers" });
    // A moderator cannot suspend staff; nobody suspends themself.
    expect(errorOf(await gql(url, "mutation($id: ID!) { suspendUser(id: $id, reason: \"nope\") { id } }", { id: admin.id }, moderator.token))?.code).toBe("FORBIDDEN");
    expect(errorOf(await gql(url, "mutation($id: ID!) { suspendUser(id: $id, reason: \"nope\") { id } }", { id: moderator.id }, moderator.token))?.code).toBe("FORBIDDEN");

    const refused = await gql(url, "mutation($i: LoginInput!) { login(input: $i) { accessToken } }", { i: { email, password: PASSWORD } });
    expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_SUSPENDED" });
    const rest = await login(email);
    expect([rest.status, (rest.body?.error as { reason?: string } | undefined)?.reason]).toEqual([403, "ACCOUNT_SUSPENDED"]);
    for (const query of ["{ me { id } }", "{ myOrders { totalCount } }", "{ myConversations { totalCount } }"]) {
      expect(errorOf(await gql(url, query, {}, victim.token))?.code, query).toBe("UNAUTHENTICATED");
    }
    const refresh = await gql(url, "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }", { r: victim.refreshToken });
    expect(errorOf(refresh)).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_SUSPENDED" });

    await gqlOk(url, "mutation($id: ID!) { unsuspendUser(id: $id) { id } }", { id: victim.id }, moderator.token);
    const back = await session(email);
    await expect(gqlOk(url, "{ me { id suspended suspendedUntil } }", {}, back.token)).resolves.toEqual({ me: { id: back.id, suspended: false, suspendedUntil: null } });
    const { moderationLog } = await gqlOk<{ moderationLog: { edges: Array<{ node: { action: string; reason: string | null } }> } }>(
      url, "query($s: ID) { moderationLog(subjectUserId: $s) { edges { node { action reason } } } }", { s: victim.id }, admin.token,
    );
    expect(moderationLog.edges.map((e) => e.node)).toEqual([{ action: "UNSUSPEND", reason: null }, { action: "SUSPEND", reason: "Fraudulent offers" }]);
  });
});

describe("a hidden message", () => {
  test("the moderator hides it: the other participant and the sender no longer see it; staff do", async () => {
    await assignService(url, serviceId, provider.token);
    const orderId = await placeOrder(url, customer.token, serviceId, { title: "Leak", description: "Kitchen" });
    await submitOffer(url, provider.token, orderId, { price: { amount: 5000, currency: "EUR" } });
    const { startConversation } = await gqlOk<{ startConversation: { id: string } }>(
      url, "mutation($o: ID!) { startConversation(orderId: $o) { id } }", { o: orderId }, provider.token,
    );
    const c = startConversation.id;
    const send = async (who: TestUser, body: string) =>
      (await gqlOk<{ sendMessage: { id: string } }>(url, "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }", { c, b: body }, who.token)).sendMessage.id;
    await send(customer, "When can you come?");
    const rude = await send(provider, "Pay me in cash or else");

    const hidden = await gqlOk<{ hideMessage: { id: string; hidden: boolean; hiddenReason: string } }>(
      url, 'mutation($id: ID!) { hideMessage(id: $id, reason: "Threatening") { id hidden hiddenReason } }', { id: rude }, moderator.token,
    );
    expect(hidden.hideMessage).toEqual({ id: rude, hidden: true, hiddenReason: "Threatening" });
    expect(errorOf(await gql(url, 'mutation($id: ID!) { hideMessage(id: $id, reason: "mine now") { id } }', { id: rude }, customer.token))?.code).toBe("FORBIDDEN");

    const view = "query($c: ID!) { conversation(id: $c) { lastMessage { body } messages { totalCount edges { node { body hidden hiddenReason } } } } }";
    for (const who of [customer, provider]) {
      const { conversation } = await gqlOk<{ conversation: unknown }>(url, view, { c }, who.token);
      expect(conversation).toEqual({
        lastMessage: { body: "When can you come?" },
        messages: { totalCount: 1, edges: [{ node: { body: "When can you come?", hidden: false, hiddenReason: null } }] },
      });
      expect(errorOf(await gql(url, "query($id: ID!) { message(id: $id) { id } }", { id: rude }, who.token))?.code).toBe("NOT_FOUND");
    }

    // Staff see it: the customer made MODERATOR (after a refresh) reads it, marked hidden.
    const customerSession = await session(customer.email);
    await gqlOk(url, "mutation($u: ID!) { grantRole(userId: $u, role: MODERATOR) { id } }", { u: customer.id }, admin.token);
    const refreshed = await postJson(url, "/auth/refresh", { refreshToken: customerSession.refreshToken });
    expect(refreshed.status).toBe(200);
    const staffToken = (refreshed.body as { accessToken: string }).accessToken;
    const { conversation } = await gqlOk<{ conversation: { messages: { totalCount: number; edges: Array<{ node: unknown }> } } }>(url, view, { c }, staffToken);
    expect(conversation.messages.totalCount).toBe(2);
    expect(conversation.messages.edges[0]?.node).toEqual({ body: "Pay me in cash or else", hidden: true, hiddenReason: "Threatening" });
  });
});

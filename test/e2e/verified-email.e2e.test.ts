import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { eventually, gql, gqlOk, identityNumber, postJson, startFederation, uniqueEmail, type Federation } from "../support/federation.js";

// REQUIRE_VERIFIED_EMAIL on (production's default): an unconfirmed account browses and edits its profile but does not
// trade; confirming the mailed link and refreshing the token opens the marketplace.
let fed: Federation;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  fed = await startFederation({ env: { REQUIRE_VERIFIED_EMAIL: "true", SMTP_URL: smtp.url, PUBLIC_BASE_URL: "https://fixup.example" } });
});
afterAll(async () => {
  await fed?.stop();
  await smtp?.close();
});

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

async function signUp(roles: string[]): Promise<{ email: string; session: Session }> {
  const email = uniqueEmail("gate");
  const res = await postJson(fed.gatewayUrl, "/auth/register", { email, password: "correct horse", name: "Gated", roles, ...(roles.includes("PROVIDER") ? { identityNumber: identityNumber() } : {}) });
  expect(res.status).toBe(201);
  return { email, session: res.body as unknown as Session };
}

/** Follows the verification link in the registration mail, then refreshes: the new access token says "verified". */
async function confirm(email: string, session: Session): Promise<string> {
  const { mail } = await smtp.next(email);
  const link = new URL(mail.text?.match(/https?:\/\/\S+verify-email\S*/)?.[0] ?? "");
  expect((await postJson(fed.gatewayUrl, "/auth/verify-email", { token: link.searchParams.get("token") })).status).toBe(204);
  const { refreshToken } = await gqlOk<{ refreshToken: { accessToken: string } }>(
    fed.gatewayUrl,
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
    { t: session.refreshToken },
  );
  return refreshToken.accessToken;
}

const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";

describe("verified e-mail gates the marketplace", () => {
  test("unverified: browse and edit profile yes, create an order no (FORBIDDEN, EMAIL_NOT_VERIFIED); verified + refreshed: yes", async () => {
    const { email, session } = await signUp(["CUSTOMER"]);
    const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, "{ services { id } }", {}, session.accessToken);
    const serviceId = services[0]?.id as string;
    await gqlOk(fed.gatewayUrl, 'mutation { updateMe(input: { name: "Still Gated" }) { id } }', {}, session.accessToken);

    const input = { i: { serviceId, title: "Fix the sink", description: "It drips", address: "1 Main St" } };
    const refused = await gql(fed.gatewayUrl, CREATE_ORDER, input, session.accessToken);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
    expect(refused.data).toBeNull();

    const verified = await confirm(email, session);
    const created = await eventually(() => gqlOk<{ createOrder: { id: string } }>(fed.gatewayUrl, CREATE_ORDER, input, verified));
    expect(created.createOrder.id).toEqual(expect.any(String));
  });

  test("an unverified provider cannot offer, an unverified customer cannot message", async () => {
    const customer = await signUp(["CUSTOMER"]);
    const provider = await signUp(["PROVIDER"]);
    const customerToken = await confirm(customer.email, customer.session);
    const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, "{ services { id } }");
    const serviceId = services[0]?.id as string;
    await gqlOk(fed.gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.session.accessToken);
    const { createOrder } = await eventually(() =>
      gqlOk<{ createOrder: { id: string } }>(fed.gatewayUrl, CREATE_ORDER, { i: { serviceId, title: "Fix it", description: "Please", address: "2 Main St" } }, customerToken),
    );
    const offer = await gql(
      fed.gatewayUrl,
      "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
      { i: { orderId: createOrder.id, price: { amount: 10000, currency: "EUR" } } },
      provider.session.accessToken,
    );
    expect(offer.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });

    const providerToken = await confirm(provider.email, provider.session);
    await eventually(() =>
      gqlOk(fed.gatewayUrl, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", {
        i: { orderId: createOrder.id, price: { amount: 10000, currency: "EUR" } },
      }, providerToken),
    );
    const unverified = await signUp(["CUSTOMER"]);
    const chat = await gql(fed.gatewayUrl, "mutation($o: ID!) { startConversation(orderId: $o) { id } }", { o: createOrder.id }, unverified.session.accessToken);
    expect(chat.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
  });
});

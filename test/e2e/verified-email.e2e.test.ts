import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { confirmEmail, signUp as signUpAt, type SignedUp } from "../support/accounts.js";
import { eventually, gql, gqlOk, startFederation, type Federation } from "../support/federation.js";

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

const signUp = (roles: string[]) => signUpAt(fed.gatewayUrl, roles, "Gated");
const confirm = (account: SignedUp) => confirmEmail(fed.gatewayUrl, smtp, account);

const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";

describe("verified e-mail gates the marketplace", () => {
  test("unverified: browse and edit profile yes, create an order no (FORBIDDEN, EMAIL_NOT_VERIFIED); verified + refreshed: yes", async () => {
    const account = await signUp(["CUSTOMER"]);
    const { session } = account;
    const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, "{ services { id } }", {}, session.accessToken);
    const serviceId = services[0]?.id as string;
    await gqlOk(fed.gatewayUrl, 'mutation { updateMe(input: { name: "Still Gated" }) { id } }', {}, session.accessToken);

    const input = { i: { serviceId, title: "Fix the sink", description: "It drips", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } };
    const refused = await gql(fed.gatewayUrl, CREATE_ORDER, input, session.accessToken);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
    expect(refused.data).toBeNull();

    const verified = await confirm(account);
    const created = await eventually(() => gqlOk<{ createOrder: { id: string } }>(fed.gatewayUrl, CREATE_ORDER, input, verified));
    expect(created.createOrder.id).toEqual(expect.any(String));
  });

  test("an unverified provider cannot offer, an unverified customer cannot message", async () => {
    const customer = await signUp(["CUSTOMER"]);
    const provider = await signUp(["PROVIDER"]);
    const customerToken = await confirm(customer);
    const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, "{ services { id } }");
    const serviceId = services[0]?.id as string;
    await gqlOk(fed.gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.session.accessToken);
    const { createOrder } = await eventually(() =>
      gqlOk<{ createOrder: { id: string } }>(fed.gatewayUrl, CREATE_ORDER, { i: { serviceId, title: "Fix it", description: "Please", address: "2 Main St", location: { lat: 52.52, lng: 13.405 } } }, customerToken),
    );
    const offer = await gql(
      fed.gatewayUrl,
      "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
      { i: { orderId: createOrder.id, price: { amount: 10000, currency: "EUR" } } },
      provider.session.accessToken,
    );
    expect(offer.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });

    const providerToken = await confirm(provider);
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

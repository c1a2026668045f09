import { describe, expect, test } from "vitest";
import { confirmEmail, signUp as signUpAt, type SignedUp } from "../support/accounts.js";
import { eventually } from "../support/federation.js";
import { assignService, placeOrder, seededServiceId, submitOffer } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// REQUIRE_VERIFIED_EMAIL on (production's default): an unconfirmed account browses and edits its profile but does not
// trade; confirming the mailed link and refreshing the token opens the marketplace.
const federation = useFederation({ verifiedEmail: true });
const { call, ok } = federation;

const signUp = (roles: string[]) => signUpAt(federation.url, roles, "Gated");
const confirm = (account: SignedUp) => confirmEmail(federation.url, federation.smtp, account);

const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";

describe("verified e-mail gates the marketplace", () => {
  test("unverified: browse and edit profile yes, create an order no (FORBIDDEN, EMAIL_NOT_VERIFIED); verified + refreshed: yes", async () => {
    const account = await signUp(["CUSTOMER"]);
    const { session } = account;
    const { services } = await ok<{ services: Array<{ id: string }> }>("{ services { id } }", {}, session.accessToken);
    const serviceId = services[0]?.id as string;
    await ok('mutation { updateMe(input: { name: "Still Gated" }) { id } }', {}, session.accessToken);

    const input = { i: { serviceId, title: "Fix the sink", description: "It drips", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } };
    const refused = await call(CREATE_ORDER, input, session.accessToken);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
    expect(refused.data).toBeNull();

    const verified = await confirm(account);
    const created = await eventually(() => ok<{ createOrder: { id: string } }>(CREATE_ORDER, input, verified));
    expect(created.createOrder.id).toEqual(expect.any(String));
  });

  test("an unverified provider cannot offer, an unverified customer cannot message", async () => {
    const customer = await signUp(["CUSTOMER"]);
    const provider = await signUp(["PROVIDER"]);
    const customerToken = await confirm(customer);
    const serviceId = await seededServiceId(federation.url);
    await assignService(federation.url, serviceId, provider.session.accessToken);
    const orderId = await placeOrder(federation.url, customerToken, serviceId, { title: "Fix it", description: "Please", address: "2 Main St" });
    const offer = await call(
      "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
      { i: { orderId, price: { amount: 10000, currency: "EUR" } } },
      provider.session.accessToken,
    );
    expect(offer.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });

    const providerToken = await confirm(provider);
    await submitOffer(federation.url, providerToken, orderId, { price: { amount: 10000, currency: "EUR" } });
    const unverified = await signUp(["CUSTOMER"]);
    const chat = await call("mutation($o: ID!) { startConversation(orderId: $o) { id } }", { o: orderId }, unverified.session.accessToken);
    expect(chat.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "EMAIL_NOT_VERIFIED" });
  });
});

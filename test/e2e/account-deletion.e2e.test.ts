import { beforeAll, describe, expect, test } from "vitest";
import { eventually, gql, gqlOk, registerUser, type TestUser } from "../support/federation.js";
import { providerFor, seededServiceId } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// Account deletion is an integration event every service handles (README, "Account deletion"): the account's tokens
// stop working everywhere at once, its open orders are cancelled and pending offers withdrawn, its service assignments
// go, and every reference other services keep (orders, offers, reviews, messages) resolves to a tombstone.
const federation = useFederation();
let url: string;
let serviceId: string;

const PASSWORD = "correct horse";
const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";
const SUBMIT_OFFER = "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }";

const order = async (customer: TestUser, title: string) =>
  (await gqlOk<{ createOrder: { id: string } }>(url, CREATE_ORDER, { i: { serviceId, title, description: "Soon", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } }, customer.token)).createOrder.id;
const offer = async (provider: TestUser, orderId: string) =>
  (await gqlOk<{ submitOffer: { id: string } }>(url, SUBMIT_OFFER, { i: { orderId, price: { amount: 5000, currency: "EUR" } } }, provider.token)).submitOffer.id;
const act = (mutation: string, vars: Record<string, unknown>, who: TestUser) => gqlOk(url, mutation, vars, who.token);
const deleteMe = (who: TestUser) => act("mutation($p: String!) { deleteMe(password: $p) }", { p: PASSWORD }, who);

beforeAll(async () => {
  url = federation.url;
  serviceId = await seededServiceId(url);
}, 90_000);

const provider = (name: string) => providerFor(url, serviceId, name);

describe("a deleted customer", () => {
  let customer: TestUser;
  let pro: TestUser;
  let watcher: TestUser;
  let open: string;
  let assigned: string;
  let done: string;
  let conversationId: string;

  beforeAll(async () => {
    customer = await registerUser(url, ["CUSTOMER"], "Doomed Customer");
    [pro, watcher] = await Promise.all([provider("Kept Pro"), provider("Watching Pro")]);
    open = await order(customer, "Still open");
    await offer(pro, open);
    assigned = await order(customer, "Assigned");
    await act("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", { o: await offer(pro, assigned) }, customer);
    done = await order(customer, "Done");
    await act("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", { o: await offer(pro, done) }, customer);
    await act("mutation($id: ID!) { startOrder(id: $id) { id } }", { id: done }, pro);
    await act("mutation($id: ID!) { completeOrder(id: $id) { id } }", { id: done }, pro);
    await act("mutation($o: ID!) { reviewOrder(orderId: $o, rating: 4.5, comment: \"Good\") { id } }", { o: done }, customer);
    const { startConversation } = await act("mutation($o: ID!, $p: ID) { startConversation(orderId: $o, providerId: $p) { id } }", { o: assigned, p: pro.id }, customer) as { startConversation: { id: string } };
    conversationId = startConversation.id;
    await act("mutation($c: ID!) { sendMessage(conversationId: $c, body: \"Bye\") { id } }", { c: conversationId }, customer);
    await deleteMe(customer);
  }, 60_000);

  test("their old access token stops working in every subgraph at once", async () => {
    const cases = [
      ["users", "{ me { id } }"],
      ["orders", `mutation { createOrder(input: { serviceId: "${serviceId}", title: "Ghost", description: "x", address: "y", location: { lat: 52.52, lng: 13.405 } }) { id } }`],
      ["orders", "{ myOrders { totalCount } }"],
      ["chat", "{ myConversations { totalCount } }"],
      ["catalog", `mutation { assignService(serviceId: "${serviceId}") { id } }`],
    ];
    for (const [, query] of cases) {
      const res = await gql(url, query as string, {}, customer.token);
      expect(res.errors?.[0]?.extensions?.code, query).toBe("UNAUTHENTICATED");
    }
  });

  test("every provider's feed still answers; the customer shows as a deleted account", async () => {
    const res = await gql<{ openOrders: { edges: Array<{ node: { id: string; customer: { name: string; deleted: boolean } } }> } }>(
      url,
      "{ openOrders(first: 100) { edges { node { id title customer { id name deleted } } } } }",
      {},
      watcher.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.openOrders).toBeDefined();
    for (const edge of res.data?.openOrders.edges ?? []) {
      if (edge.node.id === open) expect(edge.node.customer).toMatchObject({ name: "Deleted account", deleted: true });
    }
  });

  test("their open order is cancelled and the offer on it rejected; orders under way keep going", async () => {
    await eventually(async () => {
      const { order: o } = await gqlOk<{ order: { status: string; offers: Array<{ status: string }> } }>(
        url, "query($id: ID!) { order(id: $id) { status offers { status } } }", { id: open }, pro.token,
      );
      expect(o).toEqual({ status: "CANCELLED", offers: [{ status: "REJECTED" }] });
    });
    const { order: a } = await gqlOk<{ order: { status: string } }>(url, "query($id: ID!) { order(id: $id) { status } }", { id: assigned }, pro.token);
    // ASSIGNED can be cancelled too: the customer is gone, nobody will let the provider in.
    expect(a.status).toBe("CANCELLED");
  });

  test("offers, reviews and messages still resolve, with the author as a tombstone", async () => {
    const data = await gqlOk<Record<string, unknown>>(
      url,
      `query($c: ID!, $p: ID!, $done: ID!) {
        myOffers(first: 10) { edges { node { status order { title customer { name deleted email } } } } }
        user(id: $p) { reviews { edges { node { rating comment author { name deleted roles avatarUrl } } } } rating { average count } }
        conversation(id: $c) { customer { name deleted } messages { edges { node { body sender { id name deleted } } } } }
        order(id: $done) { status review { author { name } } customer { name createdAt } }
      }`,
      { c: conversationId, p: pro.id, done },
      pro.token,
    );
    expect(JSON.stringify(data)).not.toContain("Doomed Customer");
    expect(data).toMatchObject({
      myOffers: { edges: expect.arrayContaining([expect.objectContaining({ node: expect.objectContaining({ order: expect.objectContaining({ customer: { name: "Deleted account", deleted: true, email: null } }) }) })]) },
      user: {
        reviews: { edges: [{ node: { rating: 4.5, comment: "Good", author: { name: "Deleted account", deleted: true, roles: [], avatarUrl: null } } }] },
        rating: { average: 4.5, count: 1 },
      },
      conversation: { customer: { name: "Deleted account", deleted: true }, messages: { edges: [{ node: { body: "Bye", sender: { id: customer.id, name: "Deleted account", deleted: true } } }] } },
      order: { status: "COMPLETED", review: { author: { name: "Deleted account" } }, customer: { name: "Deleted account" } },
    });
  });

  test("their refresh token and password are gone", async () => {
    const res = await gql(url, "mutation($i: LoginInput!) { login(input: $i) { accessToken } }", { i: { email: customer.email, password: PASSWORD } });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("a deleted provider", () => {
  test("their pending offers are withdrawn, their services unassigned; the customer still sees the offer, from a deleted account", async () => {
    const customer = await registerUser(url, ["CUSTOMER"], "Staying Customer");
    const leaving = await provider("Leaving Pro");
    const orderId = await order(customer, "Needs a pro");
    await offer(leaving, orderId);
    await deleteMe(leaving);
    await eventually(async () => {
      const { order: o } = await gqlOk<{ order: { status: string; offers: Array<{ status: string; provider: { name: string; deleted: boolean } }> } }>(
        url, "query($id: ID!) { order(id: $id) { status offers { status provider { name deleted } } } }", { id: orderId }, customer.token,
      );
      expect(o).toEqual({ status: "OPEN", offers: [{ status: "WITHDRAWN", provider: { name: "Deleted account", deleted: true } }] });
    });
    await eventually(async () => {
      const { service } = await gqlOk<{ service: { providers: { edges: Array<{ node: { id: string } }> } } }>(
        url, "query($s: ID!) { service(id: $s) { providers(first: 100) { edges { node { id } } } } }", { s: serviceId },
      );
      expect(service.providers.edges.map((e) => e.node.id)).not.toContain(leaving.id);
    });
  });
});

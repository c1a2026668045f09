import { beforeAll, expect, test } from "vitest";
import type { TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { adminAccount, confirmEmail, logIn, PASSWORD, signUp, type SignedUp } from "../support/accounts.js";
import { eventually, gql, gqlOk, postJson } from "../support/federation.js";
import { assignService, BERLIN, placeOrder } from "../support/marketplace.js";
import { useFederation } from "../support/use-federation.js";

// Issue 13's whole product through the gateway, with the marketplace gated on verified e-mail (production's default):
// a provider registers with an identity number (preview shown; the full number only through the audited admin
// query), sets a service area, finds a nearby order in the feed sorted by distance and offers; the verified customer
// accepts; the job pauses and resumes; a review with a comment is reported and hidden by a moderator; a suspended
// user cannot log in.
const federation = useFederation({ verifiedEmail: true });
let url: string;
let smtp: TestSmtpServer;
beforeAll(() => {
  ({ url, smtp } = federation);
});

const login = async (email: string) => {
  const res = await postJson(url, "/auth/login", { email, password: PASSWORD });
  return res;
};
/** Staff: an ADMIN made the operator's way (CLI on the users database), and a MODERATOR the admin grants. */
async function staff(): Promise<{ admin: string; moderator: string }> {
  const admin = (await adminAccount(federation.fed, "Ada Admin")).token;
  const moderator = await signUp(url, ["CUSTOMER"], "Mo Moderator");
  await gqlOk(url, "mutation($u: ID!) { grantRole(userId: $u, role: MODERATOR) { roles } }", { u: moderator.session.user.id }, admin);
  return { admin, moderator: (await logIn(url, moderator.email)).token };
}

const POTSDAM = { lat: 52.3906, lng: 13.0645 }; // ~27 km from Berlin
const SPANDAU = { lat: 52.5351, lng: 13.1973 }; // ~14 km
const HAMBURG = { lat: 53.5511, lng: 9.9937 }; // ~255 km: outside the area

test("provider identity → area → feed by distance → offer → accept → pause/resume → review reported and hidden → suspension", async () => {
  const { admin, moderator } = await staff();

  // A provider registers with an identity number: they see a preview, another user sees nothing.
  const provider: SignedUp = await signUp(url, ["PROVIDER"], "Pia Plumber", { identityNumber: "12345678901" });
  const providerToken = await confirmEmail(url, smtp, provider);
  const { me } = await gqlOk<{ me: { identityNumberPreview: string; isProvider: boolean } }>(url, "{ me { identityNumberPreview isProvider } }", {}, providerToken);
  expect(me).toEqual({ identityNumberPreview: "•••••••8901", isProvider: true });

  const customer = await signUp(url, ["CUSTOMER"], "Carl Customer");
  const customerToken = await confirmEmail(url, smtp, customer);
  const seenByCustomer = await gqlOk<{ user: { identityNumberPreview: string | null } }>(
    url, "query($id: ID!) { user(id: $id) { identityNumberPreview } }", { id: provider.session.user.id }, customerToken,
  );
  expect(seenByCustomer.user.identityNumberPreview).toBeNull();

  // The full number only through the admin query, with a reason, and that read is in the audit log.
  const refused = await gql(url, "query($u: ID!) { providerIdentityNumber(userId: $u, reason: \"curious about it\") }", { u: provider.session.user.id }, moderator);
  expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  const full = await gqlOk<{ providerIdentityNumber: string }>(
    url, "query($u: ID!) { providerIdentityNumber(userId: $u, reason: \"Tax office request #4711\") }", { u: provider.session.user.id }, admin,
  );
  expect(full.providerIdentityNumber).toBe("12345678901");
  const { identityAccessLog } = await gqlOk<{ identityAccessLog: { edges: Array<{ node: { reason: string; user: { id: string } } }> } }>(
    url, "query($u: ID) { identityAccessLog(userId: $u) { edges { node { reason user { id } } } } }", { u: provider.session.user.id }, admin,
  );
  expect(identityAccessLog.edges.map((e) => e.node)).toEqual([{ reason: "Tax office request #4711", user: { id: provider.session.user.id } }]);

  // The provider performs leak repair in a 50 km area around Berlin.
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(url, '{ services(search: "leak repair") { id name } }');
  const serviceId = services[0]?.id as string;
  await assignService(url, serviceId, providerToken);
  await gqlOk(url, "mutation($a: [ServiceAreaInput!]!) { setServiceAreas(areas: $a) { radiusKm } }", { a: [{ center: BERLIN, radiusKm: 50 }] }, providerToken);

  // The customer posts three jobs at different distances and one far away.
  const post = (title: string, location: { lat: number; lng: number }) =>
    placeOrder(url, customerToken, serviceId, { title, description: "Water on the floor", address: "Somewhere 1", city: "Berlin", location });
  const potsdam = await post("Leak in Potsdam", POTSDAM);
  const centre = await post("Leak in Mitte", BERLIN);
  const spandau = await post("Leak in Spandau", SPANDAU);
  await post("Leak in Hamburg", HAMBURG);

  // The feed near Berlin: nearest first, with distances; Hamburg is out of reach.
  const feed = await gqlOk<{ openOrders: { edges: Array<{ distanceKm: number; node: { id: string } }> } }>(
    url, "query($n: GeoPointInput) { openOrders(near: $n, radiusKm: 60, first: 20) { edges { distanceKm node { id } } } }", { n: BERLIN }, providerToken,
  );
  expect(feed.openOrders.edges.map((e) => e.node.id)).toEqual([centre, spandau, potsdam]);
  const distances = feed.openOrders.edges.map((e) => e.distanceKm);
  expect(distances).toEqual([...distances].sort((a, b) => a - b));
  expect(distances[2]).toBeGreaterThan(20);

  // Offer → accept (verified customer) → start → pause → resume → complete.
  const { submitOffer } = await gqlOk<{ submitOffer: { id: string } }>(
    url, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", { i: { orderId: centre, price: { amount: 12000, currency: "EUR" } } }, providerToken,
  );
  await gqlOk(url, "mutation($o: ID!) { acceptOffer(offerId: $o) { status } }", { o: submitOffer.id }, customerToken);
  await gqlOk(url, "mutation($id: ID!) { startOrder(id: $id) { status } }", { id: centre }, providerToken);
  const paused = await gqlOk<{ pauseOrder: { status: string } }>(url, 'mutation($id: ID!) { pauseOrder(id: $id, reason: "Waiting for a spare part") { status } }', { id: centre }, providerToken);
  expect(paused.pauseOrder.status).toBe("PAUSED");
  const resumed = await gqlOk<{ resumeOrder: { status: string } }>(url, "mutation($id: ID!) { resumeOrder(id: $id) { status } }", { id: centre }, customerToken);
  expect(resumed.resumeOrder.status).toBe("IN_PROGRESS");
  await gqlOk(url, "mutation($id: ID!) { completeOrder(id: $id) { status } }", { id: centre }, providerToken);

  // A review with a comment; the provider reports it; a moderator hides it and resolves the report.
  const { reviewOrder } = await gqlOk<{ reviewOrder: { id: string; comment: string } }>(
    url, 'mutation($o: ID!) { reviewOrder(orderId: $o, rating: 1.5, comment: "Rude and slow, avoid") { id comment } }', { o: centre }, customerToken,
  );
  expect(reviewOrder.comment).toBe("Rude and slow, avoid");
  const { report } = await gqlOk<{ report: { id: string; status: string } }>(
    url, 'mutation($r: ID!) { report(target: { reviewId: $r }, reason: "Insulting and untrue") { id status } }', { r: reviewOrder.id }, providerToken,
  );
  const open = await gqlOk<{ reports: { edges: Array<{ node: { id: string; target: { type: string; id: string } } }> } }>(
    url, "{ reports(status: OPEN) { edges { node { id target { type id } } } } }", {}, moderator,
  );
  expect(open.reports.edges.map((e) => e.node)).toContainEqual({ id: report.id, target: { type: "REVIEW", id: reviewOrder.id } });
  await gqlOk(url, 'mutation($r: ID!) { hideReview(id: $r, reason: "Insulting") { hidden } }', { r: reviewOrder.id }, moderator);
  await gqlOk(url, 'mutation($r: ID!) { resolveReport(id: $r, resolution: RESOLVED, note: "Review hidden") { status } }', { r: report.id }, moderator);
  const reviewOf = (token: string) => gqlOk<{ order: { review: { hidden: boolean; hiddenReason: string | null } | null } }>(
    url, "query($id: ID!) { order(id: $id) { review { hidden hiddenReason } } }", { id: centre }, token,
  );
  expect((await reviewOf(customerToken)).order.review).toBeNull();
  expect((await reviewOf(admin)).order.review).toEqual({ hidden: true, hiddenReason: "Insulting" });

  // A suspended user cannot log in, and the token they hold stops working.
  await gqlOk(url, 'mutation($u: ID!) { suspendUser(id: $u, reason: "Abusive reviews") { suspended } }', { u: customer.session.user.id }, moderator);
  const refusedLogin = await login(customer.email);
  expect(refusedLogin.status).toBe(403);
  expect(refusedLogin.body).toMatchObject({ error: { code: "FORBIDDEN", reason: "ACCOUNT_SUSPENDED" } });
  expect((await gql(url, "{ me { id } }", {}, customerToken)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  // The suspended customer's other open orders leave the provider's feed.
  await untilFeedIs(providerToken, []);
}, 120_000);

/** The provider's feed near Berlin eventually equals `ids` (orders learns of the suspension through users' events). */
async function untilFeedIs(token: string, ids: string[]): Promise<void> {
  await eventually(async () => {
    const feed = await gqlOk<{ openOrders: { edges: Array<{ node: { id: string } }> } }>(
      url, "query($n: GeoPointInput) { openOrders(near: $n, radiusKm: 60) { edges { node { id } } } }", { n: BERLIN }, token,
    );
    expect(feed.openOrders.edges.map((e) => e.node.id)).toEqual(ids);
  }, 10_000);
}

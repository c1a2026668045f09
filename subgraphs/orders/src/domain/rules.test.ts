import { describe, expect, test } from "vitest";
import { canPauseOrResume, canSeeReview, canViewOrder, isAssignedProvider, offerRefusal, visibleOffers, type Actor } from "./access.js";
import { moneyProblems } from "./money.js";
import { canAccept, canResubmit, canWithdraw, effectiveStatus, OFFER_STATUSES, validUntilProblem } from "./offer-status.js";
import type { Offer, Order, Review } from "./order.js";
import type { OrderStatus } from "./order-status.js";
import { ratingProblem } from "./review.js";
import { inProvidersFeed } from "./order-rules.js";

const order = (status: OrderStatus = "OPEN"): Order => ({
  id: "o1", customerId: "cust", serviceId: "svc", title: "t", description: "d", address: "a", scheduledFor: null,
  location: null, city: null, window: null, budget: null, status, acceptedOfferId: null, pauseReason: null, createdAt: new Date(0), updatedAt: new Date(0),
});
const offer = (providerId: string): Offer => ({
  id: `of-${providerId}`, orderId: "o1", providerId, price: { amount: 100, currency: "EUR" }, message: null,
  proposedStart: null, validUntil: null, status: "PENDING", createdAt: new Date(0), updatedAt: new Date(0),
});
const customer: Actor = { userId: "cust", roles: ["CUSTOMER"] };
const provider: Actor = { userId: "prov", roles: ["PROVIDER"] };
const stranger: Actor = { userId: "x", roles: ["CUSTOMER"] };
const admin: Actor = { userId: "adm", roles: ["ADMIN"] };

describe("canViewOrder", () => {
  test.each([
    ["customer", customer, "ASSIGNED", false, false, true],
    ["admin", admin, "COMPLETED", false, false, true],
    ["provider who offered", provider, "ASSIGNED", true, false, true],
    ["provider for the service, order open", provider, "OPEN", false, true, true],
    ["provider for the service, order assigned", provider, "ASSIGNED", false, true, false],
    ["provider without the service", provider, "OPEN", false, false, false],
    ["stranger", stranger, "OPEN", false, true, false],
  ] as const)("%s", (_name, actor, status, hasOffer, providesService, expected) => {
    expect(canViewOrder(actor, order(status), { hasOffer, providesService })).toBe(expected);
  });

  // A suspended customer's order is held back from providers who have not offered; participants keep seeing it.
  test.each([
    ["provider for the service, order open", provider, false, false],
    ["provider who offered", provider, true, true],
    ["customer themself", customer, false, true],
    ["admin", admin, false, true],
  ] as const)("customer suspended: %s → %s", (_name, actor, hasOffer, expected) => {
    expect(canViewOrder(actor, order("OPEN"), { hasOffer, providesService: true, customerSuspended: true })).toBe(expected);
  });
});

test("visibleOffers: customer and admin see all, a provider only their own", () => {
  const offers = [offer("prov"), offer("other")];
  expect(visibleOffers(customer, order(), offers)).toHaveLength(2);
  expect(visibleOffers(admin, order(), offers)).toHaveLength(2);
  expect(visibleOffers(provider, order(), offers).map((o) => o.providerId)).toEqual(["prov"]);
});

test.each([
  ["not a provider", customer, true, "NOT_PROVIDER"],
  ["own order", { userId: "cust", roles: ["CUSTOMER", "PROVIDER"] } as Actor, true, "OWN_ORDER"],
  ["service not offered", provider, false, "SERVICE_NOT_OFFERED"],
  ["allowed", provider, true, null],
] as const)("offerRefusal: %s", (_n, actor, provides, expected) => {
  expect(offerRefusal(actor, order(), provides)).toBe(expected);
});

test("isAssignedProvider", () => {
  expect(isAssignedProvider(provider, offer("prov"))).toBe(true);
  expect(isAssignedProvider(provider, offer("other"))).toBe(false);
  expect(isAssignedProvider(provider, null)).toBe(false);
});

test.each(OFFER_STATUSES.map((s) => [s] as const))("offer %s: withdraw/accept only from PENDING, resubmit only WITHDRAWN", (s) => {
  expect(canWithdraw(s)).toBe(s === "PENDING");
  expect(canAccept(s)).toBe(s === "PENDING");
  expect(canResubmit(s)).toBe(s === "WITHDRAWN");
});

describe("money", () => {
  test.each([
    [{ amount: 1000, currency: "EUR" }, null],
    [{ amount: 0, currency: "EUR" }, { amount: "must be positive" }],
    [{ amount: -5, currency: "USD" }, { amount: "must be positive" }],
    [{ amount: 10.5, currency: "USD" }, { amount: "must be a whole number of minor units" }],
    [{ amount: 2_147_483_648, currency: "USD" }, { amount: "must be at most 2147483647" }],
    [{ amount: 100, currency: "eur" }, { currency: "must be an ISO 4217 currency code" }],
    [{ amount: 100, currency: "ABC" }, { currency: "must be an ISO 4217 currency code" }],
  ])("%j → %j", (money, expected) => {
    expect(moneyProblems(money)).toEqual(expected);
  });
  test("zero allowed where asked", () => expect(moneyProblems({ amount: 0, currency: "EUR" }, { allowZero: true })).toBeNull());
});

test.each([
  [0, null], [0.5, null], [3.5, null], [5, null],
  [5.5, "must be between 0 and 5"], [-0.5, "must be between 0 and 5"], [4.25, "must be in steps of 0.5"], [Number.NaN, "must be between 0 and 5"],
])("rating %d → %s", (rating, expected) => {
  expect(ratingProblem(rating)).toBe(expected);
});

describe("suspended providers' pending offers", () => {
  const offers = [offer("prov"), { ...offer("other"), status: "ACCEPTED" as const }, offer("gone")];
  const suspended = new Set(["gone", "other"]);
  test.each([
    ["customer: pending offers of suspended providers are held back, an accepted one stays", customer, ["of-prov", "of-other"]],
    ["admin sees all", admin, ["of-prov", "of-other", "of-gone"]],
    ["the provider sees their own", provider, ["of-prov"]],
  ] as const)("%s", (_name, actor, expected) => {
    expect(visibleOffers(actor, order(), offers, suspended).map((o) => o.id)).toEqual(expected);
  });
});

describe("offer expiry", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const at = (iso: string | null) => ({ ...offer("prov"), validUntil: iso ? new Date(iso) : null });
  test.each([
    ["no limit", null, "PENDING", "PENDING"],
    ["still valid", "2026-06-01T12:00:01Z", "PENDING", "PENDING"],
    ["exactly now", "2026-06-01T12:00:00Z", "PENDING", "EXPIRED"],
    ["past", "2026-05-01T00:00:00Z", "PENDING", "EXPIRED"],
    ["past but accepted", "2026-05-01T00:00:00Z", "ACCEPTED", "ACCEPTED"],
    ["past but withdrawn", "2026-05-01T00:00:00Z", "WITHDRAWN", "WITHDRAWN"],
  ] as const)("%s", (_name, validUntil, status, expected) => {
    expect(effectiveStatus({ ...at(validUntil), status }, now)).toBe(expected);
  });
  test.each([
    [null, null],
    [new Date("2026-06-01T12:00:01Z"), null],
    [now, "must be in the future"],
    [new Date("2020-01-01T00:00:00Z"), "must be in the future"],
  ])("validUntil %s → %s", (validUntil, expected) => {
    expect(validUntilProblem(validUntil, now)).toBe(expected);
  });
});

test.each([
  ["customer", customer, true],
  ["assigned provider", provider, true],
  ["another provider", { userId: "other", roles: ["PROVIDER"] } as Actor, false],
  ["admin", admin, false],
] as const)("canPauseOrResume: %s → %s", (_name, actor, expected) => {
  expect(canPauseOrResume(actor, order("IN_PROGRESS"), offer("prov"))).toBe(expected);
});

describe("hidden reviews", () => {
  const review = (hiddenAt: Date | null): Review => ({
    id: "r1", orderId: "o1", authorId: "cust", providerId: "prov", rating: 4, comment: "ok", hiddenAt, hiddenReason: hiddenAt ? "abuse" : null, createdAt: new Date(0),
  });
  const moderator: Actor = { userId: "mod", roles: ["MODERATOR"] };
  test.each([
    ["visible, anyone", null, null, true],
    ["visible, customer", customer, null, true],
    ["hidden, signed out", null, new Date(1), false],
    ["hidden, its author", customer, new Date(1), false],
    ["hidden, the provider", provider, new Date(1), false],
    ["hidden, moderator", moderator, new Date(1), true],
    ["hidden, admin", admin, new Date(1), true],
  ] as const)("%s → %s", (_name, actor, hiddenAt, expected) => {
    expect(canSeeReview(actor, review(hiddenAt))).toBe(expected);
  });
});

describe("inProvidersFeed", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const at = (iso: string) => new Date(iso);
  const base = { status: "OPEN" as OrderStatus, customerId: "c", serviceId: "s", window: null as { to: Date } | null };
  test.each<{ name: string; order: typeof base; provider: string; suspended?: string[]; feed: boolean }>([
    { name: "open, performed, someone else's, any time", order: base, provider: "p", feed: true },
    { name: "its customer is suspended", order: base, provider: "p", suspended: ["c"], feed: false },
    { name: "another customer is suspended", order: base, provider: "p", suspended: ["x"], feed: true },
    { name: "their own order", order: base, provider: "c", feed: false },
    { name: "a service they do not perform", order: { ...base, serviceId: "x" }, provider: "p", feed: false },
    { name: "no longer offerable", order: { ...base, status: "ASSIGNED" as OrderStatus }, provider: "p", feed: false },
    { name: "window still ahead", order: { ...base, window: { to: at("2026-12-01T13:00:00Z") } }, provider: "p", feed: true },
    { name: "window ended", order: { ...base, window: { to: at("2026-12-01T11:00:00Z") } }, provider: "p", feed: false },
    { name: "window ends now", order: { ...base, window: { to: now } }, provider: "p", feed: false },
  ])("$name → $feed", ({ order, provider, suspended = [], feed }) =>
    expect(inProvidersFeed(order, { providerId: provider, services: new Set(["s"]), suspendedCustomers: new Set(suspended) }, now)).toBe(feed));
});

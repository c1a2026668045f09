import { describe, expect, test } from "vitest";
import { canViewOrder, isAssignedProvider, offerRefusal, visibleOffers, type Actor } from "./access.js";
import { moneyProblems } from "./money.js";
import { canAccept, canResubmit, canWithdraw, OFFER_STATUSES } from "./offer-status.js";
import type { Offer, Order } from "./order.js";
import type { OrderStatus } from "./order-status.js";
import { ratingProblem } from "./review.js";

const order = (status: OrderStatus = "OPEN"): Order => ({
  id: "o1", customerId: "cust", serviceId: "svc", title: "t", description: "d", address: "a", scheduledFor: null,
  location: null, city: null, window: null, budget: null, status, acceptedOfferId: null, createdAt: new Date(0), updatedAt: new Date(0),
});
const offer = (providerId: string): Offer => ({
  id: `of-${providerId}`, orderId: "o1", providerId, price: { amount: 100, currency: "EUR" }, message: null,
  proposedStart: null, status: "PENDING", createdAt: new Date(0), updatedAt: new Date(0),
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

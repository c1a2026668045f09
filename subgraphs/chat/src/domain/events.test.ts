import { describe, expect, test } from "vitest";
import { participantFact } from "./events.js";

const O = "order-1";
const C = "customer-1";
const P = "provider-1";

describe("participantFact", () => {
  test.each([
    { type: "OrderCreated", payload: { orderId: O, customerId: C, serviceId: "s" }, fact: { kind: "customer", orderId: O, customerId: C } },
    {
      type: "OfferSubmitted",
      payload: { offerId: "f", orderId: O, providerId: P, customerId: C },
      fact: { kind: "provider", orderId: O, customerId: C, providerId: P },
    },
    {
      type: "OfferAccepted",
      payload: { offerId: "f", orderId: O, providerId: P, customerId: C },
      fact: { kind: "provider", orderId: O, customerId: C, providerId: P },
    },
    { type: "OrderStatusChanged", payload: { orderId: O, customerId: C, from: "OPEN", to: "CANCELLED" }, fact: null },
    { type: "OfferWithdrawn", payload: { offerId: "f", orderId: O, providerId: P }, fact: null },
    { type: "OrderCreated", payload: { orderId: O }, fact: "malformed" },
    { type: "OrderCreated", payload: { orderId: O, customerId: 42 }, fact: "malformed" },
    { type: "OfferSubmitted", payload: { orderId: O, customerId: C }, fact: "malformed" },
    { type: "OfferSubmitted", payload: { orderId: O, providerId: P, customerId: "" }, fact: "malformed" },
  ])("$type $payload → $fact", ({ type, payload, fact }) => {
    expect(participantFact(type, payload)).toEqual(fact);
  });
});

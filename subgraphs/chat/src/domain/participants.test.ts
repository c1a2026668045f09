import { describe, expect, test } from "vitest";
import { counterpartOf, isParticipant, type OrderParticipants } from "./conversation.js";
import { conversationStart } from "./participants.js";

const CUSTOMER = "customer";
const OFFERED = "offered";
const ALSO_OFFERED = "also-offered";
const STRANGER = "stranger";
const order: OrderParticipants = { orderId: "order-1", customerId: CUSTOMER, providerIds: [OFFERED, ALSO_OFFERED] };

describe("conversationStart", () => {
  test.each([
    { case: "customer names an offering provider", actor: CUSTOMER, providerId: OFFERED, provider: OFFERED },
    { case: "customer names another offering provider", actor: CUSTOMER, providerId: ALSO_OFFERED, provider: ALSO_OFFERED },
    { case: "offering provider names nobody", actor: OFFERED, providerId: null, provider: OFFERED },
    { case: "offering provider names themself", actor: OFFERED, providerId: OFFERED, provider: OFFERED },
  ])("allows: $case", ({ actor, providerId, provider }) => {
    expect(conversationStart(actor, order, providerId)).toEqual({ ok: true, customerId: CUSTOMER, providerId: provider });
  });

  test.each([
    { case: "unknown order", actor: CUSTOMER, participants: null, providerId: OFFERED, refusal: "NOT_PARTICIPANT" },
    { case: "stranger", actor: STRANGER, participants: order, providerId: null, refusal: "NOT_PARTICIPANT" },
    { case: "stranger naming a provider", actor: STRANGER, participants: order, providerId: OFFERED, refusal: "NOT_PARTICIPANT" },
    { case: "customer names nobody", actor: CUSTOMER, participants: order, providerId: null, refusal: "PROVIDER_REQUIRED" },
    { case: "customer names a non-offering user", actor: CUSTOMER, participants: order, providerId: STRANGER, refusal: "NOT_OFFERING_PROVIDER" },
    { case: "customer names themself", actor: CUSTOMER, participants: order, providerId: CUSTOMER, refusal: "NOT_OFFERING_PROVIDER" },
    { case: "provider names another provider", actor: OFFERED, participants: order, providerId: ALSO_OFFERED, refusal: "OTHER_PROVIDER" },
    { case: "provider names the customer", actor: OFFERED, participants: order, providerId: CUSTOMER, refusal: "OTHER_PROVIDER" },
  ])("refuses: $case → $refusal", ({ actor, participants, providerId, refusal }) => {
    expect(conversationStart(actor, participants, providerId)).toEqual({ ok: false, refusal });
  });
});

describe("isParticipant / counterpartOf", () => {
  const conversation = { customerId: CUSTOMER, providerId: OFFERED };
  test.each([
    { user: CUSTOMER, participant: true, counterpart: OFFERED },
    { user: OFFERED, participant: true, counterpart: CUSTOMER },
    { user: ALSO_OFFERED, participant: false, counterpart: undefined },
    { user: STRANGER, participant: false, counterpart: undefined },
  ])("$user: participant=$participant", ({ user, participant, counterpart }) => {
    expect(isParticipant(conversation, user)).toBe(participant);
    if (counterpart) expect(counterpartOf(conversation, user)).toBe(counterpart);
  });
});

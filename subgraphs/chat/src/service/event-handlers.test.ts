import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { createLogger, type IntegrationEvent } from "@fixup/platform";
import { ordersEventHandler } from "./event-handlers.js";
import { FakeChatRepository } from "../../test/fake-chat-repository.js";

const logger = createLogger("chat-test", "silent");
const event = (type: string, payload: Record<string, unknown>, id: string = randomUUID()): IntegrationEvent => ({
  id,
  type,
  source: "orders",
  occurredAt: new Date().toISOString(),
  payload,
});

describe("ordersEventHandler", () => {
  test("OrderCreated names the customer; OfferSubmitted adds a provider; a redelivery changes nothing", async () => {
    const repo = new FakeChatRepository();
    const handle = ordersEventHandler(repo, logger);
    const [orderId, customerId, providerId] = [randomUUID(), randomUUID(), randomUUID()];
    await handle(event("OrderCreated", { orderId, customerId, serviceId: randomUUID() }));
    const offer = event("OfferSubmitted", { offerId: randomUUID(), orderId, providerId, customerId });
    await handle(offer);
    await handle(offer);
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
    expect(repo.processed.size).toBe(2);
  });

  test("an offer arriving before its order still records the customer", async () => {
    const repo = new FakeChatRepository();
    const [orderId, customerId, providerId] = [randomUUID(), randomUUID(), randomUUID()];
    await ordersEventHandler(repo, logger)(event("OfferSubmitted", { offerId: randomUUID(), orderId, providerId, customerId }));
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
  });

  test.each([
    { case: "another type", e: event("OrderStatusChanged", { orderId: randomUUID(), customerId: randomUUID(), from: "OPEN", to: "CANCELLED" }) },
    { case: "a malformed payload", e: event("OrderCreated", { orderId: randomUUID() }) },
    { case: "an event id that is not a uuid", e: event("OrderCreated", { orderId: randomUUID(), customerId: randomUUID() }, "1-0") },
  ])("ignores $case without failing (no endless redelivery)", async ({ e }) => {
    const repo = new FakeChatRepository();
    await expect(ordersEventHandler(repo, logger)(e)).resolves.toBeUndefined();
    expect(repo.processed.size).toBe(0);
    expect(repo.orders.size).toBe(0);
  });
});

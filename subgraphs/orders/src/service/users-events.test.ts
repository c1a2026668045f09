import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import { USER_DELETED, USER_SUSPENDED, USER_UNSUSPENDED, type IntegrationEvent, type Logger } from "@fixup/platform";
import { actor, orderServiceHarness } from "../../test/order-service-harness.js";
import { usersEventHandler } from "./event-handlers.js";

// orders' consumer of users' stream, as app.ts wires it: suspensions feed the read model, deletions still close
// the account's orders, and other or malformed events change nothing.
const SERVICE = randomUUID();
const event = (type: string, payload: unknown): IntegrationEvent =>
  ({ id: randomUUID(), type, source: "users", occurredAt: new Date().toISOString(), payload }) as IntegrationEvent;

function setup() {
  const [customer, provider] = [actor("CUSTOMER"), actor("PROVIDER")];
  const { repo, service, createOrder } = orderServiceHarness(customer, SERVICE, { performers: { [SERVICE]: [provider] } });
  const logger = { info: vi.fn(), warn: vi.fn(), debug: vi.fn() } as unknown as Logger;
  const handle = usersEventHandler(service, logger);
  const feed = async () => (await service.openOrders(provider, {})).edges.map((e) => e.node.id);
  return { repo, service, logger, handle, customer, feed, createOrder: () => createOrder() };
}

test("UserSuspended holds the customer's open order back (twice is the same), UserUnsuspended brings it back", async () => {
  const { repo, handle, customer, feed, createOrder } = setup();
  const order = await createOrder();
  await handle(event(USER_SUSPENDED, { userId: customer.userId, until: null }));
  await handle(event(USER_SUSPENDED, { userId: customer.userId, until: "2100-01-01T00:00:00Z" }));
  expect(repo.suspended.get(customer.userId)).toEqual(new Date("2100-01-01T00:00:00Z"));
  expect(await feed()).toEqual([]);
  expect(repo.orders.get(order.id)?.status).toBe("OPEN");
  await handle(event(USER_UNSUSPENDED, { userId: customer.userId }));
  expect(await feed()).toEqual([order.id]);
});

test("UserDeleted still cancels the account's orders through the combined handler; malformed and other events are skipped", async () => {
  const { repo, handle, logger, customer, createOrder } = setup();
  const order = await createOrder();
  await handle(event(USER_SUSPENDED, { userId: "not-a-uuid", until: null }));
  await handle(event("UserRegistered", { userId: customer.userId }));
  expect(repo.suspended.size).toBe(0);
  expect(logger.warn).toHaveBeenCalledTimes(1);
  await handle(event(USER_DELETED, { userId: customer.userId }));
  expect(repo.orders.get(order.id)?.status).toBe("CANCELLED");
});

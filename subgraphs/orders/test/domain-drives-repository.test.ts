import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type * as OrderStatusModule from "../src/domain/order-status.js";
import { PrismaOrderRepository } from "../src/repository/order-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../src/repository/read-model-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// The rules live in the domain only: change one there (here: offers are also taken on ASSIGNED orders) and the
// Prisma repository's conditional updates and feed follow, with no edit to the repository.
vi.mock("../src/domain/order-status.js", async (importOriginal) => {
  const original = await importOriginal<typeof OrderStatusModule>();
  return {
    ...original,
    allowedFrom: (command: Parameters<typeof original.allowedFrom>[0]) =>
      command === "SUBMIT_OFFER" ? (["OPEN", "ASSIGNED"] as const).slice() : original.allowedFrom(command),
  };
});

const database = usePrismaDatabase("orders_rules", migrationsDir, (url) => createPrisma(url, 2));

test("a rule changed in the domain changes what the Prisma repository accepts", async () => {
  const repo = new PrismaOrderRepository(database.prisma);
  const serviceId = randomUUID();
  const order = await repo.createOrder(
    { customerId: randomUUID(), serviceId, title: "Fix", description: "Now", address: "1 Main St", scheduledFor: null, budget: null },
    () => outboxRow("OrderCreated", {}),
  );
  const submit = (providerId: string) =>
    repo.submitOffer({ orderId: order.id, providerId, price: { amount: 1, currency: "EUR" }, message: null, proposedStart: null }, () => outboxRow("OfferSubmitted", {}));
  const first = await submit(randomUUID());
  await repo.acceptOffer(first.id, () => []);
  // With the stock rules this is StaleStateError ("offers only on OPEN orders").
  const late = randomUUID();
  await expect(submit(late)).resolves.toMatchObject({ status: "PENDING" });
  await new PrismaProviderServicesReadModel(database.prisma).assign(randomUUID(), late, serviceId);
  expect((await repo.listOpenOrdersForProvider(late, { take: 10, after: null })).rows.map((o) => o.status)).toEqual(["ASSIGNED"]);
});

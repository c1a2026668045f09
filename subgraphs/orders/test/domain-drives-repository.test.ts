import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import { outboxRow } from "@fixup/platform";
import { migrationsDir } from "../src/app.js";
import type * as OrderRulesModule from "../src/domain/order-rules.js";
import type * as OrderStatusModule from "../src/domain/order-status.js";
import { PrismaFeedRepository } from "../src/repository/feed-repository.js";
import { PrismaOrderRepository } from "../src/repository/order-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../src/repository/read-model-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// The rules live in the domain only: change one there and the Prisma repositories' conditional updates and feeds
// follow, with no edit to a repository. Changed here: offers are also taken on ASSIGNED orders (the state machine),
// and suspended customers' orders stay in providers' feeds (the feed criteria).
vi.mock("../src/domain/order-status.js", async (importOriginal) => {
  const original = await importOriginal<typeof OrderStatusModule>();
  return {
    ...original,
    allowedFrom: (command: Parameters<typeof original.allowedFrom>[0]) =>
      command === "SUBMIT_OFFER" ? (["OPEN", "ASSIGNED"] as const).slice() : original.allowedFrom(command),
  };
});
vi.mock("../src/domain/order-rules.js", async (importOriginal) => {
  const original = await importOriginal<typeof OrderRulesModule>();
  return { ...original, PROVIDERS_FEED: { ...original.PROVIDERS_FEED, excludeSuspendedCustomers: false } };
});

const database = usePrismaDatabase("orders_rules", migrationsDir, (url) => createPrisma(url, 2));
const BERLIN = { lat: 52.52, lng: 13.405 };

const newOrder = (repo: PrismaOrderRepository, customerId: string, serviceId: string) =>
  repo.createOrder(
    { customerId, serviceId, title: "Fix", description: "Now", address: "1 Main St", location: BERLIN, scheduledFor: null, budget: null },
    () => outboxRow("OrderCreated", {}),
  );

test("a rule changed in the domain changes what the Prisma repository accepts", async () => {
  const repo = new PrismaOrderRepository(database.prisma);
  const serviceId = randomUUID();
  const order = await newOrder(repo, randomUUID(), serviceId);
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

test("the feed criteria changed in the domain change both Prisma feeds: a suspended customer's order stays in them", async () => {
  const repo = new PrismaOrderRepository(database.prisma);
  const feed = new PrismaFeedRepository(database.prisma);
  const [customer, provider, serviceId] = [randomUUID(), randomUUID(), randomUUID()];
  await new PrismaProviderServicesReadModel(database.prisma).assign(randomUUID(), provider, serviceId);
  const order = await newOrder(repo, customer, serviceId);
  await feed.replaceServiceAreas(provider, [{ center: BERLIN, radiusKm: 10 }]);
  // With the stock criteria all three are empty (the contract suites: "the feed skips suspended customers").
  await repo.suspendAccount(customer, null);
  expect((await repo.listOpenOrdersForProvider(provider, { take: 10, after: null })).rows.map((o) => o.id)).toEqual([order.id]);
  expect((await feed.listNearby(provider, BERLIN, 5, { take: 10, after: null })).rows.map((r) => r.order.id)).toEqual([order.id]);
  expect((await feed.listInServiceAreas(provider, { take: 10, after: null })).rows.map((o) => o.id)).toEqual([order.id]);
});

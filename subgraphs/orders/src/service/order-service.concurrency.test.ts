import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, type AppError } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import type { Actor } from "../domain/access.js";
import { PrismaOrderRepository } from "../repository/order-repository.js";
import { createPrisma, type OrdersPrisma } from "../repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../repository/read-model-repository.js";
import { OrderService } from "./order-service.js";

let db: TestDatabase;
let prisma: OrdersPrisma;
let service: OrderService;
let readModel: PrismaProviderServicesReadModel;
beforeAll(async () => {
  db = await createTestDatabase("orders_conc", migrationsDir);
  prisma = createPrisma(db.url, 10);
  service = new OrderService(new PrismaOrderRepository(prisma));
  readModel = new PrismaProviderServicesReadModel(prisma);
  await readModel.serviceCreated(randomUUID(), serviceId); // catalog announced the service
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const serviceId = randomUUID();
const customer: Actor = { userId: randomUUID(), roles: ["CUSTOMER"] };
const newProvider = async (): Promise<Actor> => {
  const provider: Actor = { userId: randomUUID(), roles: ["PROVIDER"] };
  await readModel.assign(randomUUID(), provider.userId, serviceId);
  return provider;
};
const loadersFor = (actor: Actor) => service.createLoaders(async () => actor);
const newOrder = () =>
  service.createOrder(customer, { serviceId, title: "Fix my sink", description: "It drips", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } });
const offer = (provider: Actor, orderId: string) =>
  service.submitOffer(provider, { orderId, price: { amount: 5000, currency: "EUR" } }, loadersFor(provider));
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === "rejected" ? (r.reason as AppError).code : "OK");

describe("orders under concurrency (real Postgres)", () => {
  test("20 concurrent accepts of 20 offers: one ACCEPTED, 19 REJECTED, order ASSIGNED once, one OfferAccepted", async () => {
    const order = await newOrder();
    const providers = await Promise.all(Array.from({ length: 20 }, newProvider));
    const offers = await Promise.all(providers.map((p) => offer(p, order.id)));

    const results = await Promise.allSettled(offers.map((o) => service.acceptOffer(customer, o.id, loadersFor(customer))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.map(codeOf).filter((c) => c === ErrorCode.INVALID_STATE)).toHaveLength(19);

    const rows = await prisma.offer.findMany({ where: { orderId: order.id } });
    expect(rows.filter((o) => o.status === "ACCEPTED")).toHaveLength(1);
    expect(rows.filter((o) => o.status === "REJECTED")).toHaveLength(19);
    const saved = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(saved.status).toBe("ASSIGNED");
    expect(saved.acceptedOfferId).toBe(rows.find((o) => o.status === "ACCEPTED")?.id);
    const accepted = await prisma.outboxEvent.findMany({ where: { type: "OfferAccepted" } });
    expect(accepted.filter((e) => (e.payload as { orderId: string }).orderId === order.id)).toHaveLength(1);
    const statusEvents = await prisma.outboxEvent.findMany({ where: { type: "OrderStatusChanged" } });
    expect(statusEvents.filter((e) => (e.payload as { orderId: string }).orderId === order.id)).toHaveLength(1);
  });

  test("a double submitOffer by one provider races to one offer and one CONFLICT", async () => {
    const order = await newOrder();
    const provider = await newProvider();
    const results = await Promise.allSettled([offer(provider, order.id), offer(provider, order.id)]);
    expect(results.map(codeOf).sort()).toEqual([ErrorCode.CONFLICT, "OK"].sort());
    expect(await prisma.offer.count({ where: { orderId: order.id } })).toBe(1);
    expect(await prisma.outboxEvent.count({ where: { type: "OfferSubmitted", payload: { path: ["orderId"], equals: order.id } } })).toBe(1);
  });

  test("an offer racing an accept either lands before it (then REJECTED) or gets INVALID_STATE", async () => {
    const order = await newOrder();
    const first = await newProvider();
    const late = await newProvider();
    const firstOffer = await offer(first, order.id);
    const [acceptResult, lateResult] = await Promise.allSettled([
      service.acceptOffer(customer, firstOffer.id, loadersFor(customer)),
      offer(late, order.id),
    ]);
    expect(acceptResult.status).toBe("fulfilled");
    const lateOffer = await prisma.offer.findFirst({ where: { orderId: order.id, providerId: late.userId } });
    if (lateResult.status === "fulfilled") expect(lateOffer?.status).toBe("REJECTED");
    else expect(codeOf(lateResult)).toBe(ErrorCode.INVALID_STATE);
  });

  test("a withdrawn offer can be submitted again as the same row", async () => {
    const order = await newOrder();
    const provider = await newProvider();
    const first = await offer(provider, order.id);
    await service.withdrawOffer(provider, first.id, loadersFor(provider));
    const again = await offer(provider, order.id);
    expect(again.id).toBe(first.id);
    expect(again.status).toBe("PENDING");
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { PrismaChatRepository } from "./chat-repository.js";
import { createPrisma, type ChatPrisma } from "./prisma.js";
import { PrismaOrderParticipantsReadModel } from "./read-model-repository.js";

let db: TestDatabase;
let prisma: ChatPrisma;
let readModel: PrismaOrderParticipantsReadModel;
let repo: PrismaChatRepository;
beforeAll(async () => {
  db = await createTestDatabase("chat_readmodel", migrationsDir);
  prisma = createPrisma(db.url, 6);
  readModel = new PrismaOrderParticipantsReadModel(prisma);
  repo = new PrismaChatRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const processed = (eventId: string) => prisma.processedEvent.count({ where: { eventId } });
const ids = () => ({ orderId: randomUUID(), customerId: randomUUID(), providerId: randomUUID() });

describe("PrismaOrderParticipantsReadModel (real Postgres)", () => {
  test("the same event twice applies once: the second returns false and changes nothing", async () => {
    const { orderId, customerId, providerId } = ids();
    const created = randomUUID();
    const offered = randomUUID();
    expect(await readModel.apply(created, { kind: "customer", orderId, customerId })).toBe(true);
    expect(await readModel.apply(offered, { kind: "provider", orderId, customerId, providerId })).toBe(true);
    expect(await readModel.apply(created, { kind: "customer", orderId, customerId })).toBe(false);
    expect(await readModel.apply(offered, { kind: "provider", orderId, customerId, providerId })).toBe(false);
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
    expect(await processed(created)).toBe(1);
    expect(await prisma.orderProvider.count({ where: { orderId } })).toBe(1);
  });

  test("an event id is consumed whatever it says: a different fact under a used id is a duplicate", async () => {
    const { orderId, customerId, providerId } = ids();
    const eventId = randomUUID();
    await readModel.apply(eventId, { kind: "customer", orderId, customerId });
    expect(await readModel.apply(eventId, { kind: "provider", orderId, customerId, providerId })).toBe(false);
    expect((await repo.findOrderParticipants(orderId))?.providerIds).toEqual([]);
  });

  test("an offer before its order (reordered delivery) records the customer; the later OrderCreated is harmless", async () => {
    const { orderId, customerId, providerId } = ids();
    expect(await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId })).toBe(true);
    expect(await readModel.apply(randomUUID(), { kind: "customer", orderId, customerId })).toBe(true);
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
  });

  test("two events for one order (a new offer and an accept of it) are both applied, without a duplicate row", async () => {
    const { orderId, customerId, providerId } = ids();
    await readModel.apply(randomUUID(), { kind: "customer", orderId, customerId });
    const results = await Promise.all([
      readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId }),
      readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId }),
    ]);
    expect(results).toEqual([true, true]);
    expect((await repo.findOrderParticipants(orderId))?.providerIds).toEqual([providerId]);
  });

  test("different events racing on a new order all apply (no unique violation mistaken for a duplicate)", async () => {
    const { orderId, customerId } = ids();
    const providers = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const results = await Promise.all([
      readModel.apply(randomUUID(), { kind: "customer", orderId, customerId }),
      ...providers.map((providerId) => readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId })),
    ]);
    expect(results.every(Boolean)).toBe(true);
    expect([...((await repo.findOrderParticipants(orderId))?.providerIds ?? [])].sort()).toEqual([...providers].sort());
  });

  test("the same event delivered concurrently (two consumers) is applied exactly once", async () => {
    const { orderId, customerId, providerId } = ids();
    const eventId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => readModel.apply(eventId, { kind: "provider", orderId, customerId, providerId })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await processed(eventId)).toBe(1);
    expect((await repo.findOrderParticipants(orderId))?.providerIds).toEqual([providerId]);
  });

  test("an effect that fails rolls back the processed-event record, so a redelivery can apply it", async () => {
    const eventId = randomUUID();
    // customer_id is a uuid column: the effect fails after the processed_events insert in the same transaction.
    await expect(readModel.apply(eventId, { kind: "customer", orderId: randomUUID(), customerId: "not-a-uuid" })).rejects.toThrow();
    expect(await processed(eventId)).toBe(0);
    const { orderId, customerId } = ids();
    expect(await readModel.apply(eventId, { kind: "customer", orderId, customerId })).toBe(true);
  });
});

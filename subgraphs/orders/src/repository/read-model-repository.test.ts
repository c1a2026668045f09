import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { createPrisma, type OrdersPrisma } from "./prisma.js";
import { PrismaProviderServicesReadModel } from "./read-model-repository.js";

let db: TestDatabase;
let prisma: OrdersPrisma;
let readModel: PrismaProviderServicesReadModel;
beforeAll(async () => {
  db = await createTestDatabase("orders_readmodel", migrationsDir);
  prisma = createPrisma(db.url, 6);
  readModel = new PrismaProviderServicesReadModel(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const servicesOf = async (providerId: string) =>
  (await prisma.providerService.findMany({ where: { providerId }, select: { serviceId: true } })).map((r) => r.serviceId).sort();
const processed = (eventId: string) => prisma.processedEvent.count({ where: { eventId } });

describe("PrismaProviderServicesReadModel (real Postgres)", () => {
  test("assign applies once per event id: the same event again returns false and changes nothing", async () => {
    const [providerId, serviceId, eventId] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await readModel.assign(eventId, providerId, serviceId)).toBe(true);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
    expect(await processed(eventId)).toBe(1);

    expect(await readModel.assign(eventId, providerId, serviceId)).toBe(false);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
    expect(await processed(eventId)).toBe(1);
  });

  test("assign then unassign removes the service; replaying either event changes nothing", async () => {
    const [providerId, s1, s2] = [randomUUID(), randomUUID(), randomUUID()];
    const [a1, a2, u1] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await readModel.assign(a1, providerId, s1)).toBe(true);
    expect(await readModel.assign(a2, providerId, s2)).toBe(true);
    expect(await readModel.unassign(u1, providerId, s1)).toBe(true);
    expect(await servicesOf(providerId)).toEqual([s2]);

    // A redelivered assign must not resurrect the unassigned service.
    expect(await readModel.assign(a1, providerId, s1)).toBe(false);
    expect(await readModel.unassign(u1, providerId, s1)).toBe(false);
    expect(await servicesOf(providerId)).toEqual([s2]);
  });

  test("an event id is consumed whatever the effect: an unassign reusing an assign's id is a duplicate", async () => {
    const [providerId, serviceId, eventId] = [randomUUID(), randomUUID(), randomUUID()];
    await readModel.assign(eventId, providerId, serviceId);
    expect(await readModel.unassign(eventId, providerId, serviceId)).toBe(false);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
  });

  test("a new assign of an already assigned pair is applied without a duplicate row; re-assign after unassign works", async () => {
    const [providerId, serviceId] = [randomUUID(), randomUUID()];
    expect(await readModel.assign(randomUUID(), providerId, serviceId)).toBe(true);
    expect(await readModel.assign(randomUUID(), providerId, serviceId)).toBe(true);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
    expect(await readModel.unassign(randomUUID(), providerId, serviceId)).toBe(true);
    expect(await readModel.assign(randomUUID(), providerId, serviceId)).toBe(true);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
  });

  test("unassigning a pair that was never assigned is recorded and harmless", async () => {
    const [providerId, eventId] = [randomUUID(), randomUUID()];
    expect(await readModel.unassign(eventId, providerId, randomUUID())).toBe(true);
    expect(await processed(eventId)).toBe(1);
    expect(await servicesOf(providerId)).toEqual([]);
  });

  test("the same event delivered concurrently (two consumers) is applied exactly once", async () => {
    const [providerId, serviceId, eventId] = [randomUUID(), randomUUID(), randomUUID()];
    const results = await Promise.all(Array.from({ length: 5 }, () => readModel.assign(eventId, providerId, serviceId)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
    expect(await processed(eventId)).toBe(1);
  });

  test("distinct events assigning the same pair concurrently never fail and leave one row", async () => {
    const [providerId, serviceId] = [randomUUID(), randomUUID()];
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => readModel.assign(randomUUID(), providerId, serviceId)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    // Reported: the upsert is SELECT-then-INSERT, so losers hit the provider_services key and `once` reports them as
    // duplicate events (false) although their ids were new. The state is right either way.
    expect(results.some((r) => r.status === "fulfilled" && r.value)).toBe(true);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
  });

  test("an effect that fails rolls back the processed-event record, so a redelivery can apply it", async () => {
    const eventId = randomUUID();
    // provider_id is a uuid column: the effect fails after the processed_events insert in the same transaction.
    await expect(readModel.assign(eventId, "not-a-uuid", randomUUID())).rejects.toThrow();
    expect(await processed(eventId)).toBe(0);
    const providerId = randomUUID();
    expect(await readModel.assign(eventId, providerId, randomUUID())).toBe(true);
    expect(await servicesOf(providerId)).toHaveLength(1);
  });
});

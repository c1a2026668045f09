import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { IntegrationEvent, Logger } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { createPrisma, type OrdersPrisma } from "../repository/prisma.js";
import { PrismaProviderServicesReadModel } from "../repository/read-model-repository.js";
import { catalogEventHandler } from "./event-handlers.js";

let db: TestDatabase;
let prisma: OrdersPrisma;
let readModel: PrismaProviderServicesReadModel;
beforeAll(async () => {
  db = await createTestDatabase("orders_events", migrationsDir);
  prisma = createPrisma(db.url, 4);
  readModel = new PrismaProviderServicesReadModel(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

function setup() {
  const warn = vi.fn();
  const debug = vi.fn();
  const handle = catalogEventHandler(readModel, { warn, debug } as unknown as Logger);
  return { handle, warn, debug };
}

const event = (type: string, payload: unknown, id = randomUUID()): IntegrationEvent =>
  ({ id, type, source: "catalog", occurredAt: new Date().toISOString(), payload }) as IntegrationEvent;

const servicesOf = async (providerId: string) =>
  (await prisma.providerService.findMany({ where: { providerId }, select: { serviceId: true } })).map((r) => r.serviceId);
const processed = (eventId: string) => prisma.processedEvent.count({ where: { eventId } });

describe("catalogEventHandler (real read model on Postgres)", () => {
  test("ProviderServiceAssigned adds the service; ProviderServiceUnassigned removes it", async () => {
    const { handle, warn, debug } = setup();
    const [providerId, serviceId] = [randomUUID(), randomUUID()];
    const assigned = event("ProviderServiceAssigned", { providerId, serviceId, name: "Plumbing" });
    await handle(assigned);
    expect(await servicesOf(providerId)).toEqual([serviceId]);
    expect(await processed(assigned.id)).toBe(1);
    await handle(event("ProviderServiceUnassigned", { providerId, serviceId }));
    expect(await servicesOf(providerId)).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(debug).not.toHaveBeenCalled();
  });

  test("ServiceCreated makes the service known, once per event; an assignment implies it too", async () => {
    const { handle, warn } = setup();
    const known = (serviceId: string) => prisma.knownService.count({ where: { serviceId } });
    const serviceId = randomUUID();
    const created = event("ServiceCreated", { serviceId });
    await handle(created);
    await handle(created);
    expect(await known(serviceId)).toBe(1);
    expect(await processed(created.id)).toBe(1);
    const assignedOnly = randomUUID();
    await handle(event("ProviderServiceAssigned", { providerId: randomUUID(), serviceId: assignedOnly }));
    expect(await known(assignedOnly)).toBe(1);
    await handle(event("ServiceCreated", { serviceId: "not-a-uuid" }));
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test("a redelivered event is a no-op and is logged as a duplicate", async () => {
    const { handle, debug } = setup();
    const [providerId, serviceId] = [randomUUID(), randomUUID()];
    const assigned = event("ProviderServiceAssigned", { providerId, serviceId });
    await handle(assigned);
    await handle(event("ProviderServiceUnassigned", { providerId, serviceId }));
    await handle(assigned); // at-least-once delivery: the old assign arrives again
    expect(await servicesOf(providerId)).toEqual([]);
    expect(debug).toHaveBeenCalledTimes(1);
    expect(debug).toHaveBeenCalledWith({ eventId: assigned.id }, expect.any(String));
  });

  test.each(["ServiceUpdated", "OrderCreated", "providerserviceassigned", ""])(
    "unknown type %j is ignored: nothing recorded, nothing logged",
    async (type) => {
      const { handle, warn, debug } = setup();
      const providerId = randomUUID();
      const e = event(type, { providerId, serviceId: randomUUID() });
      await handle(e);
      expect(await servicesOf(providerId)).toEqual([]);
      expect(await processed(e.id)).toBe(0);
      expect(warn).not.toHaveBeenCalled();
      expect(debug).not.toHaveBeenCalled();
    },
  );

  const providerId = randomUUID();
  const serviceId = randomUUID();
  test.each<[string, string, Record<string, unknown>]>([
    ["empty payload", "ProviderServiceAssigned", {}],
    ["missing serviceId", "ProviderServiceAssigned", { providerId }],
    ["missing providerId", "ProviderServiceUnassigned", { serviceId }],
    ["numeric providerId", "ProviderServiceAssigned", { providerId: 42, serviceId }],
    ["null serviceId", "ProviderServiceUnassigned", { providerId, serviceId: null }],
    ["nested ids", "ProviderServiceAssigned", { provider: { id: providerId }, service: { id: serviceId } }],
  ])("malformed payload (%s) is ignored with a warning", async (_case, type, payload) => {
    const { handle, warn } = setup();
    const e = event(type, payload);
    await expect(handle(e)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith({ eventId: e.id, type }, expect.any(String));
    expect(await processed(e.id)).toBe(0);
    expect(await servicesOf(providerId)).toEqual([]);
  });

  // Poison messages: throwing would leave them unacknowledged and block every later catalog event.
  test.each([
    ["null", null],
    ["missing", undefined],
  ])("a %s payload is logged and skipped, not thrown", async (_case, payload) => {
    const { handle, warn } = setup();
    await expect(handle(event("ProviderServiceAssigned", payload))).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalled();
  });

  test("ids that are not UUIDs are logged and skipped before they reach Postgres", async () => {
    const { handle, warn } = setup();
    const e = event("ProviderServiceAssigned", { providerId: "prov-1", serviceId: "svc-1" });
    await expect(handle(e)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalled();
    expect(await processed(e.id)).toBe(0);
  });
});

import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { migrationsDir } from "../src/app.js";
import { PrismaChatRepository, type ChatRepository } from "../src/repository/chat-repository.js";
import { createPrisma } from "../src/repository/prisma.js";
import { PrismaOrderParticipantsReadModel, type OrderParticipantsReadModel } from "../src/repository/read-model-repository.js";
import { FakeChatRepository } from "./fake-chat-repository.js";
import { usePrismaDatabase } from "../../../test/support/database.js";

// One contract, two implementations (see orders' order-repository.contract.test.ts): FakeChatRepository's `apply`
// stands for the participants read model; what it recorded is read back through ChatRepository.findOrderParticipants.
interface Subject {
  readModel: OrderParticipantsReadModel;
  repo: ChatRepository;
}

const database = usePrismaDatabase("chat_read_model_contract", migrationsDir, (url) => createPrisma(url, 8));

const implementations: Array<{ name: string; create: () => Subject }> = [
  {
    name: "PrismaOrderParticipantsReadModel (real Postgres)",
    create: () => ({ readModel: new PrismaOrderParticipantsReadModel(database.prisma), repo: new PrismaChatRepository(database.prisma) }),
  },
  {
    name: "FakeChatRepository",
    create: () => {
      const fake = new FakeChatRepository();
      return { readModel: fake, repo: fake };
    },
  },
];

const ids = () => ({ orderId: randomUUID(), customerId: randomUUID(), providerId: randomUUID() });
/** Providers in any order: the read model keeps arrival order only to the millisecond. */
const participants = async (repo: ChatRepository, orderId: string) => {
  const found = await repo.findOrderParticipants(orderId);
  return found && { ...found, providerIds: [...found.providerIds].sort() };
};

describe.each(implementations)("OrderParticipantsReadModel contract: $name", ({ create }) => {
  test("an event applies once: the same id again returns false and changes nothing, whatever it says", async () => {
    const { readModel, repo } = create();
    const { orderId, customerId, providerId } = ids();
    const created = randomUUID();
    expect(await readModel.apply(created, { kind: "customer", orderId, customerId })).toBe(true);
    expect(await readModel.apply(created, { kind: "customer", orderId, customerId })).toBe(false);
    expect(await readModel.apply(created, { kind: "provider", orderId, customerId, providerId })).toBe(false);
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [] });
  });

  test("who takes part, whichever event arrives first; a provider is listed once however often they offer", async () => {
    const { readModel, repo } = create();
    const { orderId, customerId, providerId } = ids();
    const other = randomUUID();
    expect(await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId })).toBe(true);
    expect(await repo.findOrderParticipants(orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
    expect(await readModel.apply(randomUUID(), { kind: "customer", orderId, customerId })).toBe(true);
    expect(await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId })).toBe(true);
    expect(await readModel.apply(randomUUID(), { kind: "provider", orderId, customerId, providerId: other })).toBe(true);
    expect(await participants(repo, orderId)).toEqual({ orderId, customerId, providerIds: [providerId, other].sort() });
  });

  test("concurrent deliveries: one event many times applies once; different events on a new order all apply", async () => {
    const { readModel, repo } = create();
    const { orderId, customerId, providerId } = ids();
    const eventId = randomUUID();
    const same = await Promise.all(Array.from({ length: 4 }, () => readModel.apply(eventId, { kind: "provider", orderId, customerId, providerId })));
    expect(same.filter(Boolean)).toHaveLength(1);

    const fresh = ids();
    const providers = [randomUUID(), randomUUID(), randomUUID()];
    const different = await Promise.all([
      readModel.apply(randomUUID(), { kind: "customer", orderId: fresh.orderId, customerId: fresh.customerId }),
      ...providers.map((p) => readModel.apply(randomUUID(), { kind: "provider", orderId: fresh.orderId, customerId: fresh.customerId, providerId: p })),
    ]);
    expect(different.every(Boolean)).toBe(true);
    expect(await participants(repo, fresh.orderId)).toEqual({ orderId: fresh.orderId, customerId: fresh.customerId, providerIds: providers.sort() });
    expect(await participants(repo, orderId)).toEqual({ orderId, customerId, providerIds: [providerId] });
  });

  test("an order chat has not heard of, or a malformed id, has no participants", async () => {
    const { repo } = create();
    expect(await repo.findOrderParticipants(randomUUID())).toBeNull();
    expect(await repo.findOrderParticipants("not-a-uuid")).toBeNull();
  });
});

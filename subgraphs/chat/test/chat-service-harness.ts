import { randomUUID } from "node:crypto";
import type { Role } from "@fixup/platform";
import type { Message } from "../src/domain/conversation.js";
import { ChatService, type Actor } from "../src/service/chat-service.js";
import { FakeChatRepository } from "./fake-chat-repository.js";

export const actor = (...roles: Role[]): Actor => ({ userId: randomUUID(), roles });

/**
 * A ChatService over a FakeChatRepository, with live messages recorded in `published`, and one order whose customer
 * and offering providers orders' events have already named; `start` and `send` as one call each, with fresh loaders
 * per call, like one GraphQL request per call.
 */
export async function chatServiceHarness(customer: Actor, providers: readonly Actor[]) {
  const repo = new FakeChatRepository();
  const published: Message[] = [];
  const service = new ChatService(repo, { messageAdded: (m) => void published.push(m) });
  const loaders = (a: Actor) => service.createLoaders(async () => a);
  const orderId = randomUUID();
  await repo.apply(randomUUID(), { kind: "customer", orderId, customerId: customer.userId });
  for (const p of providers) {
    await repo.apply(randomUUID(), { kind: "provider", orderId, customerId: customer.userId, providerId: p.userId });
  }
  const start = (by: Actor, providerId?: string | null, order = orderId) => service.startConversation(by, { orderId: order, providerId });
  const send = (by: Actor, conversationId: string, body = "hello") => service.sendMessage(by, { conversationId, body }, loaders(by));
  return { repo, published, service, loaders, orderId, start, send };
}

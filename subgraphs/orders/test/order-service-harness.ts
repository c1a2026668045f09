import { randomUUID } from "node:crypto";
import type { Actor } from "../src/domain/access.js";
import type { Role } from "../src/domain/generated/roles.js";
import type { LiveEvents } from "../src/service/live-events.js";
import { OrderService } from "../src/service/order-service.js";
import { FakeOrderRepository } from "./fake-order-repository.js";

export const actor = (...roles: Role[]): Actor => ({ userId: randomUUID(), roles });
export const EUR = (amount: number) => ({ amount, currency: "EUR" });

export const orderInput = (serviceId: string, overrides: Record<string, unknown> = {}) => ({
  serviceId,
  title: "Fix my sink",
  description: "It drips all night",
  address: "1 Main St",
  location: { lat: 52.52, lng: 13.405 },
  ...overrides,
});

export interface HarnessOptions {
  /** Who performs what: service id → its providers (orders' read model of catalog's assignments). */
  performers?: Record<string, readonly Actor[]>;
  /** The repository's clock for timestamps (default: the fake's, a millisecond further each call). */
  repoClock?: () => Date;
  /** The service's "now" for offers' validUntil (default: the real clock). */
  now?: () => Date;
}

/**
 * An OrderService over a FakeOrderRepository, with live notifications recorded in `published` ("offerSubmitted
 * <offerId>" / "orderUpdated <orderId> <status>") and the use cases as one call each: as `by` (by default the order's
 * customer or the provider doing the job), with fresh loaders per call, like one GraphQL request per call.
 */
export function orderServiceHarness(customer: Actor, serviceId: string, { performers = {}, repoClock, now }: HarnessOptions = {}) {
  const repo = new FakeOrderRepository(repoClock);
  for (const [service, providers] of Object.entries(performers)) for (const p of providers) repo.assignService(p.userId, service);
  const published: string[] = [];
  const live: LiveEvents = {
    offerSubmitted: (o) => void published.push(`offerSubmitted ${o.id}`),
    orderUpdated: (o) => void published.push(`orderUpdated ${o.id} ${o.status}`),
  };
  const service = new OrderService(repo, live, undefined, undefined, now);
  const loaders = (a: Actor) => service.createLoaders(async () => a);
  const provider = (performers[serviceId] ?? [])[0];
  const doer = (by: Actor | undefined) => {
    if (!by) throw new Error("no provider performs the service: pass `by`");
    return by;
  };

  const createOrder = (by: Actor = customer, overrides: Record<string, unknown> = {}) => service.createOrder(by, orderInput(serviceId, overrides));
  const offer = (by: Actor, orderId: string, fields: Record<string, unknown> = {}) =>
    service.submitOffer(by, { orderId, price: EUR(5000), ...fields }, loaders(by));
  const accept = (offerId: string, by: Actor = customer) => service.acceptOffer(by, offerId, loaders(by));
  const start = (orderId: string, by = provider) => service.startOrder(doer(by), orderId, loaders(doer(by)));
  const complete = (orderId: string, by = provider) => service.completeOrder(doer(by), orderId, loaders(doer(by)));
  const pause = (orderId: string, by = provider, reason: unknown = "Waiting for parts") => service.pauseOrder(doer(by), orderId, reason, loaders(doer(by)));
  const resume = (orderId: string, by = provider) => service.resumeOrder(doer(by), orderId, loaders(doer(by)));
  const cancel = (orderId: string, by: Actor = customer) => service.cancelOrder(by, orderId, loaders(by));
  const review = (orderId: string, rating: number, by: Actor = customer, comment?: string) =>
    service.reviewOrder(by, { orderId, rating, comment }, loaders(by));
  const get = (id: string, by: Actor) => service.getOrder(by, id, loaders(by));

  return { repo, published, service, loaders, createOrder, offer, accept, start, complete, pause, resume, cancel, review, get };
}

import type { Offer, Order, Review } from "./order.js";
import { OFFERABLE_STATUSES } from "./order-rules.js";

import { hasStaffRole, type Role } from "./generated/roles.js";

export interface Actor {
  userId: string;
  roles: readonly Role[];
  /** Whether the actor's token says their e-mail address is confirmed (the marketplace gate, when on). */
  emailVerified?: boolean;
}

/** What the orders service knows about an actor's relation to one order. */
export interface OrderRelation {
  /** The actor has an offer (any status) on the order. */
  hasOffer: boolean;
  /** The actor is a provider who performs the order's service (read model). */
  providesService: boolean;
  /** The order's customer is suspended (users' UserSuspended): their open orders are not offered to anyone new. */
  customerSuspended?: boolean;
}

/** Staff (moderators and admins) see and follow every order, and see what moderation hid. */
export const isStaff = (actor: Actor): boolean => hasStaffRole(actor.roles);
export const isProvider = (actor: Actor): boolean => actor.roles.includes("PROVIDER");
export const isCustomer = (actor: Actor): boolean => actor.roles.includes("CUSTOMER");
const isAdmin = isStaff;

/** An offer is visible to its provider, the order's customer and staff. */
export const canViewOffer = (actor: Actor, offer: Offer, order: Order): boolean =>
  offer.providerId === actor.userId || order.customerId === actor.userId || isStaff(actor);

/** offerSubmitted is for the order's customer and staff. */
export const canFollowOffers = (actor: Actor, order: Order): boolean => order.customerId === actor.userId || isStaff(actor);

/** orderUpdated is for the customer, staff and providers who offered (not merely could offer). */
export const canFollowOrder = (actor: Actor, order: Order, offers: readonly Offer[]): boolean =>
  canFollowOffers(actor, order) || offers.some((o) => o.providerId === actor.userId);

/** A user's order list is theirs and staff's. */
export const canListOrdersOf = (actor: Actor, userId: string): boolean => actor.userId === userId || isStaff(actor);

/**
 * Customer, admins, providers who offered, and providers who could offer on an OPEN order for their service.
 * Everyone else must not learn the order exists (NOT_FOUND, never FORBIDDEN).
 */
export function canViewOrder(actor: Actor, order: Order, relation: OrderRelation): boolean {
  if (order.customerId === actor.userId || isAdmin(actor) || relation.hasOffer) return true;
  if (relation.customerSuspended) return false;
  return OFFERABLE_STATUSES.includes(order.status) && isProvider(actor) && relation.providesService;
}

/**
 * Admins see every offer; the customer every offer except the PENDING ones of suspended providers (back once the
 * suspension ends); a provider only their own.
 */
export function visibleOffers(actor: Actor, order: Order, offers: Offer[], suspendedProviders: ReadonlySet<string> = new Set()): Offer[] {
  if (isAdmin(actor)) return offers;
  if (order.customerId === actor.userId) return offers.filter((o) => !(o.status === "PENDING" && suspendedProviders.has(o.providerId)));
  return offers.filter((o) => o.providerId === actor.userId);
}

/** A job is paused and resumed by the people doing it: its customer and the assigned provider. */
export const canPauseOrResume = (actor: Actor, order: Order, acceptedOffer: Offer | null): boolean =>
  order.customerId === actor.userId || isAssignedProvider(actor, acceptedOffer);

/** A review hidden by moderation is seen by staff only. */
export const canSeeReview = (actor: Actor | null, review: Review): boolean => review.hiddenAt === null || (!!actor && isStaff(actor));

/** Moderators and admins hide reviews. */
export const canModerate = isStaff;

export type OfferRefusal = "NOT_PROVIDER" | "OWN_ORDER" | "SERVICE_NOT_OFFERED";

/** Why an actor may not offer on an order, or null. Order status is checked by the state machine. */
export function offerRefusal(actor: Actor, order: Order, providesService: boolean): OfferRefusal | null {
  if (!isProvider(actor)) return "NOT_PROVIDER";
  if (order.customerId === actor.userId) return "OWN_ORDER";
  if (!providesService) return "SERVICE_NOT_OFFERED";
  return null;
}

/** The provider whose offer was accepted: the only one who may start and complete the work. */
export const isAssignedProvider = (actor: Actor, acceptedOffer: Offer | null): boolean =>
  !!acceptedOffer && acceptedOffer.providerId === actor.userId;

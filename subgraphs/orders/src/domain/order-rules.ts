import { OFFER_STATUSES, canAccept, canResubmit, canWithdraw, type OfferStatus } from "./offer-status.js";
import { allowedFrom, transition, type OrderCommand, type OrderStatus } from "./order-status.js";

/**
 * The order rules the repositories carry out, derived from the state machine and the offer rules — so a rule changed
 * there changes what a conditional UPDATE accepts, in the Prisma repository and in its fake alike. Nothing here is
 * written twice.
 */

/** Where a command's conditional update starts from, and the status it leaves the order in. */
export interface Move {
  from: OrderStatus[];
  to: OrderStatus;
}

export function moveOf(command: OrderCommand): Move {
  const from = allowedFrom(command);
  const targets = new Set(from.map((status) => {
    const result = transition(status, command);
    if (!result.ok) throw new Error(`unreachable: ${command} from ${status}`);
    return result.next;
  }));
  const [to] = targets;
  // One target per command keeps a conditional UPDATE one statement; the state machine guarantees it.
  if (targets.size !== 1 || !to) throw new Error(`${command} must lead to exactly one status`);
  return { from, to };
}

/** A new order's status. */
export const NEW_ORDER_STATUS: OrderStatus = "OPEN";
/** Orders that take offers, and so appear in providers' feeds. */
export const OFFERABLE_STATUSES: readonly OrderStatus[] = allowedFrom("SUBMIT_OFFER");
/** The status of a freshly submitted (or revived) offer. */
export const NEW_OFFER_STATUS: OfferStatus = "PENDING";
/** Offers that are still open: they can be withdrawn, accepted, or rejected when another wins or the order is cancelled. */
export const LIVE_OFFER_STATUSES: readonly OfferStatus[] = OFFER_STATUSES.filter(canWithdraw);
export const ACCEPTABLE_OFFER_STATUSES: readonly OfferStatus[] = OFFER_STATUSES.filter(canAccept);
export const RESUBMITTABLE_OFFER_STATUSES: readonly OfferStatus[] = OFFER_STATUSES.filter(canResubmit);

/** A withdrawn offer's status. */
export const WITHDRAWN_OFFER_STATUS: OfferStatus = "WITHDRAWN";
/** What happens to the order's other live offers when one is accepted, and to all of them when the order moves. */
export const OFFER_ON_ACCEPT = { accepted: "ACCEPTED", others: "REJECTED" } as const satisfies Record<string, OfferStatus>;
const OFFER_EFFECTS: Partial<Record<OrderStatus, OfferStatus>> = { CANCELLED: "REJECTED" };

/** An order moving to `to` turns its live offers into this status (null: they stay as they are). */
export const liveOffersBecome = (to: OrderStatus): OfferStatus | null => OFFER_EFFECTS[to] ?? null;

/**
 * The provider feed, as criteria the repositories translate into their queries and `inProvidersFeed` applies to one
 * order: an order in an offerable status, for a service the provider performs, never their own, not of a customer who
 * is suspended now (held back until the suspension ends), and not one whose time window has already ended (nobody can
 * do the job any more).
 */
export interface FeedCriteria {
  statuses: readonly OrderStatus[];
  excludeOwnOrders: boolean;
  excludeSuspendedCustomers: boolean;
  /** Only orders without a window or whose window ends after now. */
  excludeEndedWindows: boolean;
}

export const PROVIDERS_FEED: FeedCriteria = {
  statuses: OFFERABLE_STATUSES,
  excludeOwnOrders: true,
  excludeSuspendedCustomers: true,
  excludeEndedWindows: true,
};

/** Whose feed it is: the provider, the services they perform and the customers suspended now. */
export interface FeedViewer {
  providerId: string;
  services: ReadonlySet<string>;
  suspendedCustomers: ReadonlySet<string>;
}

export const inProvidersFeed = (
  order: { status: OrderStatus; customerId: string; serviceId: string; window: { to: Date } | null },
  viewer: FeedViewer,
  now: Date,
) =>
  PROVIDERS_FEED.statuses.includes(order.status) &&
  viewer.services.has(order.serviceId) &&
  !(PROVIDERS_FEED.excludeOwnOrders && order.customerId === viewer.providerId) &&
  !(PROVIDERS_FEED.excludeSuspendedCustomers && viewer.suspendedCustomers.has(order.customerId)) &&
  !(PROVIDERS_FEED.excludeEndedWindows && order.window !== null && order.window.to <= now);

import { randomUUID } from "node:crypto";
import type { Cursor, OutboxRow, PageRequest } from "@fixup/platform";
import type { OfferStatus } from "../src/domain/offer-status.js";
import type { Offer, Order, Review } from "../src/domain/order.js";
import type { OrderStatus } from "../src/domain/order-status.js";
import type { ProviderRating } from "../src/domain/review.js";
import {
  ACCEPTABLE_OFFER_STATUSES,
  inProvidersFeed,
  LIVE_OFFER_STATUSES,
  liveOffersBecome,
  moveOf,
  NEW_OFFER_STATUS,
  NEW_ORDER_STATUS,
  OFFER_ON_ACCEPT,
  OFFERABLE_STATUSES,
  RESUBMITTABLE_OFFER_STATUSES,
  WITHDRAWN_OFFER_STATUS,
} from "../src/domain/order-rules.js";
import {
  ConflictError,
  HIDE_REVIEW,
  StaleStateError,
  type ModerationAction,
  type ModerationNote,
  type NewOffer,
  type OfferExpiry,
  type StatusChangeNote,
  type NewOrder,
  type NewReview,
  type OrderRepository,
  type Page,
} from "../src/repository/order-repository.js";

/** A clock that moves 1 ms per reading unless told otherwise, so rows get distinct, ordered timestamps. */
export class FakeClock {
  private ms = Date.parse("2026-01-01T00:00:00.000Z");
  readonly now = (): Date => new Date(this.ms++);
  set(date: Date): void {
    this.ms = date.getTime();
  }
}

const clone = <T>(value: T): T => structuredClone(value);

const byCreated = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Same predicate as `afterCursorWhere`: strictly after the cursor in (createdAt ASC, id ASC) order. */
const isAfter = (row: { createdAt: Date; id: string }, after: Cursor | null) =>
  !after ||
  row.createdAt.getTime() > after.createdAt.getTime() ||
  (row.createdAt.getTime() === after.createdAt.getTime() && row.id > after.id);

function paginate<T extends { createdAt: Date; id: string }>(all: T[], page: PageRequest): Page<T> {
  const sorted = [...all].sort(byCreated);
  const rows = sorted.filter((r) => isAfter(r, page.after)).slice(0, page.take + 1);
  return { rows: rows.map(clone), totalCount: all.length };
}

/**
 * In-memory OrderRepository with the same contract as PrismaOrderRepository: conditional updates throw
 * StaleStateError, uniqueness violations throw ConflictError, every "transaction" checks all its preconditions
 * before it changes anything (so a failure leaves no trace), outbox rows are appended to `outbox`, and callers
 * only ever get copies of stored rows.
 */
export class FakeOrderRepository implements OrderRepository {
  readonly orders = new Map<string, Order>();
  readonly offers = new Map<string, Offer>();
  readonly reviews = new Map<string, Review>();
  /** The catalog read model: provider id → service ids. */
  readonly providerServices = new Map<string, Set<string>>();
  readonly outbox: OutboxRow[] = [];
  /** Services catalog never announced; every other id counts as a catalog service (tests pick ids freely). */
  readonly unknownServices = new Set<string>();
  readonly moderationActions: ModerationAction[] = [];
  /** users' suspension read model: user id → until (null: until lifted). */
  readonly suspended = new Map<string, Date | null>();

  constructor(private readonly now: () => Date = new FakeClock().now) {}

  /** Test helper standing in for catalog's ProviderServiceAssigned event. */
  assignService(providerId: string, serviceId: string): void {
    const services = this.providerServices.get(providerId) ?? new Set<string>();
    services.add(serviceId);
    this.providerServices.set(providerId, services);
  }

  unassignService(providerId: string, serviceId: string): void {
    this.providerServices.get(providerId)?.delete(serviceId);
  }

  outboxOfType(type: string): OutboxRow[] {
    return this.outbox.filter((e) => e.type === type);
  }

  async createOrder(order: NewOrder, event: (order: Order) => OutboxRow): Promise<Order> {
    const at = this.now();
    const { location = null, city = null, window = null, ...rest } = clone(order);
    const created: Order = { id: randomUUID(), ...rest, location, city, window, status: NEW_ORDER_STATUS, acceptedOfferId: null, pauseReason: null, createdAt: at, updatedAt: at };
    const row = event(clone(created));
    this.orders.set(created.id, created);
    this.outbox.push(row);
    return clone(created);
  }

  async findOrders(ids: readonly string[]): Promise<Order[]> {
    return ids.flatMap((id) => {
      const order = this.orders.get(id);
      return order ? [clone(order)] : [];
    });
  }

  async listCustomerOrders(customerId: string, status: OrderStatus | null, page: PageRequest): Promise<Page<Order>> {
    const matching = [...this.orders.values()].filter((o) => o.customerId === customerId && (!status || o.status === status));
    return paginate(matching, page);
  }

  async listOpenOrdersForProvider(providerId: string, page: PageRequest): Promise<Page<Order>> {
    return paginate(await this.feedOf(providerId), page);
  }

  /** The provider's feed, decided by the domain's rule order by order (the place feeds filter it further). */
  async feedOf(providerId: string): Promise<Order[]> {
    const all = [...this.orders.values()];
    const viewer = {
      providerId,
      services: new Set(await this.servicesOfProvider(providerId)),
      suspendedCustomers: new Set(await this.suspendedAmong(all.map((o) => o.customerId))),
    };
    const now = new Date();
    return all.filter((o) => inProvidersFeed(o, viewer, now));
  }

  async findOffers(ids: readonly string[]): Promise<Offer[]> {
    return ids.flatMap((id) => {
      const offer = this.offers.get(id);
      return offer ? [clone(offer)] : [];
    });
  }

  async offersOfOrders(orderIds: readonly string[]): Promise<Offer[]> {
    const wanted = new Set(orderIds);
    return [...this.offers.values()].filter((o) => wanted.has(o.orderId)).sort(byCreated).map(clone);
  }

  async listProviderOffers(providerId: string, status: OfferStatus | null, page: PageRequest, expiry?: OfferExpiry): Promise<Page<Offer>> {
    const past = (o: Offer) => o.validUntil !== null && o.validUntil.getTime() <= expiry!.now.getTime();
    const matching = [...this.offers.values()].filter((o) =>
      o.providerId === providerId && (expiry ? o.status === "PENDING" && past(o) === expiry.expired : !status || o.status === status),
    );
    return paginate(matching, page);
  }

  async serviceExists(serviceId: string): Promise<boolean> {
    return !this.unknownServices.has(serviceId);
  }

  async servicesOfProvider(providerId: string): Promise<string[]> {
    return [...(this.providerServices.get(providerId) ?? [])];
  }

  async submitOffer(offer: NewOffer, event: (offer: Offer, order: Order) => OutboxRow): Promise<Offer> {
    const order = this.orders.get(offer.orderId);
    if (!order || !OFFERABLE_STATUSES.includes(order.status)) throw new StaleStateError(order?.status ?? "missing");
    const existing = [...this.offers.values()].find((o) => o.orderId === offer.orderId && o.providerId === offer.providerId);
    if (existing && !RESUBMITTABLE_OFFER_STATUSES.includes(existing.status)) throw new ConflictError("offer exists");
    const at = this.now();
    const data = { price: clone(offer.price), message: offer.message, proposedStart: offer.proposedStart, validUntil: offer.validUntil ?? null, status: NEW_OFFER_STATUS };
    const saved: Offer = existing
      ? { ...existing, ...data, updatedAt: at }
      : { id: randomUUID(), orderId: offer.orderId, providerId: offer.providerId, ...data, createdAt: at, updatedAt: at };
    const row = event(clone(saved), clone(order));
    this.offers.set(saved.id, saved);
    this.outbox.push(row);
    return clone(saved);
  }

  async withdrawOffer(offerId: string, event: (offer: Offer) => OutboxRow): Promise<Offer> {
    const offer = this.offers.get(offerId);
    if (!offer || !LIVE_OFFER_STATUSES.includes(offer.status)) throw new StaleStateError("offer not pending");
    const withdrawn: Offer = { ...offer, status: WITHDRAWN_OFFER_STATUS, updatedAt: this.now() };
    const row = event(clone(withdrawn));
    this.offers.set(offerId, withdrawn);
    this.outbox.push(row);
    return clone(withdrawn);
  }

  async acceptOffer(offerId: string, events: (order: Order, offer: Offer) => OutboxRow[]): Promise<Order> {
    const offer = this.offers.get(offerId);
    if (!offer) throw new StaleStateError("offer missing");
    const order = this.orders.get(offer.orderId);
    const move = moveOf("ACCEPT_OFFER");
    if (!order || !move.from.includes(order.status)) throw new StaleStateError("order not open");
    if (!ACCEPTABLE_OFFER_STATUSES.includes(offer.status)) throw new StaleStateError("offer not pending");
    const at = this.now();
    const assigned: Order = { ...order, status: move.to, acceptedOfferId: offerId, updatedAt: at };
    const accepted: Offer = { ...offer, status: OFFER_ON_ACCEPT.accepted, updatedAt: at };
    const rows = events(clone(assigned), clone(accepted));
    this.orders.set(assigned.id, assigned);
    this.offers.set(offerId, accepted);
    for (const other of this.offers.values()) {
      if (other.orderId === order.id && LIVE_OFFER_STATUSES.includes(other.status) && other.id !== offerId) {
        this.offers.set(other.id, { ...other, status: OFFER_ON_ACCEPT.others, updatedAt: at });
      }
    }
    this.outbox.push(...rows);
    return clone(assigned);
  }

  async changeStatus(orderId: string, from: OrderStatus[], to: OrderStatus, event: (order: Order) => OutboxRow, note?: StatusChangeNote): Promise<Order> {
    const order = this.orders.get(orderId);
    if (!order || !from.includes(order.status)) throw new StaleStateError("order moved");
    const at = this.now();
    const moved: Order = { ...order, status: to, ...(note?.pauseReason !== undefined ? { pauseReason: note.pauseReason } : {}), updatedAt: at };
    const row = event(clone(moved));
    this.orders.set(orderId, moved);
    const offersBecome = liveOffersBecome(to);
    if (offersBecome) {
      for (const offer of this.offers.values()) {
        if (offer.orderId === orderId && LIVE_OFFER_STATUSES.includes(offer.status)) this.offers.set(offer.id, { ...offer, status: offersBecome, updatedAt: at });
      }
    }
    this.outbox.push(row);
    return clone(moved);
  }

  async createReview(review: NewReview): Promise<Review> {
    if ([...this.reviews.values()].some((r) => r.orderId === review.orderId)) throw new ConflictError("already reviewed");
    const created: Review = { id: randomUUID(), ...clone(review), hiddenAt: null, hiddenReason: null, createdAt: this.now() };
    this.reviews.set(created.id, created);
    return clone(created);
  }

  async reviewsOfOrders(orderIds: readonly string[]): Promise<Review[]> {
    const wanted = new Set(orderIds);
    return [...this.reviews.values()].filter((r) => wanted.has(r.orderId)).map(clone);
  }

  async listProviderReviews(providerId: string, page: PageRequest, options: { includeHidden?: boolean } = {}): Promise<Page<Review>> {
    return paginate([...this.reviews.values()].filter((r) => r.providerId === providerId && (options.includeHidden || r.hiddenAt === null)), page);
  }

  async ratingsOf(providerIds: readonly string[]): Promise<Map<string, ProviderRating>> {
    const result = new Map<string, ProviderRating>();
    for (const providerId of new Set(providerIds)) {
      const ratings = [...this.reviews.values()].filter((r) => r.providerId === providerId && r.hiddenAt === null).map((r) => r.rating);
      if (ratings.length) result.set(providerId, { average: ratings.reduce((a, b) => a + b, 0) / ratings.length, count: ratings.length });
    }
    return result;
  }

  async findReviews(ids: readonly string[]): Promise<Review[]> {
    return ids.flatMap((id) => {
      const review = this.reviews.get(id);
      return review ? [clone(review)] : [];
    });
  }

  async hideReview(reviewId: string, note: ModerationNote): Promise<Review | null> {
    const review = this.reviews.get(reviewId);
    if (!review) return null;
    if (review.hiddenAt !== null) throw new StaleStateError("already hidden");
    const at = this.now();
    const hidden: Review = { ...review, hiddenAt: at, hiddenReason: note.reason };
    this.reviews.set(reviewId, hidden);
    this.moderationActions.push({ id: randomUUID(), actorId: note.actorId, action: HIDE_REVIEW, targetId: reviewId, reason: note.reason, at });
    return clone(hidden);
  }

  async moderationActionsOn(targetId: string): Promise<ModerationAction[]> {
    return this.moderationActions.filter((a) => a.targetId === targetId).map(clone);
  }

  async suspendAccount(userId: string, until: Date | null): Promise<void> {
    this.suspended.set(userId, until);
  }

  async unsuspendAccount(userId: string): Promise<void> {
    this.suspended.delete(userId);
  }

  /** "Now" is the real clock, as in the Prisma repository: suspensions end by users' time, not by test time. */
  async suspendedAmong(userIds: readonly string[]): Promise<string[]> {
    const now = Date.now();
    return [...new Set(userIds)].filter((id) => {
      if (!this.suspended.has(id)) return false;
      const until = this.suspended.get(id);
      return until === null || until === undefined || until.getTime() > now;
    });
  }
}

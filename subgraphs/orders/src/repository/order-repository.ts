import { afterCursorWhere, type OutboxRow, type PageRequest } from "@fixup/platform";
import type { GeoPoint } from "../domain/location.js";
import type { Money } from "../domain/money.js";
import type { OfferStatus } from "../domain/offer-status.js";
import type { Offer, Order, Review } from "../domain/order.js";
import type { OrderStatus } from "../domain/order-status.js";
import {
  ACCEPTABLE_OFFER_STATUSES,
  LIVE_OFFER_STATUSES,
  liveOffersBecome,
  moveOf,
  NEW_OFFER_STATUS,
  NEW_ORDER_STATUS,
  OFFER_ON_ACCEPT,
  OFFERABLE_STATUSES,
  RESUBMITTABLE_OFFER_STATUSES,
  WITHDRAWN_OFFER_STATUS,
} from "../domain/order-rules.js";
import type { ProviderRating } from "../domain/review.js";
import type { TimeWindow } from "../domain/time-window.js";
import { feedWhere } from "./feed-conditions.js";
import { toOffer, toOrder, toReview } from "./mappers.js";
import { isUniqueViolation, type OrdersPrisma, type OrdersTx } from "./prisma.js";

export interface NewOrder {
  customerId: string;
  serviceId: string;
  title: string;
  description: string;
  address: string;
  /** Omitted: null (orders made before orders had a place; repository tests that do not care). */
  location?: GeoPoint | null;
  city?: string | null;
  window?: TimeWindow | null;
  scheduledFor: Date | null;
  budget: Money | null;
}

export interface NewOffer {
  orderId: string;
  providerId: string;
  price: Money;
  message: string | null;
  proposedStart: Date | null;
  /** Null or absent: no limit. */
  validUntil?: Date | null;
}

export interface NewReview {
  orderId: string;
  authorId: string;
  providerId: string;
  rating: number;
  comment: string | null;
}

/** A moderator's action, recorded in moderation_actions with the change itself. */
export interface ModerationNote {
  actorId: string;
  reason: string;
}

/** What else a status change records (the pause reason on PAUSED). */
export interface StatusChangeNote {
  pauseReason?: string;
}

/** PENDING offers split by validUntil at `now`: expired (EXPIRED to clients) or still valid. */
export interface OfferExpiry {
  expired: boolean;
  now: Date;
}

export interface Page<T> {
  rows: T[];
  totalCount: number;
}

/** Raised inside a transaction to abort it with a domain reason; the service translates it. */
export class ConflictError extends Error {}
export class StaleStateError extends Error {}

export interface OrderRepository {
  createOrder(order: NewOrder, event: (order: Order) => OutboxRow): Promise<Order>;
  findOrders(ids: readonly string[]): Promise<Order[]>;
  listCustomerOrders(customerId: string, status: OrderStatus | null, page: PageRequest): Promise<Page<Order>>;
  /** The provider feed by (createdAt, id): the domain's feed criteria (PROVIDERS_FEED), via feedWhere. */
  listOpenOrdersForProvider(providerId: string, page: PageRequest): Promise<Page<Order>>;
  findOffers(ids: readonly string[]): Promise<Offer[]>;
  offersOfOrders(orderIds: readonly string[]): Promise<Offer[]>;
  /** With `expiry`, only offers stored PENDING (whatever `status`) that are past (or not past) their validUntil. */
  listProviderOffers(providerId: string, status: OfferStatus | null, page: PageRequest, expiry?: OfferExpiry): Promise<Page<Offer>>;
  /** Whether catalog has announced this service (read model). */
  serviceExists(serviceId: string): Promise<boolean>;
  /** Service ids the provider performs, per the catalog read model. */
  servicesOfProvider(providerId: string): Promise<string[]>;
  /**
   * Inserts (or revives a WITHDRAWN) offer while holding the order row lock, so it cannot race an accept.
   * Throws StaleStateError when the order is not OPEN, ConflictError when a live offer exists.
   */
  submitOffer(offer: NewOffer, event: (offer: Offer, order: Order) => OutboxRow): Promise<Offer>;
  withdrawOffer(offerId: string, event: (offer: Offer) => OutboxRow): Promise<Offer>;
  /**
   * One transaction: the order moves OPEN → ASSIGNED only if still OPEN (conditional update: of concurrent accepts
   * exactly one wins), the offer PENDING → ACCEPTED, every other PENDING offer → REJECTED.
   */
  acceptOffer(offerId: string, events: (order: Order, offer: Offer) => OutboxRow[]): Promise<Order>;
  /** Conditional status change: only from `from`; StaleStateError when the order moved meanwhile. */
  changeStatus(orderId: string, from: OrderStatus[], to: OrderStatus, event: (order: Order) => OutboxRow, note?: StatusChangeNote): Promise<Order>;
  createReview(review: NewReview): Promise<Review>;
  /** Hidden reviews included: the service decides who sees them. */
  reviewsOfOrders(orderIds: readonly string[]): Promise<Review[]>;
  /** Visible reviews only, unless `includeHidden`. */
  listProviderReviews(providerId: string, page: PageRequest, options?: { includeHidden?: boolean }): Promise<Page<Review>>;
  /** Over visible reviews only: a hidden review does not count. */
  ratingsOf(providerIds: readonly string[]): Promise<Map<string, ProviderRating>>;
  findReviews(ids: readonly string[]): Promise<Review[]>;
  /**
   * One transaction: the review is hidden (only if not hidden yet, else StaleStateError) and a HIDE_REVIEW row is
   * written to moderation_actions. Null when there is no such review.
   */
  hideReview(reviewId: string, note: ModerationNote): Promise<Review | null>;
  moderationActionsOn(targetId: string): Promise<ModerationAction[]>;
  /** users' suspension read model: safe to repeat (the latest `until` wins). */
  suspendAccount(userId: string, until: Date | null): Promise<void>;
  unsuspendAccount(userId: string): Promise<void>;
  /** Which of these accounts are suspended now (a row whose `until` is null or still ahead). */
  suspendedAmong(userIds: readonly string[]): Promise<string[]>;
}

export interface ModerationAction {
  id: string;
  actorId: string;
  action: string;
  targetId: string;
  reason: string;
  at: Date;
}

export const HIDE_REVIEW = "HIDE_REVIEW";

const byCreated = [{ createdAt: "asc" as const }, { id: "asc" as const }];

export class PrismaOrderRepository implements OrderRepository {
  constructor(private readonly prisma: OrdersPrisma) {}

  createOrder(order: NewOrder, event: (order: Order) => OutboxRow): Promise<Order> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.order.create({
        data: {
          customerId: order.customerId,
          serviceId: order.serviceId,
          status: NEW_ORDER_STATUS,
          title: order.title,
          description: order.description,
          address: order.address,
          lat: order.location?.lat ?? null,
          lng: order.location?.lng ?? null,
          city: order.city ?? null,
          windowFrom: order.window?.from ?? null,
          windowTo: order.window?.to ?? null,
          scheduledFor: order.scheduledFor,
          budgetAmount: order.budget?.amount ?? null,
          budgetCurrency: order.budget?.currency ?? null,
        },
      });
      const created = toOrder(row);
      await tx.outboxEvent.create({ data: event(created) });
      return created;
    });
  }

  async findOrders(ids: readonly string[]): Promise<Order[]> {
    return (await this.prisma.order.findMany({ where: { id: { in: [...ids] } } })).map(toOrder);
  }

  async listCustomerOrders(customerId: string, status: OrderStatus | null, page: PageRequest): Promise<Page<Order>> {
    const where = { customerId, ...(status ? { status } : {}) };
    const [rows, totalCount] = await Promise.all([
      this.prisma.order.findMany({ where: { ...where, ...afterCursorWhere(page.after) }, orderBy: byCreated, take: page.take + 1 }),
      this.prisma.order.count({ where }),
    ]);
    return { rows: rows.map(toOrder), totalCount };
  }

  async listOpenOrdersForProvider(providerId: string, page: PageRequest): Promise<Page<Order>> {
    const [serviceIds, suspendedCustomers] = await Promise.all([this.servicesOfProvider(providerId), this.suspendedNow()]);
    const where = feedWhere({ providerId, serviceIds, suspendedCustomers, now: new Date() });
    const [rows, totalCount] = await Promise.all([
      this.prisma.order.findMany({ where: { ...where, ...afterCursorWhere(page.after) }, orderBy: byCreated, take: page.take + 1 }),
      this.prisma.order.count({ where }),
    ]);
    return { rows: rows.map(toOrder), totalCount };
  }

  async findOffers(ids: readonly string[]): Promise<Offer[]> {
    return (await this.prisma.offer.findMany({ where: { id: { in: [...ids] } } })).map(toOffer);
  }

  async offersOfOrders(orderIds: readonly string[]): Promise<Offer[]> {
    return (await this.prisma.offer.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: byCreated })).map(toOffer);
  }

  async listProviderOffers(providerId: string, status: OfferStatus | null, page: PageRequest, expiry?: OfferExpiry): Promise<Page<Offer>> {
    const where = expiry
      ? { providerId, status: "PENDING" as const, ...(expiry.expired ? { validUntil: { lte: expiry.now } } : { OR: [{ validUntil: null }, { validUntil: { gt: expiry.now } }] }) }
      : { providerId, ...(status ? { status } : {}) };
    const [rows, totalCount] = await Promise.all([
      this.prisma.offer.findMany({ where: { ...where, ...afterCursorWhere(page.after) }, orderBy: byCreated, take: page.take + 1 }),
      this.prisma.offer.count({ where }),
    ]);
    return { rows: rows.map(toOffer), totalCount };
  }

  async serviceExists(serviceId: string): Promise<boolean> {
    return (await this.prisma.knownService.count({ where: { serviceId } })) > 0;
  }

  async servicesOfProvider(providerId: string): Promise<string[]> {
    const rows = await this.prisma.providerService.findMany({ where: { providerId }, select: { serviceId: true } });
    return rows.map((r) => r.serviceId);
  }

  async submitOffer(offer: NewOffer, event: (offer: Offer, order: Order) => OutboxRow): Promise<Offer> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const order = await lockOrder(tx, offer.orderId);
        if (!order || !OFFERABLE_STATUSES.includes(order.status)) throw new StaleStateError(order?.status ?? "missing");
        const existing = await tx.offer.findUnique({ where: { orderId_providerId: { orderId: offer.orderId, providerId: offer.providerId } } });
        if (existing && !RESUBMITTABLE_OFFER_STATUSES.includes(existing.status)) throw new ConflictError("offer exists");
        const data = {
          priceAmount: offer.price.amount,
          priceCurrency: offer.price.currency,
          message: offer.message,
          proposedStart: offer.proposedStart,
          validUntil: offer.validUntil ?? null,
          status: NEW_OFFER_STATUS,
        };
        const row = existing
          ? await tx.offer.update({ where: { id: existing.id }, data })
          : await tx.offer.create({ data: { ...data, orderId: offer.orderId, providerId: offer.providerId } });
        const saved = toOffer(row);
        await tx.outboxEvent.create({ data: event(saved, order) });
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError("offer exists"); // lost the race to a parallel insert
      throw error;
    }
  }

  withdrawOffer(offerId: string, event: (offer: Offer) => OutboxRow): Promise<Offer> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.offer.updateMany({ where: { id: offerId, status: { in: [...LIVE_OFFER_STATUSES] } }, data: { status: WITHDRAWN_OFFER_STATUS } });
      if (count !== 1) throw new StaleStateError("offer not pending");
      const offer = toOffer(await tx.offer.findUniqueOrThrow({ where: { id: offerId } }));
      await tx.outboxEvent.create({ data: event(offer) });
      return offer;
    });
  }

  acceptOffer(offerId: string, events: (order: Order, offer: Offer) => OutboxRow[]): Promise<Order> {
    return this.prisma.$transaction(async (tx) => {
      const offerRow = await tx.offer.findUnique({ where: { id: offerId } });
      if (!offerRow) throw new StaleStateError("offer missing");
      // The conditional update takes the order row lock; a concurrent accept blocks here and then sees it moved.
      const move = moveOf("ACCEPT_OFFER");
      const { count } = await tx.order.updateMany({
        where: { id: offerRow.orderId, status: { in: move.from } },
        data: { status: move.to, acceptedOfferId: offerId },
      });
      if (count !== 1) throw new StaleStateError("order not open");
      const accepted = await tx.offer.updateMany({
        where: { id: offerId, status: { in: [...ACCEPTABLE_OFFER_STATUSES] } },
        data: { status: OFFER_ON_ACCEPT.accepted },
      });
      if (accepted.count !== 1) throw new StaleStateError("offer not pending");
      await tx.offer.updateMany({
        where: { orderId: offerRow.orderId, status: { in: [...LIVE_OFFER_STATUSES] }, id: { not: offerId } },
        data: { status: OFFER_ON_ACCEPT.others },
      });
      const order = toOrder(await tx.order.findUniqueOrThrow({ where: { id: offerRow.orderId } }));
      const offer = toOffer(await tx.offer.findUniqueOrThrow({ where: { id: offerId } }));
      await tx.outboxEvent.createMany({ data: events(order, offer) });
      return order;
    });
  }

  changeStatus(orderId: string, from: OrderStatus[], to: OrderStatus, event: (order: Order) => OutboxRow, note?: StatusChangeNote): Promise<Order> {
    return this.prisma.$transaction(async (tx) => {
      const data = { status: to, ...(note?.pauseReason !== undefined ? { pauseReason: note.pauseReason } : {}) };
      const { count } = await tx.order.updateMany({ where: { id: orderId, status: { in: from } }, data });
      if (count !== 1) throw new StaleStateError("order moved");
      const offersBecome = liveOffersBecome(to);
      if (offersBecome) {
        await tx.offer.updateMany({ where: { orderId, status: { in: [...LIVE_OFFER_STATUSES] } }, data: { status: offersBecome } });
      }
      const order = toOrder(await tx.order.findUniqueOrThrow({ where: { id: orderId } }));
      await tx.outboxEvent.create({ data: event(order) });
      return order;
    });
  }

  async createReview(review: NewReview): Promise<Review> {
    try {
      return toReview(await this.prisma.review.create({ data: review }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError("already reviewed");
      throw error;
    }
  }

  async reviewsOfOrders(orderIds: readonly string[]): Promise<Review[]> {
    return (await this.prisma.review.findMany({ where: { orderId: { in: [...orderIds] } } })).map(toReview);
  }

  async listProviderReviews(providerId: string, page: PageRequest, options: { includeHidden?: boolean } = {}): Promise<Page<Review>> {
    const where = { providerId, ...(options.includeHidden ? {} : { hiddenAt: null }) };
    const [rows, totalCount] = await Promise.all([
      this.prisma.review.findMany({ where: { ...where, ...afterCursorWhere(page.after) }, orderBy: byCreated, take: page.take + 1 }),
      this.prisma.review.count({ where }),
    ]);
    return { rows: rows.map(toReview), totalCount };
  }

  async ratingsOf(providerIds: readonly string[]): Promise<Map<string, ProviderRating>> {
    const groups = await this.prisma.review.groupBy({
      by: ["providerId"],
      where: { providerId: { in: [...providerIds] }, hiddenAt: null },
      _avg: { rating: true },
      _count: { _all: true },
    });
    return new Map(groups.map((g) => [g.providerId, { average: g._avg.rating ?? 0, count: g._count._all }]));
  }

  async findReviews(ids: readonly string[]): Promise<Review[]> {
    return (await this.prisma.review.findMany({ where: { id: { in: [...ids] } } })).map(toReview);
  }

  hideReview(reviewId: string, note: ModerationNote): Promise<Review | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.review.updateMany({ where: { id: reviewId, hiddenAt: null }, data: { hiddenAt: new Date(), hiddenReason: note.reason } });
      if (count !== 1) {
        if (!(await tx.review.findUnique({ where: { id: reviewId } }))) return null;
        throw new StaleStateError("already hidden");
      }
      await tx.moderationAction.create({ data: { actorId: note.actorId, action: HIDE_REVIEW, targetId: reviewId, reason: note.reason } });
      return toReview(await tx.review.findUniqueOrThrow({ where: { id: reviewId } }));
    });
  }

  async moderationActionsOn(targetId: string): Promise<ModerationAction[]> {
    return this.prisma.moderationAction.findMany({ where: { targetId }, orderBy: [{ at: "asc" }, { id: "asc" }] });
  }

  async suspendAccount(userId: string, until: Date | null): Promise<void> {
    await this.prisma.suspendedAccount.upsert({ where: { userId }, create: { userId, until }, update: { until } });
  }

  async unsuspendAccount(userId: string): Promise<void> {
    await this.prisma.suspendedAccount.deleteMany({ where: { userId } });
  }

  async suspendedAmong(userIds: readonly string[]): Promise<string[]> {
    const rows = await this.prisma.suspendedAccount.findMany({
      where: { userId: { in: [...userIds] }, OR: [{ until: null }, { until: { gt: new Date() } }] },
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }

  /** Every account suspended right now (few: moderation is the exception). */
  private async suspendedNow(): Promise<string[]> {
    const rows = await this.prisma.suspendedAccount.findMany({ where: { OR: [{ until: null }, { until: { gt: new Date() } }] }, select: { userId: true } });
    return rows.map((r) => r.userId);
  }
}

async function lockOrder(tx: OrdersTx, orderId: string): Promise<Order | null> {
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM orders WHERE id = ${orderId}::uuid FOR UPDATE`;
  if (!locked.length) return null;
  return toOrder(await tx.order.findUniqueOrThrow({ where: { id: orderId } }));
}

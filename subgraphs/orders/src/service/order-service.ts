import DataLoader from "dataloader";
import {
  alignById,
  AppError,
  badInput,
  conflict,
  ErrorCode,
  forbidden,
  notFound,
  outboxRow,
  pageRequest,
  toConnection,
  type Connection,
  alwaysCaughtUp,
  type PageArgs,
  OPEN_TRADING,
  type ReadModelFreshness,
  type TradingGate,
  type Viewer,
} from "@fixup/platform";
import {
  canFollowOffers,
  canFollowOrder,
  canListOrdersOf,
  canModerate,
  canPauseOrResume,
  canSeeReview,
  canViewOffer,
  canViewOrder,
  isAssignedProvider,
  isCustomer,
  isProvider,
  isStaff,
  offerRefusal,
  visibleOffers,
  type Actor,
} from "../domain/access.js";
import { geoPointProblems } from "../domain/location.js";
import { moneyProblems } from "../domain/money.js";
import { canWithdraw, effectiveStatus, isExpired, validUntilProblem, type EffectiveOfferStatus } from "../domain/offer-status.js";
import { OrderEvents, type Offer, type Order, type Review } from "../domain/order.js";
import { allowedFrom, transition, type OrderCommand, type OrderStatus } from "../domain/order-status.js";
import { ratingProblem, type ProviderRating } from "../domain/review.js";
import { timeWindowProblems } from "../domain/time-window.js";
import { ConflictError, StaleStateError, type OrderRepository, type Page, type StatusChangeNote } from "../repository/order-repository.js";
import { createOrderInput, idInput, parseInput, reasonInput, reviewInput, submitOfferInput } from "./inputs.js";
import { noLiveEvents, type LiveEvents } from "./live-events.js";

/** Per-request batch loaders: every list of entities costs one query, whatever its length. */
export interface OrderLoaders {
  order: DataLoader<string, Order | null>;
  offer: DataLoader<string, Offer | null>;
  offersOfOrder: DataLoader<string, Offer[]>;
  reviewOfOrder: DataLoader<string, Review | null>;
  rating: DataLoader<string, ProviderRating | null>;
  /** Whether an account is suspended now (users' suspension read model). */
  suspended: DataLoader<string, boolean>;
  /** Whether the viewer performs a service (catalog's read model, caught up before it says no). */
  viewerProvides: (serviceId: string) => Promise<boolean>;
}

const statusChanged = (order: Order, from: OrderStatus) =>
  outboxRow(OrderEvents.OrderStatusChanged, { orderId: order.id, customerId: order.customerId, from, to: order.status });

const orderNotFound = () => notFound("Order");

export class OrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly live: LiveEvents = noLiveEvents,
    /** catalog's events → services and who performs them: consulted before refusing or hiding anything. */
    private readonly catalogEvents: ReadModelFreshness = alwaysCaughtUp,
    /** Ordering, offering and accepting need a confirmed e-mail address when the deployment says so. */
    private readonly gate: TradingGate = OPEN_TRADING,
    /** What "now" is for offers' validUntil. */
    private readonly now: () => Date = () => new Date(),
  ) {}


  createLoaders(viewer: () => Promise<Viewer | null>): OrderLoaders {
    const servicesOf = async (providerId: string) => new Set(await this.orders.servicesOfProvider(providerId));
    let services: Promise<Set<string>> | undefined;
    let caughtUpServices: Promise<Set<string>> | undefined;
    return {
      order: new DataLoader(async (ids) => alignById(ids, await this.orders.findOrders(ids))),
      offer: new DataLoader(async (ids) => alignById(ids, await this.orders.findOffers(ids))),
      offersOfOrder: new DataLoader(async (orderIds) => {
        const offers = await this.orders.offersOfOrders(orderIds);
        return orderIds.map((id) => offers.filter((o) => o.orderId === id));
      }),
      reviewOfOrder: new DataLoader(async (orderIds) => {
        const reviews = await this.orders.reviewsOfOrders(orderIds);
        return orderIds.map((id) => reviews.find((r) => r.orderId === id) ?? null);
      }),
      rating: new DataLoader(async (providerIds) => {
        const ratings = await this.orders.ratingsOf(providerIds);
        return providerIds.map((id) => ratings.get(id) ?? null);
      }),
      suspended: new DataLoader(async (userIds) => {
        const suspended = new Set(await this.orders.suspendedAmong(userIds));
        return userIds.map((id) => suspended.has(id));
      }),
      viewerProvides: async (serviceId) => {
        const v = await viewer();
        if (!v || !isProvider(v)) return false;
        if ((await (services ??= servicesOf(v.userId))).has(serviceId)) return true;
        // Once per request: an assignment made a moment ago may still be on its way from catalog.
        caughtUpServices ??= this.catalogEvents.caughtUp().then(() => servicesOf(v.userId));
        return (await caughtUpServices).has(serviceId);
      },
    };
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  /** The order if the actor may see it; NOT_FOUND otherwise, so existence never leaks. */
  async getOrder(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    const orderId = parseInput(idInput("order"), id, "id");
    const order = await loaders.order.load(orderId);
    if (!order || !(await this.canView(actor, order, loaders))) throw orderNotFound();
    return order;
  }

  async visibleOrder(actor: Actor | null, id: string, loaders: OrderLoaders): Promise<Order | null> {
    const order = await loaders.order.load(id);
    if (!order || !actor) return null;
    return (await this.canView(actor, order, loaders)) ? order : null;
  }

  async offersOf(actor: Actor, order: Order, loaders: OrderLoaders): Promise<Offer[]> {
    const offers = await loaders.offersOfOrder.load(order.id);
    const pendingProviders = [...new Set(offers.filter((o) => o.status === "PENDING").map((o) => o.providerId))];
    const flags = await loaders.suspended.loadMany(pendingProviders);
    const suspended = new Set(pendingProviders.filter((_id, i) => flags[i] === true));
    return visibleOffers(actor, order, offers, suspended);
  }

  /** What a client sees as the offer's status: EXPIRED for a PENDING offer past its validUntil. */
  offerStatus(offer: Offer): EffectiveOfferStatus {
    return effectiveStatus(offer, this.now());
  }

  /** The order's review unless moderation hid it from this viewer. */
  async reviewOf(actor: Actor | null, order: Order, loaders: OrderLoaders): Promise<Review | null> {
    const review = await loaders.reviewOfOrder.load(order.id);
    return review && canSeeReview(actor, review) ? review : null;
  }

  /** Staff see why a review was hidden; nobody else does. */
  hiddenReasonOf(actor: Actor | null, review: Review): string | null {
    return actor && isStaff(actor) ? review.hiddenReason : null;
  }

  async acceptedOfferOf(actor: Actor, order: Order, loaders: OrderLoaders): Promise<Offer | null> {
    if (!order.acceptedOfferId) return null;
    const offers = await this.offersOf(actor, order, loaders);
    return offers.find((o) => o.id === order.acceptedOfferId) ?? null;
  }

  /** An offer is visible to its provider, the order's customer and admins; NOT_FOUND to everyone else. */
  async getOffer(actor: Actor, id: string, loaders: OrderLoaders): Promise<Offer> {
    const offerId = parseInput(idInput("offer"), id, "id");
    const offer = await loaders.offer.load(offerId);
    const order = offer ? await loaders.order.load(offer.orderId) : null;
    if (!offer || !order) throw notFound("Offer");
    if (!canViewOffer(actor, offer, order)) throw notFound("Offer");
    return offer;
  }

  /** offerSubmitted is for the order's customer (and admins) only. */
  async authorizeOfferFeed(actor: Actor, orderId: string, loaders: OrderLoaders): Promise<Order> {
    const order = await this.getOrder(actor, orderId, loaders);
    if (!canFollowOffers(actor, order)) throw forbidden("Only the order's customer can follow its offers");
    return order;
  }

  /** orderUpdated is for the customer, admins and providers who offered (not merely could offer). */
  async authorizeOrderFeed(actor: Actor, orderId: string, loaders: OrderLoaders): Promise<Order> {
    const order = await this.getOrder(actor, orderId, loaders);
    if (canFollowOffers(actor, order)) return order;
    if (!canFollowOrder(actor, order, await loaders.offersOfOrder.load(order.id))) {
      throw forbidden("Only the customer and offering providers can follow this order");
    }
    return order;
  }

  async myOrders(actor: Actor, status: OrderStatus | null, args: PageArgs): Promise<Connection<Order>> {
    const page = pageRequest(args);
    return connection(await this.orders.listCustomerOrders(actor.userId, status, page), page);
  }

  async ordersOfUser(actor: Actor, userId: string, status: OrderStatus | null, args: PageArgs): Promise<Connection<Order>> {
    if (!canListOrdersOf(actor, userId)) throw forbidden("Only the user themself can list their orders");
    const page = pageRequest(args);
    return connection(await this.orders.listCustomerOrders(userId, status, page), page);
  }

  async openOrders(actor: Actor, args: PageArgs): Promise<Connection<Order>> {
    if (!isProvider(actor)) throw forbidden("Only providers have an open-orders feed");
    const page = pageRequest(args);
    // The feed is built from catalog's read model: a service assigned a moment ago must already show.
    await this.catalogEvents.caughtUp();
    return connection(await this.orders.listOpenOrdersForProvider(actor.userId, page), page);
  }

  async myOffers(actor: Actor, status: EffectiveOfferStatus | null, args: PageArgs): Promise<Connection<Offer>> {
    const page = pageRequest(args);
    // EXPIRED is PENDING past validUntil, so PENDING and EXPIRED split the stored PENDING offers at "now".
    const expiry = status === "EXPIRED" || status === "PENDING" ? { expired: status === "EXPIRED", now: this.now() } : undefined;
    const stored = status === "EXPIRED" ? "PENDING" : status;
    return connection(await this.orders.listProviderOffers(actor.userId, stored, page, expiry), page);
  }

  /** A provider's reviews; hidden ones only for staff. */
  async reviewsOf(providerId: string, args: PageArgs, actor?: Actor): Promise<Connection<Review>> {
    const page = pageRequest(args);
    return connection(await this.orders.listProviderReviews(providerId, page, { includeHidden: !!actor && isStaff(actor) }), page);
  }

  // ---- commands ------------------------------------------------------------------------------------------

  async createOrder(actor: Actor, raw: unknown): Promise<Order> {
    if (!isCustomer(actor)) throw forbidden("Only customers can create orders");
    this.gate.trader(actor);
    const input = parseInput(createOrderInput, raw, "input");
    const budget = input.budget ?? null;
    const problems = budget ? moneyProblems(budget) : null;
    const placeProblems = {
      ...prefixed("input.budget", problems ?? {}),
      ...prefixed("input.location", geoPointProblems(input.location) ?? {}),
      ...prefixed("input.window", (input.window && timeWindowProblems(input.window, new Date())) || {}),
    };
    if (Object.keys(placeProblems).length) throw badInput(placeProblems);
    if (!(await this.serviceExists(input.serviceId))) {
      throw badInput({ "input.serviceId": "is not a service in the catalog" });
    }
    return this.orders.createOrder(
      {
        customerId: actor.userId,
        serviceId: input.serviceId,
        title: input.title,
        description: input.description,
        address: input.address,
        location: input.location,
        city: input.city || null,
        window: input.window ?? null,
        scheduledFor: input.scheduledFor ?? null,
        budget,
      },
      (order) => outboxRow(OrderEvents.OrderCreated, { orderId: order.id, customerId: order.customerId, serviceId: order.serviceId }),
    );
  }

  async submitOffer(actor: Actor, raw: unknown, loaders: OrderLoaders): Promise<Offer> {
    this.gate.trader(actor);
    const input = parseInput(submitOfferInput, raw, "input");
    const problems = moneyProblems(input.price);
    if (problems) throw badInput(prefixed("input.price", problems));
    const validUntil = input.validUntil ?? null;
    const expiryProblem = validUntilProblem(validUntil, this.now());
    if (expiryProblem) throw badInput({ "input.validUntil": expiryProblem });
    const order = await this.getOrder(actor, input.orderId, loaders);
    const refusal = offerRefusal(actor, order, await loaders.viewerProvides(order.serviceId));
    if (refusal === "OWN_ORDER") throw forbidden("You cannot offer on your own order");
    if (refusal === "NOT_PROVIDER") throw forbidden("Only providers can submit offers");
    if (refusal === "SERVICE_NOT_OFFERED") throw forbidden("You do not perform this order's service");
    this.ensure(order.status, "SUBMIT_OFFER");
    // Seen because they offered before: the customer's suspension still holds new offers back.
    if (await loaders.suspended.load(order.customerId)) throw invalidState("The order is not taking offers at the moment");
    try {
      const offer = await this.orders.submitOffer(
        { orderId: order.id, providerId: actor.userId, price: input.price, message: input.message ?? null, proposedStart: input.proposedStart ?? null, validUntil },
        (offer, current) =>
          outboxRow(OrderEvents.OfferSubmitted, { offerId: offer.id, orderId: current.id, providerId: offer.providerId, customerId: current.customerId }),
      );
      forget(loaders, order.id);
      this.live.offerSubmitted(offer);
      this.live.orderUpdated(order);
      return offer;
    } catch (error) {
      if (error instanceof ConflictError) throw conflict("You already have an offer on this order");
      if (error instanceof StaleStateError) throw invalidState("Offers are only accepted on OPEN orders");
      throw error;
    }
  }

  async withdrawOffer(actor: Actor, id: string, loaders: OrderLoaders): Promise<Offer> {
    const offer = await this.ownOffer(actor, id, loaders);
    if (!canWithdraw(offer.status)) throw invalidState(`Cannot withdraw an offer that is ${offer.status}`);
    try {
      const withdrawn = await this.orders.withdrawOffer(offer.id, (o) =>
        outboxRow("OfferWithdrawn", { offerId: o.id, orderId: o.orderId, providerId: o.providerId }),
      );
      forget(loaders, withdrawn.orderId);
      const order = await loaders.order.load(withdrawn.orderId);
      if (order) this.live.orderUpdated(order);
      return withdrawn;
    } catch (error) {
      if (error instanceof StaleStateError) throw invalidState("The offer is no longer pending");
      throw error;
    }
  }

  async acceptOffer(actor: Actor, offerId: string, loaders: OrderLoaders): Promise<Order> {
    this.gate.trader(actor);
    const id = parseInput(idInput("offer"), offerId, "offerId");
    const offer = await loaders.offer.load(id);
    const order = offer ? await this.visibleOrder(actor, offer.orderId, loaders) : null;
    if (!offer || !order) throw notFound("Offer");
    if (order.customerId !== actor.userId) {
      // A provider can see their own offer but must not accept it; others do not learn it exists.
      if (offer.providerId === actor.userId) throw forbidden("Only the order's customer can accept an offer");
      throw notFound("Offer");
    }
    this.ensure(order.status, "ACCEPT_OFFER");
    if (offer.status !== "PENDING") throw invalidState(`Cannot accept an offer that is ${offer.status}`);
    if (isExpired(offer, this.now())) throw invalidState("The offer has expired");
    if (await loaders.suspended.load(offer.providerId)) throw invalidState("The offer cannot be accepted at the moment");
    try {
      const assigned = await this.orders.acceptOffer(offer.id, (assigned, accepted) => [
        outboxRow(OrderEvents.OfferAccepted, {
          offerId: accepted.id, orderId: assigned.id, providerId: accepted.providerId, customerId: assigned.customerId,
        }),
        outboxRow(OrderEvents.OrderStatusChanged, {
          orderId: assigned.id, customerId: assigned.customerId, providerId: accepted.providerId, from: "OPEN", to: assigned.status,
        }),
      ]);
      forget(loaders, assigned.id);
      this.live.orderUpdated(assigned);
      return assigned;
    } catch (error) {
      if (error instanceof StaleStateError) throw invalidState("The order is no longer open or the offer is no longer pending");
      throw error;
    }
  }

  async startOrder(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    return this.providerMove(actor, id, "START", loaders);
  }

  async completeOrder(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    return this.providerMove(actor, id, "COMPLETE", loaders);
  }

  /** IN_PROGRESS → PAUSED, by the customer or the assigned provider, keeping the reason. */
  async pauseOrder(actor: Actor, id: string, reason: unknown, loaders: OrderLoaders): Promise<Order> {
    const pauseReason = parseInput(reasonInput, reason, "reason");
    const order = await this.jobOf(actor, id, loaders);
    return this.move(order, "PAUSE", loaders, { pauseReason });
  }

  /** PAUSED → IN_PROGRESS, by the customer or the assigned provider. */
  async resumeOrder(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    return this.move(await this.jobOf(actor, id, loaders), "RESUME", loaders);
  }

  /** Staff hide a review from everyone else (audited in the same transaction); it stops counting in ratings. */
  async hideReview(actor: Actor, id: string, reason: unknown, loaders: OrderLoaders): Promise<Review> {
    if (!canModerate(actor)) throw forbidden("Only moderators can hide reviews");
    const reviewId = parseInput(idInput("review"), id, "id");
    const why = parseInput(reasonInput, reason, "reason");
    try {
      const hidden = await this.orders.hideReview(reviewId, { actorId: actor.userId, reason: why });
      if (!hidden) throw notFound("Review");
      loaders.reviewOfOrder.clear(hidden.orderId);
      loaders.rating.clear(hidden.providerId);
      return hidden;
    } catch (error) {
      if (error instanceof StaleStateError) throw invalidState("The review is already hidden");
      throw error;
    }
  }

  async cancelOrder(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    const order = await this.getOrder(actor, id, loaders);
    if (order.customerId !== actor.userId) throw forbidden("Only the order's customer can cancel it");
    return this.move(order, "CANCEL", loaders);
  }

  async reviewOrder(actor: Actor, raw: unknown, loaders: OrderLoaders): Promise<Review> {
    const input = parseInput(reviewInput, raw);
    const problem = ratingProblem(input.rating);
    if (problem) throw badInput({ rating: problem });
    const order = await this.getOrder(actor, input.orderId, loaders);
    if (order.customerId !== actor.userId) throw forbidden("Only the order's customer can review it");
    this.ensure(order.status, "REVIEW");
    const accepted = order.acceptedOfferId ? await loaders.offer.load(order.acceptedOfferId) : null;
    if (!accepted) throw invalidState("The order has no assigned provider");
    try {
      const review = await this.orders.createReview({
        orderId: order.id, authorId: actor.userId, providerId: accepted.providerId, rating: input.rating, comment: input.comment || null,
      });
      forget(loaders, order.id);
      loaders.rating.clear(accepted.providerId);
      this.live.orderUpdated(order);
      return review;
    } catch (error) {
      if (error instanceof ConflictError) throw conflict("This order has already been reviewed");
      throw error;
    }
  }

  // ---- integration events ----------------------------------------------------------------------------------

  /**
   * A deleted account (users' UserDeleted): its orders that can still be cancelled are cancelled (their pending offers
   * rejected, as on any cancel), and its pending offers withdrawn — each change announced like the same change made by
   * hand. Orders already under way or done stay as they are, showing the account as deleted. Safe to repeat: a second
   * run finds nothing left to change.
   */
  async accountDeleted(userId: string): Promise<{ cancelled: number; withdrawn: number }> {
    const batch = { take: 100, after: null };
    let cancelled = 0;
    let withdrawn = 0;
    for (const status of allowedFrom("CANCEL")) {
      for (;;) {
        const { rows } = await this.orders.listCustomerOrders(userId, status, batch);
        let progressed = false;
        for (const order of rows) {
          try {
            const moved = await this.orders.changeStatus(order.id, allowedFrom("CANCEL"), "CANCELLED", (o) => statusChanged(o, order.status));
            await this.live.orderUpdated(moved);
            cancelled++;
            progressed = true;
          } catch (error) {
            if (!(error instanceof StaleStateError)) throw error;
            progressed = true; // moved on meanwhile: it has left this status
          }
        }
        if (rows.length < batch.take || !progressed) break;
      }
    }
    for (;;) {
      const { rows } = await this.orders.listProviderOffers(userId, "PENDING", batch);
      for (const offer of rows) {
        try {
          await this.orders.withdrawOffer(offer.id, (o) => outboxRow("OfferWithdrawn", { offerId: o.id, orderId: o.orderId, providerId: o.providerId }));
          withdrawn++;
        } catch (error) {
          if (!(error instanceof StaleStateError)) throw error;
        }
      }
      if (rows.length < batch.take) break;
    }
    return { cancelled, withdrawn };
  }

  /** users' UserSuspended: the account's open orders and pending offers are held back (nothing is cancelled). */
  async accountSuspended(userId: string, until: Date | null): Promise<void> {
    await this.orders.suspendAccount(userId, until);
  }

  /** users' UserUnsuspended: everything held back shows again. */
  async accountUnsuspended(userId: string): Promise<void> {
    await this.orders.unsuspendAccount(userId);
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** The order, if the actor may pause or resume it (its customer or assigned provider). */
  private async jobOf(actor: Actor, id: string, loaders: OrderLoaders): Promise<Order> {
    const order = await this.getOrder(actor, id, loaders);
    const accepted = order.acceptedOfferId ? await loaders.offer.load(order.acceptedOfferId) : null;
    if (!canPauseOrResume(actor, order, accepted)) throw forbidden("Only the customer and the assigned provider can pause or resume the job");
    return order;
  }

  /** A service created a moment ago may still be on its way from catalog: catch up before saying no. */
  private async serviceExists(serviceId: string): Promise<boolean> {
    if (await this.orders.serviceExists(serviceId)) return true;
    return (await this.catalogEvents.caughtUp()) && this.orders.serviceExists(serviceId);
  }

  private async providerMove(actor: Actor, id: string, command: "START" | "COMPLETE", loaders: OrderLoaders): Promise<Order> {
    const order = await this.getOrder(actor, id, loaders);
    const accepted = order.acceptedOfferId ? await loaders.offer.load(order.acceptedOfferId) : null;
    if (!isAssignedProvider(actor, accepted)) throw forbidden("Only the assigned provider can do this");
    return this.move(order, command, loaders);
  }

  private async move(order: Order, command: OrderCommand, loaders: OrderLoaders, note?: StatusChangeNote): Promise<Order> {
    const next = this.ensure(order.status, command);
    try {
      const moved = await this.orders.changeStatus(order.id, allowedFrom(command), next, (o) => statusChanged(o, order.status), note);
      forget(loaders, moved.id);
      this.live.orderUpdated(moved);
      return moved;
    } catch (error) {
      if (error instanceof StaleStateError) throw invalidState("The order changed meanwhile; reload it");
      throw error;
    }
  }

  private ensure(status: OrderStatus, command: OrderCommand): OrderStatus {
    const result = transition(status, command);
    if (!result.ok) throw invalidState(result.reason);
    return result.next;
  }

  private async ownOffer(actor: Actor, id: string, loaders: OrderLoaders): Promise<Offer> {
    const offerId = parseInput(idInput("offer"), id, "id");
    const offer = await loaders.offer.load(offerId);
    if (!offer || offer.providerId !== actor.userId) throw notFound("Offer");
    return offer;
  }

  private async canView(actor: Actor, order: Order, loaders: OrderLoaders): Promise<boolean> {
    if (order.customerId === actor.userId || isStaff(actor)) return true;
    const offers = await loaders.offersOfOrder.load(order.id);
    const hasOffer = offers.some((o) => o.providerId === actor.userId);
    const providesService = await loaders.viewerProvides(order.serviceId);
    const customerSuspended = !hasOffer && (await loaders.suspended.load(order.customerId));
    return canViewOrder(actor, order, { hasOffer, providesService, customerSuspended });
  }
}

/** After a write, the request's cached reads of that order are stale (a mutation's payload must show the change). */
function forget(loaders: OrderLoaders, orderId: string): void {
  loaders.order.clear(orderId);
  loaders.offersOfOrder.clear(orderId);
  loaders.reviewOfOrder.clear(orderId);
  loaders.offer.clearAll();
}

const invalidState = (message: string) => new AppError(ErrorCode.INVALID_STATE, message);


const connection = <T extends { createdAt: Date; id: string }>(result: Page<T>, page: ReturnType<typeof pageRequest>) =>
  toConnection(result.rows, page, result.totalCount, (r) => r, (r) => r);

const prefixed = (prefix: string, problems: Record<string, string>) =>
  Object.fromEntries(Object.entries(problems).map(([k, v]) => [`${prefix}.${k}`, v]));

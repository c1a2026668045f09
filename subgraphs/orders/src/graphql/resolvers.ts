import { DateTimeResolver } from "graphql-scalars";
import { authenticated, optionalViewer } from "@fixup/platform";
import type { Resolvers } from "../generated/graphql.js";
import { liveTopics } from "../service/live-events.js";
import type { OrdersContext } from "./context.js";

const user = (id: string) => ({ __typename: "User" as const, id });

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: {
    order: async (_p, { id }, ctx) => ctx.orders.getOrder(await authenticated(ctx), id, ctx.loaders),
    myOrders: async (_p, { status, first, after }, ctx) => ctx.orders.myOrders(await authenticated(ctx), status ?? null, { first, after }),
    openOrders: async (_p, args, ctx) => ctx.feed.openOrders(await authenticated(ctx), args, ctx.feedLoaders),
    myServiceAreas: async (_p, _a, ctx) => ctx.feed.myServiceAreas(await authenticated(ctx), ctx.feedLoaders),
    offer: async (_p, { id }, ctx) => ctx.orders.getOffer(await authenticated(ctx), id, ctx.loaders),
    myOffers: async (_p, { status, first, after }, ctx) => ctx.orders.myOffers(await authenticated(ctx), status ?? null, { first, after }),
  },
  Mutation: {
    createOrder: async (_p, { input }, ctx) => ctx.orders.createOrder(await authenticated(ctx), input),
    cancelOrder: async (_p, { id }, ctx) => ctx.orders.cancelOrder(await authenticated(ctx), id, ctx.loaders),
    submitOffer: async (_p, { input }, ctx) => ctx.orders.submitOffer(await authenticated(ctx), input, ctx.loaders),
    withdrawOffer: async (_p, { id }, ctx) => ctx.orders.withdrawOffer(await authenticated(ctx), id, ctx.loaders),
    acceptOffer: async (_p, { offerId }, ctx) => ctx.orders.acceptOffer(await authenticated(ctx), offerId, ctx.loaders),
    startOrder: async (_p, { id }, ctx) => ctx.orders.startOrder(await authenticated(ctx), id, ctx.loaders),
    completeOrder: async (_p, { id }, ctx) => ctx.orders.completeOrder(await authenticated(ctx), id, ctx.loaders),
    reviewOrder: async (_p, args, ctx) => ctx.orders.reviewOrder(await authenticated(ctx), args, ctx.loaders),
    pauseOrder: async (_p, { id, reason }, ctx) => ctx.orders.pauseOrder(await authenticated(ctx), id, reason, ctx.loaders),
    resumeOrder: async (_p, { id }, ctx) => ctx.orders.resumeOrder(await authenticated(ctx), id, ctx.loaders),
    hideReview: async (_p, { id, reason }, ctx) => ctx.orders.hideReview(await authenticated(ctx), id, reason, ctx.loaders),
    setServiceAreas: async (_p, { areas }, ctx) => ctx.feed.setServiceAreas(await authenticated(ctx), areas),
  },
  Subscription: {
    offerSubmitted: {
      subscribe: async (_p, { orderId }, ctx) => {
        const order = await ctx.orders.authorizeOfferFeed(await authenticated(ctx), orderId, ctx.loaders);
        return ctx.pubsub.subscribe(liveTopics.offerSubmitted(order.id));
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: OrdersContext) => {
        ctx.loaders = ctx.orders.createLoaders(ctx.viewer);
        return ctx.orders.getOffer(await authenticated(ctx), payload.id, ctx.loaders);
      },
    },
    orderUpdated: {
      subscribe: async (_p, { orderId }, ctx) => {
        const order = await ctx.orders.authorizeOrderFeed(await authenticated(ctx), orderId, ctx.loaders);
        return ctx.pubsub.subscribe(liveTopics.orderUpdated(order.id));
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: OrdersContext) => {
        ctx.loaders = ctx.orders.createLoaders(ctx.viewer);
        return ctx.orders.getOrder(await authenticated(ctx), payload.id, ctx.loaders);
      },
    },
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    orders: async (u, { status, first, after }, ctx) => ctx.orders.ordersOfUser(await authenticated(ctx), u.id, status ?? null, { first, after }),
    // Only name and avatar of a user are public (API.md); ratings and reviews need a signed-in viewer.
    rating: async (u, _a, ctx) => {
      await authenticated(ctx);
      return ctx.loaders.rating.load(u.id);
    },
    reviews: async (u, args, ctx) => ctx.orders.reviewsOf(u.id, args, await authenticated(ctx)),
    // Providers advertise where they work: any signed-in viewer may see it, like ratings.
    serviceAreas: async (u, _a, ctx) => {
      await authenticated(ctx);
      return ctx.feedLoaders.serviceAreas.load(u.id);
    },
  },
  Order: {
    __resolveReference: async (ref, ctx) => ctx.orders.visibleOrder(await optionalViewer(ctx), ref.id, ctx.loaders),
    customer: (o) => user(o.customerId),
    service: (o) => ({ __typename: "Service" as const, id: o.serviceId }),
    offers: async (o, _a, ctx) => ctx.orders.offersOf(await authenticated(ctx), o, ctx.loaders),
    acceptedOffer: async (o, _a, ctx) => ctx.orders.acceptedOfferOf(await authenticated(ctx), o, ctx.loaders),
    review: async (o, _a, ctx) => ctx.orders.reviewOf(await optionalViewer(ctx), o, ctx.loaders),
  },
  Offer: {
    __resolveReference: (ref, ctx) => ctx.loaders.offer.load(ref.id),
    order: async (o, _a, ctx) => ctx.orders.getOrder(await authenticated(ctx), o.orderId, ctx.loaders),
    provider: (o) => user(o.providerId),
    status: (o, _a, ctx) => ctx.orders.offerStatus(o),
  },
  Review: {
    order: async (r, _a, ctx) => ctx.orders.getOrder(await authenticated(ctx), r.orderId, ctx.loaders),
    author: (r) => user(r.authorId),
    provider: (r) => user(r.providerId),
    hidden: (r) => r.hiddenAt !== null,
    hiddenReason: async (r, _a, ctx) => ctx.orders.hiddenReasonOf(await optionalViewer(ctx), r),
  },
};

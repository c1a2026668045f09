import type { Resolvers } from "../generated/graphql.js";

// Thin handlers: read the viewer, hand raw input to the service (which authorizes and validates), map the result.
export const resolvers: Resolvers = {
  Query: {
    services: (_p, args, ctx) => ctx.catalog.list(args),
    service: (_p, { id }, ctx) => ctx.catalog.byId(ctx.loaders, id),
  },
  Mutation: {
    createService: async (_p, { input }, ctx) => ctx.catalog.create(await ctx.viewer(), input, ctx.loaders),
    updateService: async (_p, { id, input }, ctx) => ctx.catalog.update(await ctx.viewer(), id, input, ctx.loaders),
    assignService: async (_p, { serviceId }, ctx) => ctx.catalog.assign(await ctx.viewer(), serviceId, ctx.loaders),
    unassignService: async (_p, { serviceId }, ctx) => ctx.catalog.unassign(await ctx.viewer(), serviceId, ctx.loaders),
  },
  Service: {
    __resolveReference: (ref, ctx) => ctx.catalog.byId(ctx.loaders, ref.id),
    providers: (service, args, ctx) => ctx.catalog.providers(ctx.loaders, service.id, args),
  },
  User: {
    // Catalog cannot tell whether a user exists (users owns that); it answers for any id.
    __resolveReference: (ref) => ({ id: ref.id }),
    services: (user, _a, ctx) => ctx.catalog.servicesOf(ctx.loaders, user.id),
  },
};

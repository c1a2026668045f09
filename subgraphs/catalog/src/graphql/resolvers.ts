import { authenticated } from "@fixup/platform";
import type { Resolvers } from "../generated/graphql.js";

// Thin handlers: read the viewer, hand raw input to the service (which authorizes and validates), map the result.
export const resolvers: Resolvers = {
  Query: {
    services: (_p, args, ctx) => ctx.catalog.list(args),
    service: (_p, { id }, ctx) => ctx.catalog.byId(ctx.loaders, id),
    categories: (_p, _a, ctx) => ctx.catalog.rootCategories(),
    category: (_p, args, ctx) => ctx.catalog.category(ctx.loaders, args),
  },
  Mutation: {
    createService: async (_p, { input }, ctx) => ctx.catalog.create(await authenticated(ctx), input, ctx.loaders),
    updateService: async (_p, { id, input }, ctx) => ctx.catalog.update(await authenticated(ctx), id, input, ctx.loaders),
    assignService: async (_p, { serviceId }, ctx) => ctx.catalog.assign(await authenticated(ctx), serviceId, ctx.loaders),
    unassignService: async (_p, { serviceId }, ctx) => ctx.catalog.unassign(await authenticated(ctx), serviceId, ctx.loaders),
    createCategory: async (_p, { input }, ctx) => ctx.catalog.createCategory(await authenticated(ctx), input, ctx.loaders),
    updateCategory: async (_p, { id, input }, ctx) => ctx.catalog.updateCategory(await authenticated(ctx), id, input, ctx.loaders),
    deleteCategory: async (_p, { id }, ctx) => ctx.catalog.deleteCategory(await authenticated(ctx), id, ctx.loaders),
  },
  Category: {
    __resolveReference: (ref, ctx) => ctx.catalog.categoryById(ctx.loaders, ref.id),
    parent: (category, _a, ctx) => (category.parentId ? ctx.catalog.categoryById(ctx.loaders, category.parentId) : null),
    children: (category, _a, ctx) => ctx.catalog.children(ctx.loaders, category.id),
    services: (category, _a, ctx) => ctx.catalog.servicesIn(ctx.loaders, category.id),
  },
  Service: {
    __resolveReference: (ref, ctx) => ctx.catalog.byId(ctx.loaders, ref.id),
    categoryNode: (service, _a, ctx) => ctx.catalog.categoryOf(ctx.loaders, service),
    providers: (service, args, ctx) => ctx.catalog.providers(ctx.loaders, service.id, args),
  },
  User: {
    // Catalog cannot tell whether a user exists (users owns that); it answers for any id.
    __resolveReference: (ref) => ({ id: ref.id }),
    services: (user, _a, ctx) => ctx.catalog.servicesOf(ctx.loaders, user.id),
  },
};

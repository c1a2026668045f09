import { DateTimeResolver, EmailAddressResolver, URLResolver } from "graphql-scalars";
import { authenticated } from "@fixup/platform";
import { isProvider } from "../domain/identity-number.js";
import type { Resolvers } from "../generated/graphql.js";

// Thin handlers: read the viewer, hand raw input to a service (which validates and authorizes), map the result. Every
// user comes from the service with what this request's viewer may see of it (`shown`).
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  EmailAddress: EmailAddressResolver,
  URL: URLResolver,
  Query: {
    me: async (_p, _a, ctx) => ctx.users.me(await authenticated(ctx)),
    user: (_p, { id }, ctx) => ctx.userLoader.load(id),
    providerIdentityNumber: async (_p, { userId, reason }, ctx) =>
      ctx.identity.reveal(await authenticated(ctx), userId, reason),
    identityAccessLog: async (_p, args, ctx) => ctx.identity.accessLog(await authenticated(ctx), args),
  },
  Mutation: {
    register: (_p, { input }, ctx) => ctx.auth.register(input),
    login: (_p, { input }, ctx) => ctx.auth.login(input, { ip: ctx.ip }),
    refreshToken: (_p, args, ctx) => ctx.auth.refresh(args),
    logout: async (_p, args, ctx) => {
      await ctx.auth.logout(args);
      return true;
    },
    updateMe: async (_p, { input }, ctx) => ctx.users.updateMe(await authenticated(ctx), input),
    changePassword: async (_p, { currentPassword, newPassword, refreshToken }, ctx) => {
      const viewer = await authenticated(ctx);
      await ctx.auth.changePassword(viewer.userId, currentPassword, newPassword, refreshToken ?? undefined);
      return true;
    },
    deleteMe: async (_p, { password }, ctx) => {
      await ctx.auth.deleteAccount((await authenticated(ctx)).userId, password);
      return true;
    },
    requestPasswordReset: async (_p, args, ctx) => {
      await ctx.accountEmails.requestPasswordReset(args, { ip: ctx.ip });
      return true;
    },
    resetPassword: async (_p, args, ctx) => {
      await ctx.accountEmails.resetPassword(args);
      return true;
    },
    resendVerificationEmail: async (_p, _a, ctx) => {
      await ctx.accountEmails.resendVerification((await authenticated(ctx)).userId, { ip: ctx.ip });
      return true;
    },
    verifyEmail: async (_p, args, ctx) => {
      await ctx.accountEmails.verifyEmail(args);
      return true;
    },
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.userLoader.load(ref.id),
    email: (user) => (user.shown.email ? user.email : null),
    emailVerified: (user) => (user.shown.email ? user.emailVerifiedAt !== null : null),
    avatarUrl: (user, _a, ctx) => ctx.avatarUrl(user.avatarKey),
    deleted: (user) => user.deleted === true,
    isProvider: (user) => isProvider(user.roles),
    bio: (user) => user.bio ?? null,
    identityNumberPreview: (user, _a, ctx) => (user.shown.identityPreview ? ctx.identityPreviews.load(user.id) : null),
  },
  IdentityAccess: {
    admin: (access, _a, ctx) => ctx.userLoader.load(access.adminId).then((u) => u ?? ctx.users.tombstone(access.adminId, access.accessedAt)),
    user: (access, _a, ctx) => ctx.userLoader.load(access.userId).then((u) => u ?? ctx.users.tombstone(access.userId, access.accessedAt)),
    accessedAt: (access) => access.accessedAt,
  },
};

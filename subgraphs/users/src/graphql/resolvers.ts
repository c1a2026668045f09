import { DateTimeResolver, EmailAddressResolver, URLResolver } from "graphql-scalars";
import { requireViewer } from "@fixup/platform";
import { canSeeIdentityPreview, isProvider } from "../domain/identity-number.js";
import { canSeeEmail, tombstone, type User } from "../domain/user.js";
import type { Resolvers } from "../generated/graphql.js";
import type { UsersContext } from "./context.js";

/** Private fields (email, emailVerified) are for the user themself and admins. */
const canSeePrivate = async (user: User, ctx: UsersContext): Promise<boolean> =>
  ctx.selfIds.has(user.id) || canSeeEmail(await ctx.viewer().catch(() => null), user);

// Thin handlers: read the viewer, hand raw input to a service (which validates), map the result.
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  EmailAddress: EmailAddressResolver,
  URL: URLResolver,
  Query: {
    me: async (_p, _a, ctx) => ctx.users.me(requireViewer(await ctx.viewer())),
    user: (_p, { id }, ctx) => ctx.userLoader.load(id),
    providerIdentityNumber: async (_p, { userId, reason }, ctx) =>
      ctx.identity.reveal(requireViewer(await ctx.viewer()), userId, reason),
    identityAccessLog: async (_p, args, ctx) => ctx.identity.accessLog(requireViewer(await ctx.viewer()), args),
  },
  Mutation: {
    register: (_p, { input }, ctx) => ctx.auth.register(input),
    login: (_p, { input }, ctx) => ctx.auth.login(input, { ip: ctx.ip }),
    refreshToken: (_p, args, ctx) => ctx.auth.refresh(args),
    logout: async (_p, args, ctx) => {
      await ctx.auth.logout(args);
      return true;
    },
    updateMe: async (_p, { input }, ctx) => ctx.users.updateMe(requireViewer(await ctx.viewer()), input),
    changePassword: async (_p, { currentPassword, newPassword, refreshToken }, ctx) => {
      const viewer = requireViewer(await ctx.viewer());
      await ctx.auth.changePassword(viewer.userId, currentPassword, newPassword, refreshToken ?? undefined);
      return true;
    },
    deleteMe: async (_p, { password }, ctx) => {
      await ctx.auth.deleteAccount(requireViewer(await ctx.viewer()).userId, password);
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
      await ctx.accountEmails.resendVerification(requireViewer(await ctx.viewer()).userId, { ip: ctx.ip });
      return true;
    },
    verifyEmail: async (_p, args, ctx) => {
      await ctx.accountEmails.verifyEmail(args);
      return true;
    },
  },
  AuthPayload: {
    // The payload's user is the caller, even before they hold an access token.
    user: (payload, _a, ctx) => {
      ctx.selfIds.add(payload.user.id);
      return payload.user;
    },
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.userLoader.load(ref.id),
    email: async (user, _a, ctx) => ((await canSeePrivate(user, ctx)) ? user.email : null),
    emailVerified: async (user, _a, ctx) => ((await canSeePrivate(user, ctx)) ? user.emailVerifiedAt !== null : null),
    avatarUrl: (user, _a, ctx) => ctx.avatarUrl(user.avatarKey),
    deleted: (user) => user.deleted === true,
    isProvider: (user) => isProvider(user.roles),
    bio: (user) => user.bio ?? null,
    identityNumberPreview: async (user, _a, ctx) => {
      if (user.deleted) return null;
      const viewer = ctx.selfIds.has(user.id) ? { userId: user.id, roles: [] } : await ctx.viewer().catch(() => null);
      return canSeeIdentityPreview(viewer, user.id) ? ctx.identityPreviews.load(user.id) : null;
    },
  },
  IdentityAccess: {
    admin: (access, _a, ctx) => ctx.userLoader.load(access.adminId).then((u) => u ?? tombstone(access.adminId, access.accessedAt)),
    user: (access, _a, ctx) => ctx.userLoader.load(access.userId).then((u) => u ?? tombstone(access.userId, access.accessedAt)),
    accessedAt: (access) => access.accessedAt,
  },
};

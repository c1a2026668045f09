import { authenticated } from "@fixup/platform";
import type { SeenUser } from "../domain/access.js";
import type { Resolvers } from "../generated/graphql.js";
import type { UsersContext } from "./context.js";

const load = (ctx: UsersContext, id: string | null) => (id ? ctx.userLoader.load(id) : null);
const mustLoad = async (ctx: UsersContext, id: string): Promise<SeenUser> => {
  const user = await ctx.userLoader.load(id);
  if (!user) throw new Error(`user ${id} has neither a row nor a tombstone`);
  return user;
};

// Thin handlers for issue 13's users side: the ModerationService decides everything.
const moderation: Resolvers = {
  Query: {
    reports: async (_p, args, ctx) => ctx.moderation.reports(await authenticated(ctx), args),
    moderationLog: async (_p, args, ctx) => ctx.moderation.moderationLog(await authenticated(ctx), args),
  },
  Mutation: {
    suspendUser: async (_p, args, ctx) => ctx.moderation.suspendUser(await authenticated(ctx), args),
    unsuspendUser: async (_p, args, ctx) => ctx.moderation.unsuspendUser(await authenticated(ctx), args),
    grantRole: async (_p, args, ctx) => ctx.moderation.grantRole(await authenticated(ctx), args),
    revokeRole: async (_p, args, ctx) => ctx.moderation.revokeRole(await authenticated(ctx), args),
    report: async (_p, args, ctx) => ctx.moderation.report(await authenticated(ctx), args),
    resolveReport: async (_p, args, ctx) => ctx.moderation.resolveReport(await authenticated(ctx), args),
  },
  User: {
    suspended: async (user, _a, ctx) => (user.shown.suspension ? (await ctx.suspensionLoader.load(user.id)).suspended : null),
    suspendedUntil: async (user, _a, ctx) => (user.shown.suspension ? (await ctx.suspensionLoader.load(user.id)).until : null),
    suspensionReason: async (user, _a, ctx) => (user.shown.suspensionReason ? (await ctx.suspensionLoader.load(user.id)).reason : null),
  },
  Report: {
    target: (r) => r.target,
    targetUser: (r, _a, ctx) => (r.target.type === "USER" ? load(ctx, r.target.id) : null),
    reporter: (r, _a, ctx) => mustLoad(ctx, r.reporterId),
    resolvedBy: (r, _a, ctx) => load(ctx, r.resolvedBy),
  },
  ModerationLogEntry: {
    actor: (e, _a, ctx) => load(ctx, e.actorId),
    subject: (e, _a, ctx) => load(ctx, e.subjectUserId),
    role: (e) => e.details.role ?? null,
    until: (e) => e.details.until ?? null,
    reportId: (e) => e.details.reportId ?? null,
    resolution: (e) => (e.details.resolution === "RESOLVED" || e.details.resolution === "DISMISSED" ? e.details.resolution : null),
  },
};

/** users' resolvers with the moderation ones merged in (Query, Mutation and User gain fields). */
export function withModeration(base: Resolvers): Resolvers {
  return {
    ...base,
    ...moderation,
    Query: { ...base.Query, ...moderation.Query },
    Mutation: { ...base.Mutation, ...moderation.Mutation },
    User: { ...base.User, ...moderation.User },
  };
}

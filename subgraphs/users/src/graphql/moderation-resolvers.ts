import { isStaffViewer, requireViewer } from "@fixup/platform";
import type { User } from "../domain/user.js";
import type { Resolvers } from "../generated/graphql.js";
import type { UsersContext } from "./context.js";

/** A suspension is shown to the account itself and to staff. */
const canSeeSuspension = async (user: User, ctx: UsersContext): Promise<boolean> => {
  if (user.deleted) return false;
  if (ctx.selfIds.has(user.id)) return true;
  const viewer = await ctx.viewer().catch(() => null);
  return !!viewer && (viewer.userId === user.id || isStaffViewer(viewer));
};
const isStaff = async (ctx: UsersContext): Promise<boolean> => {
  const viewer = await ctx.viewer().catch(() => null);
  return !!viewer && isStaffViewer(viewer);
};
const load = (ctx: UsersContext, id: string | null) => (id ? ctx.userLoader.load(id) : null);
const mustLoad = async (ctx: UsersContext, id: string): Promise<User> => {
  const user = await ctx.userLoader.load(id);
  if (!user) throw new Error(`user ${id} has neither a row nor a tombstone`);
  return user;
};

// Thin handlers for issue 13's users side: the ModerationService decides everything.
const moderation: Resolvers = {
  Query: {
    reports: async (_p, args, ctx) => ctx.moderation.reports(requireViewer(await ctx.viewer()), args),
    moderationLog: async (_p, args, ctx) => ctx.moderation.moderationLog(requireViewer(await ctx.viewer()), args),
  },
  Mutation: {
    suspendUser: async (_p, args, ctx) => ctx.moderation.suspendUser(requireViewer(await ctx.viewer()), args),
    unsuspendUser: async (_p, args, ctx) => ctx.moderation.unsuspendUser(requireViewer(await ctx.viewer()), args),
    grantRole: async (_p, args, ctx) => ctx.moderation.grantRole(requireViewer(await ctx.viewer()), args),
    revokeRole: async (_p, args, ctx) => ctx.moderation.revokeRole(requireViewer(await ctx.viewer()), args),
    report: async (_p, args, ctx) => ctx.moderation.report(requireViewer(await ctx.viewer()), args),
    resolveReport: async (_p, args, ctx) => ctx.moderation.resolveReport(requireViewer(await ctx.viewer()), args),
  },
  User: {
    suspended: async (user, _a, ctx) => ((await canSeeSuspension(user, ctx)) ? (await ctx.suspensionLoader.load(user.id)).suspended : null),
    suspendedUntil: async (user, _a, ctx) => ((await canSeeSuspension(user, ctx)) ? (await ctx.suspensionLoader.load(user.id)).until : null),
    suspensionReason: async (user, _a, ctx) => (!user.deleted && (await isStaff(ctx)) ? (await ctx.suspensionLoader.load(user.id)).reason : null),
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

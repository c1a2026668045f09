import DataLoader from "dataloader";
import { alignById, notFound, optionalViewer, unauthenticated, type Viewer, type ViewerSource } from "@fixup/platform";
import { seenBy, type SeenUser } from "../domain/access.js";
import { isProvider } from "../domain/identity-number.js";
import { nextRoles, tombstone, type User } from "../domain/user.js";
import type { UserRepository } from "../repository/user-repository.js";
import type { IdentityService } from "./identity-service.js";
import { parseInput, updateMeInput } from "./inputs.js";

export class UserService {
  constructor(
    private readonly users: UserRepository,
    /** Providers' identity numbers (updateMe's identityNumber, and becoming a PROVIDER). */
    private readonly identity?: IdentityService,
  ) {}

  /**
   * Per-request loader of users as the request's viewer sees them (an anonymous or invalid token sees nothing private):
   * all `User` representations in one `_entities` call cost one query (two when some of them were deleted: those
   * resolve to their tombstone, so another service's reference never turns into a null).
   */
  createLoader(request: ViewerSource): DataLoader<string, SeenUser | null> {
    return new DataLoader(async (ids) => {
      const viewer = await optionalViewer(request);
      const seen = (users: readonly User[]) => users.map((u) => seenBy(viewer, u));
      const found = await this.users.findByIds(ids);
      if (found.length === ids.length) return alignById(ids, seen(found));
      const known = new Set(found.map((u) => u.id));
      const missing = ids.filter((id) => !known.has(id));
      return alignById(ids, seen([...found, ...(await this.users.findTombstones(missing))]));
    });
  }

  /** An account that has neither a row nor a tombstone (an audit entry outliving both): a tombstone nobody sees into. */
  tombstone(id: string, createdAt: Date): SeenUser {
    return seenBy(null, tombstone(id, createdAt));
  }

  async me(viewer: Viewer): Promise<SeenUser> {
    const user = await this.users.findById(viewer.userId);
    if (!user) throw unauthenticated("Account no longer exists");
    return seenBy(viewer, user);
  }

  async updateMe(viewer: Viewer, raw: unknown): Promise<SeenUser> {
    const input = parseInput(updateMeInput, raw);
    const current = await this.users.findById(viewer.userId);
    if (!current) throw notFound("User");
    const roles = input.roles !== undefined ? nextRoles(current.roles, input.roles) : undefined;
    const identity = await this.identityChange(current, roles ?? current.roles, input.identityNumber);
    const updated = await this.users.update(viewer.userId, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(roles !== undefined ? { roles } : {}),
      ...(input.bio !== undefined ? { bio: input.bio || null } : {}),
      ...(identity ? { identity } : {}),
    });
    return seenBy(viewer, updated);
  }

  /** Becoming a provider needs an identity number unless one is on file; see identityRequirement. */
  private async identityChange(current: User, roles: User["roles"], raw: string | undefined) {
    if (!isProvider(roles) && raw === undefined) return undefined;
    if (!this.identity) throw new Error("UserService: identity numbers need the identity service");
    const hasOnFile = await this.identity.hasOnFile(current.id);
    return this.identity.prepare({ currentRoles: current.roles, nextRoles: roles, hasOnFile, raw, ownerId: current.id });
  }
}

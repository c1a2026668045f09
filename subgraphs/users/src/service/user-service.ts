import DataLoader from "dataloader";
import { alignById, notFound, unauthenticated, type Viewer } from "@fixup/platform";
import { nextRoles, type User } from "../domain/user.js";
import type { UserRepository } from "../repository/user-repository.js";
import { parseInput, updateMeInput } from "./inputs.js";

export class UserService {
  constructor(private readonly users: UserRepository) {}

  /**
   * Per-request loader: all `User` representations in one `_entities` call cost one query (two when some of them were
   * deleted: those resolve to their tombstone, so another service's reference never turns into a null).
   */
  createLoader(): DataLoader<string, User | null> {
    return new DataLoader(async (ids) => {
      const found = await this.users.findByIds(ids);
      if (found.length === ids.length) return alignById(ids, found);
      const known = new Set(found.map((u) => u.id));
      const missing = ids.filter((id) => !known.has(id));
      return alignById(ids, [...found, ...(await this.users.findTombstones(missing))]);
    });
  }

  async me(viewer: Viewer): Promise<User> {
    const user = await this.users.findById(viewer.userId);
    if (!user) throw unauthenticated("Account no longer exists");
    return user;
  }

  async updateMe(viewer: Viewer, raw: unknown): Promise<User> {
    const input = parseInput(updateMeInput, raw);
    const current = await this.users.findById(viewer.userId);
    if (!current) throw notFound("User");
    return this.users.update(viewer.userId, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.roles !== undefined ? { roles: nextRoles(current.roles, input.roles) } : {}),
    });
  }
}

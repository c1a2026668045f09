import { randomUUID } from "node:crypto";
import { conflict, unauthenticated, type Logger, type Viewer } from "@fixup/platform";
import { avatarKey, type AvatarInputType } from "../domain/avatar.js";
import type { UserRepository } from "../repository/user-repository.js";
import { sharpAvatarEncoder, type ImageEncoder } from "./avatar-encoder.js";
import { detectAvatarType } from "./avatar-type.js";
import type { ObjectStorage } from "./storage.js";

export interface AvatarServiceDeps {
  users: UserRepository;
  storage: ObjectStorage;
  logger: Logger;
  encoder?: ImageEncoder;
  newId?: () => string;
}

export interface AvatarUpdated {
  avatarKey: string;
  avatarUrl: string;
}

/** Replacing a user's avatar: validate, re-encode, store under a fresh key, commit, then clean up. */
export class AvatarService {
  private readonly users: UserRepository;
  private readonly storage: ObjectStorage;
  private readonly logger: Logger;
  private readonly encoder: ImageEncoder;
  private readonly newId: () => string;

  constructor(deps: AvatarServiceDeps) {
    this.users = deps.users;
    this.storage = deps.storage;
    this.logger = deps.logger;
    this.encoder = deps.encoder ?? sharpAvatarEncoder();
    this.newId = deps.newId ?? randomUUID;
  }

  /** For the upload route: reject a wrong type from the first bytes, before the rest of the body is read. */
  checkType(head: Uint8Array): Promise<AvatarInputType> {
    return detectAvatarType(head);
  }

  /**
   * Order matters for consistency without a distributed transaction: the new object is written first, the
   * database row is switched to it, and only then is the old object deleted. Every failure leaves the user with a
   * working avatar (the old one, or the new one) and at worst an orphaned object, never a row pointing at nothing.
   */
  async replace(viewer: Viewer, upload: Buffer): Promise<AvatarUpdated> {
    await detectAvatarType(upload);
    const user = await this.users.findById(viewer.userId);
    if (!user) throw unauthenticated("Account no longer exists");
    const image = await this.encoder.encode(upload);
    const key = avatarKey(user.id, this.newId(), image.extension);
    await this.storage.put(key, image.data, image.contentType);
    let swapped: boolean;
    try {
      // Conditional on the avatar read above: of two concurrent uploads one wins, the other cleans up after itself.
      swapped = await this.users.swapAvatarKey(user.id, user.avatarKey, key);
    } catch (error) {
      await this.discard(key, "new avatar after a failed update");
      throw error;
    }
    if (!swapped) {
      await this.discard(key, "new avatar that lost to a concurrent upload");
      throw conflict("The avatar changed during this upload; try again");
    }
    if (user.avatarKey) await this.discard(user.avatarKey, "replaced avatar");
    return { avatarKey: key, avatarUrl: this.storage.publicUrl(key) };
  }

  /** The account is gone: its avatar object should not outlive it. */
  async removeFor(user: { avatarKey: string | null }): Promise<void> {
    if (user.avatarKey) await this.discard(user.avatarKey, "avatar of a deleted account");
  }

  /** Best effort: the request's outcome is already decided, a leftover object only costs storage. */
  private async discard(key: string, what: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (error) {
      this.logger.warn({ err: error, key }, `could not delete ${what}; the object is orphaned`);
    }
  }
}

import type DataLoader from "dataloader";
import type { RequestContext } from "@fixup/platform";
import type { User } from "../domain/user.js";
import type { AccountEmailService } from "../service/account-email-service.js";
import type { AuthService } from "../service/auth-service.js";
import type { IdentityService } from "../service/identity-service.js";
import type { ModerationService, SuspensionView } from "../service/moderation-service.js";
import type { UserService } from "../service/user-service.js";

export interface UsersContext extends RequestContext {
  auth: AuthService;
  accountEmails: AccountEmailService;
  users: UserService;
  userLoader: DataLoader<string, User | null>;
  identity: IdentityService;
  /** Identity-number previews by user id (visibility is checked by the resolver). */
  identityPreviews: DataLoader<string, string | null>;
  ip?: string;
  /** Users this request proved to be the caller (register/login payloads). */
  selfIds: Set<string>;
  avatarUrl: (key: string | null) => string | null;
  moderation: ModerationService;
  /** Per request: each user's current suspension (batched). */
  suspensionLoader: DataLoader<string, SuspensionView>;
}

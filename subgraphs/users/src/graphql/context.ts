import type DataLoader from "dataloader";
import type { RequestContext } from "@fixup/platform";
import type { SeenUser } from "../domain/access.js";
import type { AccountEmailService } from "../service/account-email-service.js";
import type { AuthService } from "../service/auth-service.js";
import type { IdentityService } from "../service/identity-service.js";
import type { ModerationService, SuspensionView } from "../service/moderation-service.js";
import type { UserService } from "../service/user-service.js";

export interface UsersContext extends RequestContext {
  auth: AuthService;
  accountEmails: AccountEmailService;
  users: UserService;
  /** Users as this request's viewer sees them. */
  userLoader: DataLoader<string, SeenUser | null>;
  identity: IdentityService;
  /** Identity-number previews by user id; shown where the user's `shown.identityPreview` says. */
  identityPreviews: DataLoader<string, string | null>;
  ip?: string;
  avatarUrl: (key: string | null) => string | null;
  moderation: ModerationService;
  /** Per request: each user's current suspension (batched). */
  suspensionLoader: DataLoader<string, SuspensionView>;
}

import type DataLoader from "dataloader";
import type { RequestContext } from "@fixup/platform";
import type { User } from "../domain/user.js";
import type { AuthService } from "../service/auth-service.js";
import type { UserService } from "../service/user-service.js";

export interface UsersContext extends RequestContext {
  auth: AuthService;
  users: UserService;
  userLoader: DataLoader<string, User | null>;
  ip?: string;
  /** Users this request proved to be the caller (register/login payloads). */
  selfIds: Set<string>;
  avatarUrl: (key: string | null) => string | null;
}

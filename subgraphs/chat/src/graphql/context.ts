import type { PubSub, RequestContext } from "@fixup/platform";
import type { ChatLoaders, ChatService } from "../service/chat-service.js";

export interface ChatContext extends RequestContext {
  chat: ChatService;
  /** Replaced per subscription event, so every event is read fresh rather than from a cache of the first one. */
  loaders: ChatLoaders;
  pubsub: PubSub;
}

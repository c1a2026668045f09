import type { LivePublish } from "@fixup/platform";
import type { Message } from "../domain/conversation.js";

/** Topics of the chat subscriptions; payloads carry ids only, subscribers re-read what they may see. */
export const liveTopics = {
  messageAdded: (conversationId: string) => `chat:messageAdded:${conversationId}`,
};

/** Fire-and-forget (best-effort, see platform live-publisher): a mutation never waits for, or fails on, these. */
export interface LiveEvents {
  messageAdded(message: Message): void;
}

/** Called after the transaction commits, so a subscriber never sees a message that was rolled back. */
export function pubSubLiveEvents(publish: LivePublish): LiveEvents {
  return {
    messageAdded: (message) => publish("messageAdded", liveTopics.messageAdded(message.conversationId), { id: message.id }),
  };
}

export const noLiveEvents: LiveEvents = { messageAdded: () => undefined };

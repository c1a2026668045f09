import type { PubSub } from "@fixup/platform";
import type { Message } from "../domain/conversation.js";

/** Topics of the chat subscriptions; payloads carry ids only, subscribers re-read what they may see. */
export const liveTopics = {
  messageAdded: (conversationId: string) => `chat:messageAdded:${conversationId}`,
};

export interface LiveEvents {
  messageAdded(message: Message): Promise<void>;
}

/** Published after the transaction commits, so a subscriber never sees a message that was rolled back. */
export function pubSubLiveEvents(pubsub: PubSub, onError: (error: unknown) => void): LiveEvents {
  return {
    messageAdded: (message) => pubsub.publish(liveTopics.messageAdded(message.conversationId), { id: message.id }).catch(onError),
  };
}

export const noLiveEvents: LiveEvents = { messageAdded: async () => undefined };

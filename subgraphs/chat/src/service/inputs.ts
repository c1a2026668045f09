import { z } from "zod";
import { decodeCursor, pageRequest, parseInput, type PageRequest } from "@fixup/platform";

const uuid = (what: string) => z.uuid(`must be a valid ${what} id`);

export const idInput = (what: string) => uuid(what);

export const startConversationInput = z.object({
  orderId: uuid("order"),
  providerId: uuid("user").nullish(),
});

/** The body's own rules (trim, length) are the domain's; here it only has to be a string. */
export const sendMessageInput = z.object({
  conversationId: uuid("conversation"),
  body: z.string(),
});

/** The reason's rules (trim, length) are the domain's. */
export const hideMessageInput = z.object({
  id: uuid("message"),
  reason: z.string({ error: "is required" }).max(10_000, "is too long"),
});

export interface MessagePageArgs {
  first?: number | null;
  before?: string | null;
}

/** A newest-first page: `before` is a cursor from an earlier page, the next page holds older messages. */
export const messagePage = (args: MessagePageArgs): PageRequest => ({
  take: pageRequest({ first: args.first }).take,
  after: args.before ? decodeCursor(args.before, "before") : null,
});

export { parseInput };

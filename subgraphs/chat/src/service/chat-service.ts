import DataLoader from "dataloader";
import {
  alignById,
  badInput,
  forbidden,
  notFound,
  pageRequest,
  toConnection,
  type Connection,
  alwaysCaughtUp,
  optionalViewer,
  type PageArgs,
  OPEN_TRADING,
  type ReadModelFreshness,
  type TradingGate,
  type Viewer,
} from "@fixup/platform";
import { isParticipant, type Conversation, type Message } from "../domain/conversation.js";
import { checkMessageBody } from "../domain/message-body.js";
import { canSee, canSeeHiding, hideReasonProblem, isStaff } from "../domain/moderation.js";
import { conversationStart } from "../domain/participants.js";
import type { ChatRepository } from "../repository/chat-repository.js";
import { hideMessageInput, idInput, messagePage, parseInput, sendMessageInput, startConversationInput, type MessagePageArgs } from "./inputs.js";
import { noLiveEvents, type LiveEvents } from "./live-events.js";

/** Who acts: the verified viewer of a request. */
export type Actor = Viewer;

/** Per-request batch loaders: every list of entities costs one query per loader, whatever its length. */
export interface ChatLoaders {
  conversation: DataLoader<string, Conversation | null>;
  message: DataLoader<string, Message | null>;
  lastMessage: DataLoader<string, Message | null>;
  /** The viewer's conversations per order id. */
  conversationsOfOrder: DataLoader<string, Conversation[]>;
  /** The viewer's unread count per conversation id. */
  unreadCount: DataLoader<string, number>;
}

const conversationNotFound = () => notFound("Conversation");
const messageNotFound = () => notFound("Message");

export class ChatService {
  constructor(
    private readonly chat: ChatRepository,
    private readonly live: LiveEvents = noLiveEvents,
    /** orders' events → order participants: consulted before refusing someone who may have just offered. */
    private readonly ordersEvents: ReadModelFreshness = alwaysCaughtUp,
    /** Starting a conversation and sending need a confirmed e-mail address when the deployment says so. */
    private readonly gate: TradingGate = OPEN_TRADING,
  ) {}


  createLoaders(viewer: () => Promise<Viewer | null>): ChatLoaders {
    const viewerId = async () => (await viewer())?.userId ?? null;
    const includeHidden = async () => isStaff((await optionalViewer({ viewer }))?.roles ?? []);
    return {
      conversation: new DataLoader(async (ids) => alignById(ids, await this.chat.findConversations(ids))),
      message: new DataLoader(async (ids) => alignById(ids, await this.chat.findMessages(ids))),
      lastMessage: new DataLoader(async (ids) => {
        const messages = new Map((await this.chat.lastMessages(ids, { includeHidden: await includeHidden() })).map((m) => [m.conversationId, m]));
        return ids.map((id) => messages.get(id) ?? null);
      }),
      conversationsOfOrder: new DataLoader(async (orderIds) => {
        const userId = await viewerId();
        const conversations = userId ? await this.chat.conversationsOfOrders(orderIds, userId) : [];
        return orderIds.map((id) => conversations.filter((c) => c.orderId === id));
      }),
      unreadCount: new DataLoader(async (ids) => {
        const userId = await viewerId();
        const counts = userId ? await this.chat.unreadCounts(userId, ids) : new Map<string, number>();
        return ids.map((id) => counts.get(id) ?? 0);
      }),
    };
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  /** The conversation if the actor takes part in it; NOT_FOUND otherwise, so existence never leaks. */
  async getConversation(actor: Actor, id: string, loaders: ChatLoaders, field = "id"): Promise<Conversation> {
    const conversationId = parseInput(idInput("conversation"), id, field);
    const conversation = await loaders.conversation.load(conversationId);
    if (!conversation || !isParticipant(conversation, actor.userId)) throw conversationNotFound();
    return conversation;
  }

  /** For federation references: null (not an error) when absent or not the actor's. */
  async visibleConversation(actor: Actor | null, id: string, loaders: ChatLoaders): Promise<Conversation | null> {
    if (!actor) return null;
    const conversation = await loaders.conversation.load(id);
    return conversation && isParticipant(conversation, actor.userId) ? conversation : null;
  }

  /**
   * A message is visible to the participants of its conversation, unless a moderator hid it (then to participants who
   * are staff only). Staff read no conversation they are not part of. NOT_FOUND to everyone else.
   */
  async getMessage(actor: Actor, id: string, loaders: ChatLoaders): Promise<Message> {
    const messageId = parseInput(idInput("message"), id, "id");
    const message = await this.visibleMessage(actor, messageId, loaders);
    if (!message) throw messageNotFound();
    return message;
  }

  async visibleMessage(actor: Actor | null, id: string, loaders: ChatLoaders): Promise<Message | null> {
    if (!actor) return null;
    const message = await loaders.message.load(id);
    if (!message || !canSee(message, actor.roles)) return null;
    const conversation = await loaders.conversation.load(message.conversationId);
    return conversation && isParticipant(conversation, actor.userId) ? message : null;
  }

  /** The customer sees every conversation of their order, a provider only their own, anyone else none. */
  conversationsOfOrder(orderId: string, loaders: ChatLoaders): Promise<Conversation[]> {
    return loaders.conversationsOfOrder.load(orderId);
  }

  async myConversations(actor: Actor, args: PageArgs): Promise<Connection<Conversation>> {
    const page = pageRequest(args);
    const result = await this.chat.listConversations(actor.userId, page);
    return toConnection(result.rows, page, result.totalCount, (c) => ({ createdAt: c.lastActivityAt, id: c.id }), (c) => c);
  }

  async messagesOf(actor: Actor, conversation: Conversation, args: MessagePageArgs): Promise<Connection<Message>> {
    this.ensureParticipant(actor, conversation);
    const page = messagePage(args);
    const result = await this.chat.listMessages(conversation.id, page, { includeHidden: isStaff(actor.roles) });
    return toConnection(result.rows, page, result.totalCount, (m) => m, (m) => m);
  }

  async lastMessageOf(actor: Actor, conversation: Conversation, loaders: ChatLoaders): Promise<Message | null> {
    this.ensureParticipant(actor, conversation);
    return loaders.lastMessage.load(conversation.id);
  }

  async unreadCountOf(actor: Actor, conversation: Conversation, loaders: ChatLoaders): Promise<number> {
    this.ensureParticipant(actor, conversation);
    return loaders.unreadCount.load(conversation.id);
  }

  /** messageAdded is for the two participants; everyone else gets NOT_FOUND at subscribe time. */
  authorizeMessageFeed(actor: Actor, conversationId: string, loaders: ChatLoaders): Promise<Conversation> {
    return this.getConversation(actor, conversationId, loaders, "conversationId");
  }

  // ---- commands ------------------------------------------------------------------------------------------

  /**
   * Opens (or returns) the conversation between the order's customer and one provider who offered on it. Who takes
   * part comes from orders' events only; an order chat has not heard of is NOT_FOUND like one the actor is not in.
   */
  async startConversation(actor: Actor, raw: unknown): Promise<Conversation> {
    this.gate.trader(actor);
    const input = parseInput(startConversationInput, raw);
    const decide = async () => conversationStart(actor.userId, await this.chat.findOrderParticipants(input.orderId), input.providerId ?? null);
    let start = await decide();
    // The order or the offer may have been made a moment ago, its event not yet applied here: catch up, then decide.
    if (!start.ok && start.refusal !== "PROVIDER_REQUIRED" && (await this.ordersEvents.caughtUp())) start = await decide();
    if (!start.ok) {
      switch (start.refusal) {
        case "NOT_PARTICIPANT":
          throw notFound("Order");
        case "PROVIDER_REQUIRED":
          throw badInput({ providerId: "is required when the customer starts a conversation" });
        case "NOT_OFFERING_PROVIDER":
          throw badInput({ providerId: "has no offer on this order" });
        case "OTHER_PROVIDER":
          throw forbidden("A provider can only start their own conversation on an order");
      }
    }
    return this.chat.createConversation({ orderId: input.orderId, customerId: start.customerId, providerId: start.providerId });
  }

  async sendMessage(actor: Actor, raw: unknown, loaders: ChatLoaders): Promise<Message> {
    this.gate.trader(actor);
    const input = parseInput(sendMessageInput, raw);
    const body = checkMessageBody(input.body);
    if (!body.ok) throw badInput({ body: body.problem });
    const conversation = await this.getConversation(actor, input.conversationId, loaders, "conversationId");
    const message = await this.chat.addMessage({ conversationId: conversation.id, senderId: actor.userId, body: body.body });
    // The conversation's activity time, last message and read mark changed: later fields of this request re-read.
    loaders.conversation.clear(conversation.id);
    loaders.lastMessage.clear(conversation.id);
    loaders.unreadCount.clear(conversation.id);
    loaders.message.prime(message.id, message);
    this.live.messageAdded(message);
    return message;
  }

  async markRead(actor: Actor, conversationId: string, loaders: ChatLoaders): Promise<Conversation> {
    const conversation = await this.getConversation(actor, conversationId, loaders, "conversationId");
    await this.chat.markRead(conversation.id, actor.userId);
    loaders.unreadCount.clear(conversation.id);
    return conversation;
  }

  /**
   * MODERATOR or ADMIN (FORBIDDEN otherwise), whether or not they take part in the conversation: hides the message
   * for everyone but staff, with an audit row. Hiding a hidden message changes nothing. Nothing is re-delivered to
   * messageAdded subscribers.
   */
  /** When and why `message` was hidden, as `actor` may see it: staff only, nulls for everyone else. */
  hidingOf(actor: Actor | null, message: Message): { reason: string | null; at: Date | null } {
    return actor && canSeeHiding(actor.roles) ? { reason: message.hiddenReason ?? null, at: message.hiddenAt ?? null } : { reason: null, at: null };
  }

  async hideMessage(actor: Actor, raw: unknown, loaders: ChatLoaders): Promise<Message> {
    if (!isStaff(actor.roles)) throw forbidden("Moderators and admins only");
    const input = parseInput(hideMessageInput, raw);
    const problem = hideReasonProblem(input.reason);
    if (problem) throw badInput({ reason: problem });
    const hidden = await this.chat.hideMessage(input.id, { actorId: actor.userId, reason: input.reason.trim(), at: new Date() });
    if (!hidden) throw messageNotFound();
    loaders.message.clear(hidden.message.id).prime(hidden.message.id, hidden.message);
    loaders.lastMessage.clear(hidden.message.conversationId);
    loaders.unreadCount.clear(hidden.message.conversationId);
    return hidden.message;
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Fields of a conversation re-check the actor, whatever path the conversation came by. */
  private ensureParticipant(actor: Actor, conversation: Conversation): void {
    if (!isParticipant(conversation, actor.userId)) throw conversationNotFound();
  }
}


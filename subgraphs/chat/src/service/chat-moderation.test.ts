import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ErrorCode } from "@fixup/platform";
import { appError } from "@fixup/platform/testing";
import type { Actor } from "./chat-service.js";
import { actor, chatServiceHarness } from "../../test/chat-service-harness.js";

const customer = actor("CUSTOMER");
const provider = actor("PROVIDER");
/** A participant who is also staff: sees hidden messages of their own conversations. */
const staffCustomer = actor("CUSTOMER", "MODERATOR");
const moderator = actor("MODERATOR");
const admin = actor("ADMIN");

async function setup(customerActor: Actor = customer) {
  const { repo, published, service, loaders, start, send: sendTo } = await chatServiceHarness(customerActor, [provider]);
  const conversation = await start(customerActor, provider.userId);
  const send = (by: Actor, body: string) => sendTo(by, conversation.id, body);
  const first = await send(customerActor, "hello");
  const rude = await send(provider, "something rude");
  published.length = 0;
  const view = async (a: Actor) => ({
    messages: (await service.messagesOf(a, conversation, {})).edges.map((e) => e.node.body),
    total: (await service.messagesOf(a, conversation, {})).totalCount,
    last: (await service.lastMessageOf(a, conversation, loaders(a)))?.body ?? null,
    unread: await service.unreadCountOf(a, conversation, loaders(a)),
    byId: await service.getMessage(a, rude.id, loaders(a)).then((m) => m.body, (e: { code: string }) => e.code),
  });
  return { repo, service, loaders, conversation, first, rude, published, view, send };
}

describe("hideMessage", () => {
  test("a moderator who takes no part hides a message: omitted for both participants (the sender too), audited, nothing re-delivered", async () => {
    const { service, loaders, rude, view, repo, published } = await setup();
    const hidden = await service.hideMessage(moderator, { id: rude.id, reason: "  insults " }, loaders(moderator));
    expect(hidden).toMatchObject({ id: rude.id, hiddenReason: "insults", hiddenBy: moderator.userId });
    expect(hidden.hiddenAt).toBeInstanceOf(Date);
    // the customer had one unread message (the rude one): hidden, it no longer counts
    for (const who of [customer, provider]) {
      expect(await view(who)).toEqual({ messages: ["hello"], total: 1, last: "hello", unread: 0, byId: ErrorCode.NOT_FOUND });
    }
    expect(repo.moderationActions).toMatchObject([{ actorId: moderator.userId, action: "HIDE_MESSAGE", messageId: rude.id, reason: "insults" }]);
    expect(published).toEqual([]);
  });

  test("a participant who is staff still sees it, marked hidden", async () => {
    const { service, loaders, rude, view } = await setup(staffCustomer);
    await service.hideMessage(admin, { id: rude.id, reason: "insults" }, loaders(admin));
    expect(await view(staffCustomer)).toEqual({ messages: ["something rude", "hello"], total: 2, last: "something rude", unread: 0, byId: "something rude" });
    expect(await view(provider)).toMatchObject({ messages: ["hello"], byId: ErrorCode.NOT_FOUND });
  });

  test("hiding again changes nothing (the first reason stays, one audit row)", async () => {
    const { service, loaders, rude, repo } = await setup();
    await service.hideMessage(moderator, { id: rude.id, reason: "insults" }, loaders(moderator));
    const again = await service.hideMessage(admin, { id: rude.id, reason: "other reason" }, loaders(admin));
    expect(again).toMatchObject({ hiddenReason: "insults", hiddenBy: moderator.userId });
    expect(repo.moderationActions).toHaveLength(1);
  });

  test.each<[string, Actor, Record<string, unknown>, string, Record<string, string> | undefined]>([
    ["a customer", customer, {}, ErrorCode.FORBIDDEN, undefined],
    ["the sender", provider, {}, ErrorCode.FORBIDDEN, undefined],
    ["a short reason", moderator, { reason: "no" }, ErrorCode.BAD_USER_INPUT, { reason: "must hold 3..500 characters" }],
    ["a long reason", moderator, { reason: "x".repeat(501) }, ErrorCode.BAD_USER_INPUT, { reason: "must hold 3..500 characters" }],
    ["a malformed id", moderator, { id: "m1" }, ErrorCode.BAD_USER_INPUT, { id: "must be a valid message id" }],
    ["an unknown message", admin, { id: randomUUID() }, ErrorCode.NOT_FOUND, undefined],
  ])("refused: %s", async (_name, who, input, code, fields) => {
    const { service, loaders, rude, repo, view } = await setup();
    const error = await appError(service.hideMessage(who, { id: rude.id, reason: "insults", ...input }, loaders(who)));
    expect([error.code, error.fields]).toEqual([code, fields]);
    expect(repo.moderationActions).toEqual([]);
    expect((await view(customer)).messages).toEqual(["something rude", "hello"]);
  });
});

import { describe, expect, test } from "vitest";
import { privateFieldsShown, seenBy, seenByItself, type Looker, type PrivateFieldsShown } from "./access.js";
import { tombstone, type User } from "./user.js";

const account: User = {
  id: "u1",
  email: "owner@example.com",
  name: "Owner",
  roles: ["PROVIDER"],
  avatarKey: null,
  bio: null,
  emailVerifiedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};
const deleted = tombstone("u1", new Date(0));

const ALL: PrivateFieldsShown = { email: true, identityPreview: true, suspension: true, suspensionReason: true };
const NONE: PrivateFieldsShown = { email: false, identityPreview: false, suspension: false, suspensionReason: false };
const SELF: PrivateFieldsShown = { ...ALL, suspensionReason: false };

describe("privateFieldsShown: what of an account a viewer sees", () => {
  test.each<{ case: string; viewer: Looker | null; user: User; shown: PrivateFieldsShown }>([
    { case: "the account itself", viewer: { userId: "u1", roles: ["PROVIDER"] }, user: account, shown: SELF },
    { case: "the account itself, no roles in its token", viewer: { userId: "u1", roles: [] }, user: account, shown: SELF },
    { case: "a moderator", viewer: { userId: "m", roles: ["MODERATOR"] }, user: account, shown: ALL },
    { case: "an admin", viewer: { userId: "a", roles: ["CUSTOMER", "ADMIN"] }, user: account, shown: ALL },
    { case: "another customer", viewer: { userId: "c", roles: ["CUSTOMER"] }, user: account, shown: NONE },
    { case: "another provider", viewer: { userId: "p", roles: ["PROVIDER"] }, user: account, shown: NONE },
    { case: "anonymous", viewer: null, user: account, shown: NONE },
    { case: "a deleted account, to staff", viewer: { userId: "a", roles: ["ADMIN"] }, user: deleted, shown: NONE },
    { case: "a deleted account, to itself", viewer: { userId: "u1", roles: ["CUSTOMER"] }, user: deleted, shown: NONE },
  ])("$case", ({ viewer, user, shown }) => {
    expect(privateFieldsShown(viewer, user)).toEqual(shown);
  });

  test("a user handed out carries the decision for its viewer; register/login/refresh hand it to itself", () => {
    expect(seenBy(null, account)).toEqual({ ...account, shown: NONE });
    expect(seenByItself(account)).toEqual({ ...account, shown: SELF });
    expect(seenByItself({ ...account, roles: ["ADMIN"] }).shown).toEqual(ALL);
  });
});

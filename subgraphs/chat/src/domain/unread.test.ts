import { describe, expect, test } from "vitest";
import { advanceReadMark, isUnread } from "./unread.js";

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe("isUnread", () => {
  test.each([
    { case: "other's message, no read mark", sender: "other", createdAt: 10, mark: null, unread: true },
    { case: "other's message after the mark", sender: "other", createdAt: 10, mark: 9, unread: true },
    { case: "other's message at the mark", sender: "other", createdAt: 10, mark: 10, unread: false },
    { case: "other's message before the mark", sender: "other", createdAt: 10, mark: 11, unread: false },
    { case: "own message, no read mark", sender: "me", createdAt: 10, mark: null, unread: false },
    { case: "own message after the mark", sender: "me", createdAt: 10, mark: 1, unread: false },
    { case: "hidden message of another, no read mark", sender: "other", createdAt: 10, mark: null, hidden: true, unread: false },
    { case: "hidden message of another after the mark", sender: "other", createdAt: 10, mark: 9, hidden: true, unread: false },
  ])("$case → $unread", ({ sender, createdAt, mark, hidden = false, unread }) => {
    const message = { senderId: sender, createdAt: at(createdAt), hiddenAt: hidden ? at(createdAt + 1) : null };
    expect(isUnread(message, "me", mark === null ? null : at(mark))).toBe(unread);
  });
});

describe("advanceReadMark", () => {
  test.each([
    { case: "no mark yet", current: null, candidate: 5, result: 5 },
    { case: "forward", current: 3, candidate: 5, result: 5 },
    { case: "same", current: 5, candidate: 5, result: 5 },
    { case: "never backwards", current: 7, candidate: 5, result: 7 },
  ])("$case → $result", ({ current, candidate, result }) => {
    expect(advanceReadMark(current === null ? null : at(current), at(candidate))).toEqual(at(result));
  });
});

import { describe, expect, test } from "vitest";
import { checkMessageBody, MAX_BODY_LENGTH } from "./message-body.js";

describe("checkMessageBody", () => {
  test.each([
    { case: "plain text", raw: "Hello", body: "Hello" },
    { case: "surrounding whitespace is trimmed", raw: "  \n\tHello there \n", body: "Hello there" },
    { case: "inner whitespace and newlines are kept", raw: "line 1\n\n  line 2", body: "line 1\n\n  line 2" },
    { case: "one character", raw: "x", body: "x" },
    { case: "exactly the maximum", raw: "a".repeat(MAX_BODY_LENGTH), body: "a".repeat(MAX_BODY_LENGTH) },
    { case: "the maximum after trimming", raw: `  ${"a".repeat(MAX_BODY_LENGTH)}  `, body: "a".repeat(MAX_BODY_LENGTH) },
    { case: "emoji count once each (code points)", raw: "😀".repeat(MAX_BODY_LENGTH), body: "😀".repeat(MAX_BODY_LENGTH) },
  ])("accepts $case", ({ raw, body }) => {
    expect(checkMessageBody(raw)).toEqual({ ok: true, body });
  });

  test.each([
    { case: "empty", raw: "", problem: "must not be empty" },
    { case: "only spaces", raw: "     ", problem: "must not be empty" },
    { case: "only newlines and tabs", raw: "\n\t\r\n", problem: "must not be empty" },
    { case: "one over the maximum", raw: "a".repeat(MAX_BODY_LENGTH + 1), problem: "must be at most 4000 characters" },
    { case: "one emoji over the maximum", raw: "😀".repeat(MAX_BODY_LENGTH + 1), problem: "must be at most 4000 characters" },
  ])("rejects $case", ({ raw, problem }) => {
    expect(checkMessageBody(raw)).toEqual({ ok: false, problem });
  });
});

import { describe, expect, test } from "vitest";
import { canResolve, isSelfReport, openReportKey, reportTargetOf, type ReportStatus } from "./report.js";

const ID = "11111111-1111-4111-8111-111111111111";

describe("reportTargetOf: exactly one of userId, reviewId, messageId", () => {
  const problem = { ok: false, problem: "must name exactly one of userId, reviewId, messageId" };
  test.each<[string, Record<string, string | null | undefined>, unknown]>([
    ["a user", { userId: ID }, { ok: true, target: { type: "USER", id: ID } }],
    ["a review", { reviewId: ID }, { ok: true, target: { type: "REVIEW", id: ID } }],
    ["a message", { messageId: ID, userId: null }, { ok: true, target: { type: "MESSAGE", id: ID } }],
    ["nothing", {}, problem],
    ["only nulls", { userId: null, reviewId: null }, problem],
    ["two", { userId: ID, reviewId: ID }, problem],
    ["three", { userId: ID, reviewId: ID, messageId: ID }, problem],
  ])("%s", (_name, input, expected) => {
    expect(reportTargetOf(input)).toEqual(expected);
  });
});

test.each<[string, { type: "USER" | "REVIEW" | "MESSAGE"; id: string }, boolean]>([
  ["oneself", { type: "USER", id: "me" }, true],
  ["another user", { type: "USER", id: "you" }, false],
  ["a review whose id happens to equal one's own", { type: "REVIEW", id: "me" }, false],
])("isSelfReport: %s", (_name, target, expected) => {
  expect(isSelfReport("me", target)).toBe(expected);
});

test.each<[ReportStatus, boolean]>([
  ["OPEN", true],
  ["RESOLVED", false],
  ["DISMISSED", false],
])("canResolve a %s report: %s", (status, expected) => {
  expect(canResolve({ status })).toBe(expected);
});

test("one open key per reporter, target type and target", () => {
  expect(openReportKey("r", { type: "USER", id: ID })).not.toBe(openReportKey("r", { type: "REVIEW", id: ID }));
  expect(openReportKey("r", { type: "USER", id: ID })).toBe(openReportKey("r", { type: "USER", id: ID }));
});

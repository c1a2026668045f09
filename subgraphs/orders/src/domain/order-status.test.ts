import { describe, expect, test } from "vitest";
import { allowedFrom, ORDER_COMMANDS, ORDER_STATUSES, transition, type OrderCommand, type OrderStatus } from "./order-status.js";

// Every status × every command: the next status, or null for INVALID_STATE. Adding a status or a command without
// extending this table fails the "table is exhaustive" test.
const EXPECTED: Record<OrderStatus, Record<OrderCommand, OrderStatus | null>> = {
  OPEN: { SUBMIT_OFFER: "OPEN", WITHDRAW_OFFER: "OPEN", ACCEPT_OFFER: "ASSIGNED", START: null, PAUSE: null, RESUME: null, COMPLETE: null, CANCEL: "CANCELLED", REVIEW: null },
  ASSIGNED: { SUBMIT_OFFER: null, WITHDRAW_OFFER: null, ACCEPT_OFFER: null, START: "IN_PROGRESS", PAUSE: null, RESUME: null, COMPLETE: null, CANCEL: "CANCELLED", REVIEW: null },
  IN_PROGRESS: { SUBMIT_OFFER: null, WITHDRAW_OFFER: null, ACCEPT_OFFER: null, START: null, PAUSE: "PAUSED", RESUME: null, COMPLETE: "COMPLETED", CANCEL: null, REVIEW: null },
  PAUSED: { SUBMIT_OFFER: null, WITHDRAW_OFFER: null, ACCEPT_OFFER: null, START: null, PAUSE: null, RESUME: "IN_PROGRESS", COMPLETE: null, CANCEL: "CANCELLED", REVIEW: null },
  COMPLETED: { SUBMIT_OFFER: null, WITHDRAW_OFFER: null, ACCEPT_OFFER: null, START: null, PAUSE: null, RESUME: null, COMPLETE: null, CANCEL: null, REVIEW: "COMPLETED" },
  CANCELLED: { SUBMIT_OFFER: null, WITHDRAW_OFFER: null, ACCEPT_OFFER: null, START: null, PAUSE: null, RESUME: null, COMPLETE: null, CANCEL: null, REVIEW: null },
};

const cases = ORDER_STATUSES.flatMap((status) => ORDER_COMMANDS.map((command) => [status, command, EXPECTED[status][command]] as const));

describe("order state machine", () => {
  test("table is exhaustive", () => {
    expect(cases).toHaveLength(ORDER_STATUSES.length * ORDER_COMMANDS.length);
    for (const [, , next] of cases) expect(next === null || ORDER_STATUSES.includes(next)).toBe(true);
  });

  test.each(cases)("%s + %s → %s", (status, command, next) => {
    const result = transition(status, command);
    if (next === null) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(status);
    } else {
      expect(result).toEqual({ ok: true, next });
    }
  });

  test.each(ORDER_COMMANDS.map((c) => [c] as const))("allowedFrom(%s) lists exactly the statuses it may start from", (command) => {
    const expected = ORDER_STATUSES.filter((s) => EXPECTED[s][command] !== null);
    expect(allowedFrom(command)).toEqual(expected);
  });

  test("terminal statuses accept nothing that changes them", () => {
    for (const command of ORDER_COMMANDS) {
      const fromCancelled = transition("CANCELLED", command);
      expect(fromCancelled.ok).toBe(false);
      const fromCompleted = transition("COMPLETED", command);
      if (fromCompleted.ok) expect(fromCompleted.next).toBe("COMPLETED");
    }
  });
});

export const ORDER_STATUSES = ["OPEN", "ASSIGNED", "IN_PROGRESS", "PAUSED", "COMPLETED", "CANCELLED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Everything that can be asked of an order; each is allowed from some statuses only. */
export const ORDER_COMMANDS = ["SUBMIT_OFFER", "WITHDRAW_OFFER", "ACCEPT_OFFER", "START", "PAUSE", "RESUME", "COMPLETE", "CANCEL", "REVIEW"] as const;
export type OrderCommand = (typeof ORDER_COMMANDS)[number];

/**
 * OPEN → ASSIGNED (offer accepted) → IN_PROGRESS → COMPLETED; IN_PROGRESS ⇄ PAUSED (work interrupted, with a reason);
 * OPEN|ASSIGNED|PAUSED → CANCELLED; COMPLETED only from IN_PROGRESS (a paused job resumes first). Offers come and go
 * only while OPEN; a review only after COMPLETED. Missing entries are not allowed.
 */
const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderCommand, OrderStatus>>> = {
  OPEN: { SUBMIT_OFFER: "OPEN", WITHDRAW_OFFER: "OPEN", ACCEPT_OFFER: "ASSIGNED", CANCEL: "CANCELLED" },
  ASSIGNED: { START: "IN_PROGRESS", CANCEL: "CANCELLED" },
  IN_PROGRESS: { PAUSE: "PAUSED", COMPLETE: "COMPLETED" },
  PAUSED: { RESUME: "IN_PROGRESS", CANCEL: "CANCELLED" },
  COMPLETED: { REVIEW: "COMPLETED" },
  CANCELLED: {},
};

export type Transition = { ok: true; next: OrderStatus } | { ok: false; reason: string };

export function transition(status: OrderStatus, command: OrderCommand): Transition {
  const next = TRANSITIONS[status][command];
  return next ? { ok: true, next } : { ok: false, reason: `Cannot ${describe(command)} an order that is ${status}` };
}

/** The statuses a command may start from: repositories use them as the WHERE of a conditional update. */
export function allowedFrom(command: OrderCommand): OrderStatus[] {
  return ORDER_STATUSES.filter((s) => TRANSITIONS[s][command] !== undefined);
}

const describe = (command: OrderCommand) => command.toLowerCase().replace("_", " ");

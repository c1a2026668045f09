/** When the customer wants the work done. An order without one can be done any time. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/** Problems per field (`from`, `to`), or null: `from` before `to`, and `to` still ahead at `now`. */
export function timeWindowProblems(window: TimeWindow, now: Date): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (window.from.getTime() >= window.to.getTime()) problems.from = "must be before to";
  if (window.to.getTime() <= now.getTime()) problems.to = "must be in the future";
  return Object.keys(problems).length ? problems : null;
}

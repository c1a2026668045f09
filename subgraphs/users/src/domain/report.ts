export type ReportTargetType = "USER" | "REVIEW" | "MESSAGE";
export type ReportStatus = "OPEN" | "RESOLVED" | "DISMISSED";
/** How staff close a report. */
export type ReportResolution = Exclude<ReportStatus, "OPEN">;

export interface ReportTarget {
  type: ReportTargetType;
  id: string;
}

export interface Report {
  id: string;
  reporterId: string;
  target: ReportTarget;
  reason: string;
  status: ReportStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export const REPORT_REASON_MIN = 3;
export const REPORT_REASON_MAX = 1000;
export const REPORT_NOTE_MAX = 1000;
/** A reporter's open reports at once; more is RATE_LIMITED until staff handle some. */
export const MAX_OPEN_REPORTS_PER_REPORTER = 20;

/** The input's keys per target type: exactly one is given. */
export const TARGET_KEYS: Record<ReportTargetType, "userId" | "reviewId" | "messageId"> = {
  USER: "userId",
  REVIEW: "reviewId",
  MESSAGE: "messageId",
};

export type TargetChoice = { ok: true; target: ReportTarget } | { ok: false; problem: string };

/** `{ userId | reviewId | messageId }`: exactly one of them names what is reported. */
export function reportTargetOf(input: { userId?: string | null; reviewId?: string | null; messageId?: string | null }): TargetChoice {
  const given = (Object.entries(TARGET_KEYS) as Array<[ReportTargetType, keyof typeof input]>).flatMap(([type, key]) => {
    const id = input[key];
    return id === undefined || id === null ? [] : [{ type, id }];
  });
  const [only] = given;
  if (given.length !== 1 || !only) return { ok: false, problem: "must name exactly one of userId, reviewId, messageId" };
  return { ok: true, target: only };
}

/** Reporting oneself is refused (there is nothing for staff to do). */
export const isSelfReport = (reporterId: string, target: ReportTarget): boolean => target.type === "USER" && target.id === reporterId;

/** Only an open report is resolved or dismissed; a handled one stays as it was. */
export const canResolve = (report: Pick<Report, "status">): boolean => report.status === "OPEN";

/** The key that keeps one open report per reporter and target. */
export const openReportKey = (reporterId: string, target: ReportTarget): string => `${reporterId}:${target.type}:${target.id}`;

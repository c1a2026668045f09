import { z } from "zod";
import { ROLES } from "../domain/generated/roles.js";
import { REPORT_NOTE_MAX, REPORT_REASON_MAX, REPORT_REASON_MIN } from "../domain/report.js";

// Shapes only; the rules (reason lengths of a suspension, `until` ahead, exactly one target) live in the domain.
const id = z.string({ error: "is required" }).uuid("must be a valid id");
const optionalId = z.string().uuid("must be a valid id").nullish();
const role = z.enum(ROLES, "must be a role");
const dateTime = z.union([z.date(), z.string()]).pipe(z.coerce.date("must be a date-time"));

export const suspendInput = z.object({
  id,
  reason: z.string({ error: "is required" }).max(10_000, "is too long"),
  until: dateTime.nullish(),
});
export const userIdInput = z.object({ id });
export const roleInput = z.object({ userId: id, role });
export const reportInput = z.object({
  target: z.object({ userId: optionalId, reviewId: optionalId, messageId: optionalId }, "is required"),
  reason: z
    .string({ error: "is required" })
    .trim()
    .min(REPORT_REASON_MIN, `must hold ${REPORT_REASON_MIN}..${REPORT_REASON_MAX} characters`)
    .max(REPORT_REASON_MAX, `must hold ${REPORT_REASON_MIN}..${REPORT_REASON_MAX} characters`),
});
export const reportsInput = z.object({ status: z.enum(["OPEN", "RESOLVED", "DISMISSED"]).nullish() });
export const resolveReportInput = z.object({
  id,
  resolution: z.enum(["RESOLVED", "DISMISSED"], "must be RESOLVED or DISMISSED"),
  note: z.string().trim().max(REPORT_NOTE_MAX, `must be at most ${REPORT_NOTE_MAX} characters`).nullish(),
});
export const moderationLogInput = z.object({ subjectUserId: optionalId });

-- Moderation: account suspensions, users' reports, and the moderation audit log (issue 13).
-- CreateEnum
CREATE TYPE "ReportTargetType" AS ENUM ('USER', 'REVIEW', 'MESSAGE');

-- CreateEnum
CREATE TYPE "ReportStatus" AS ENUM ('OPEN', 'RESOLVED', 'DISMISSED');

-- CreateEnum
CREATE TYPE "ModerationAction" AS ENUM ('SUSPEND', 'UNSUSPEND', 'GRANT_ROLE', 'REVOKE_ROLE', 'RESOLVE_REPORT');

-- CreateTable
CREATE TABLE "account_suspensions" (
    "user_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3),
    "suspended_by" UUID NOT NULL,
    "suspended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_suspensions_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "reports" (
    "id" UUID NOT NULL,
    "reporter_id" UUID NOT NULL,
    "target_type" "ReportTargetType" NOT NULL,
    "target_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "ReportStatus" NOT NULL DEFAULT 'OPEN',
    "open_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" UUID,
    "resolution_note" TEXT,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_audit" (
    "id" UUID NOT NULL,
    "actor_id" UUID,
    "action" "ModerationAction" NOT NULL,
    "subject_user_id" UUID,
    "reason" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "account_suspensions_until_idx" ON "account_suspensions"("until");

-- CreateIndex
CREATE UNIQUE INDEX "reports_open_key_key" ON "reports"("open_key");

-- CreateIndex
CREATE INDEX "reports_status_created_at_id_idx" ON "reports"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "reports_created_at_id_idx" ON "reports"("created_at", "id");

-- CreateIndex
CREATE INDEX "reports_reporter_id_status_idx" ON "reports"("reporter_id", "status");

-- CreateIndex
CREATE INDEX "moderation_audit_subject_user_id_at_id_idx" ON "moderation_audit"("subject_user_id", "at", "id");

-- CreateIndex
CREATE INDEX "moderation_audit_at_id_idx" ON "moderation_audit"("at", "id");

-- AddForeignKey
ALTER TABLE "account_suspensions" ADD CONSTRAINT "account_suspensions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

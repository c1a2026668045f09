-- Jobs can pause (IN_PROGRESS ⇄ PAUSED) with a reason; offers may expire; moderators hide reviews (audited);
-- users' suspensions are mirrored so suspended accounts' open orders and pending offers are held back.
-- Additive only: existing rows keep their meaning (no pause reason, offers without a limit, reviews visible).

ALTER TYPE "OrderStatus" ADD VALUE IF NOT EXISTS 'PAUSED' AFTER 'IN_PROGRESS';

ALTER TABLE "orders" ADD COLUMN "pause_reason" TEXT;

ALTER TABLE "offers" ADD COLUMN "valid_until" TIMESTAMPTZ(3);

ALTER TABLE "reviews" ADD COLUMN "hidden_at" TIMESTAMPTZ(3),
                      ADD COLUMN "hidden_reason" TEXT;

CREATE TABLE "moderation_actions" (
    "id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "target_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_actions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "moderation_actions_target_id_at_idx" ON "moderation_actions"("target_id", "at");

CREATE TABLE "suspended_accounts" (
    "user_id" UUID NOT NULL,
    "until" TIMESTAMPTZ(3),
    "suspended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suspended_accounts_pkey" PRIMARY KEY ("user_id")
);

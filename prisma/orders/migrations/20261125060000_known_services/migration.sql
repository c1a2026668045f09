-- CreateTable
CREATE TABLE "known_services" (
    "service_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "known_services_pkey" PRIMARY KEY ("service_id")
);

-- Services providers were assigned to before this table existed are known services too.
INSERT INTO "known_services" ("service_id") SELECT DISTINCT "service_id" FROM "provider_services" ON CONFLICT DO NOTHING;

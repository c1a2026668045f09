-- Provider identity and profile. Existing accounts (providers included) get no identity number: they stay valid,
-- their preview is null, and they may add one through updateMe (README "Provider identity").
ALTER TABLE "users" ADD COLUMN "bio" TEXT;

CREATE TABLE "provider_identities" (
    "user_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "iv" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "tag" BYTEA NOT NULL,
    "preview" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_identities_pkey" PRIMARY KEY ("user_id")
);

CREATE INDEX "provider_identities_key_id_idx" ON "provider_identities"("key_id");

ALTER TABLE "provider_identities" ADD CONSTRAINT "provider_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "identity_access_log" (
    "id" UUID NOT NULL,
    "admin_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "accessed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_access_log_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "identity_access_log_accessed_at_id_idx" ON "identity_access_log"("accessed_at" DESC, "id" DESC);
CREATE INDEX "identity_access_log_user_id_accessed_at_id_idx" ON "identity_access_log"("user_id", "accessed_at" DESC, "id" DESC);

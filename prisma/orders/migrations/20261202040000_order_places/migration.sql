-- Places and time windows on orders; providers' service areas; the distance-ordered provider feed.
-- cube + earthdistance ship with PostgreSQL's contrib (the machine's server and the embedded one); earthdistance is
-- not a trusted extension, so this migration needs a role that may create it (the database owner being superuser,
-- as in development and the compose stack, or an extension created beforehand by one).
CREATE EXTENSION IF NOT EXISTS "cube";
CREATE EXTENSION IF NOT EXISTS "earthdistance";
-- btree_gist (trusted): lets service_id share the GiST index with the point, so the feed's index scan keeps only the
-- provider's services before it reads any row.
CREATE EXTENSION IF NOT EXISTS "btree_gist";

-- Existing orders have no place: every new column is nullable and existing rows stay as they are. Orders without a
-- location never appear in a distance feed.
ALTER TABLE "orders"
    ADD COLUMN "lat" DOUBLE PRECISION,
    ADD COLUMN "lng" DOUBLE PRECISION,
    -- Derived by the database, never written by the application: the point on the earth the GiST index covers.
    ADD COLUMN "earth" earth GENERATED ALWAYS AS (ll_to_earth("lat", "lng")) STORED,
    ADD COLUMN "city" TEXT,
    ADD COLUMN "window_from" TIMESTAMPTZ(3),
    ADD COLUMN "window_to" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "orders_service_id_earth_idx" ON "orders" USING GIST ("service_id", "earth");

-- CreateTable
CREATE TABLE "service_areas" (
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "radius_km" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_areas_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "service_areas_provider_id_position_key" ON "service_areas"("provider_id", "position");

-- Category tree (issue 13): categories with a parent, services in a category, trigram search.
-- Runs on a database with today's data: every service's flat `category` string becomes a category of the tree.

-- pg_trgm ships with PostgreSQL's contrib modules (both the machine's server and the embedded one have it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "categories" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "parent_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "categories_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "categories_slug_key" ON "categories"("slug");

-- CreateIndex
CREATE INDEX "categories_parent_id_idx" ON "categories"("parent_id");

-- CreateIndex
CREATE INDEX "categories_name_trgm_idx" ON "categories" USING GIN ("name" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "categories" ADD CONSTRAINT "categories_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The seeded taxonomy (domain/category.ts SEEDED_CATEGORIES): fixed ids and slugs, parents before children.
INSERT INTO "categories" ("id", "name", "slug", "parent_id") VALUES
  ('ca7e0000-0000-4000-8000-000000000001', 'Home', 'home', NULL),
  ('ca7e0000-0000-4000-8000-000000000002', 'Outdoor', 'outdoor', NULL),
  ('ca7e0000-0000-4000-8000-000000000003', 'Cleaning', 'cleaning', NULL),
  ('ca7e0000-0000-4000-8000-000000000004', 'Moving & delivery', 'moving-delivery', NULL),
  ('ca7e0000-0000-4000-8000-000000000005', 'Other', 'other', NULL),
  ('ca7e0000-0000-4000-8000-000000000011', 'Plumbing', 'plumbing', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000012', 'Electrical', 'electrical', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000013', 'Heating & cooling', 'heating-cooling', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000014', 'Appliances', 'appliances', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000015', 'Painting & decorating', 'painting-decorating', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000016', 'Handyman', 'handyman', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000017', 'Renovation', 'renovation', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000018', 'Locks & security', 'locks-security', 'ca7e0000-0000-4000-8000-000000000001'),
  ('ca7e0000-0000-4000-8000-000000000131', 'Boilers', 'boilers', 'ca7e0000-0000-4000-8000-000000000013'),
  ('ca7e0000-0000-4000-8000-000000000132', 'Air conditioning', 'air-conditioning', 'ca7e0000-0000-4000-8000-000000000013'),
  ('ca7e0000-0000-4000-8000-000000000171', 'Kitchens', 'kitchens', 'ca7e0000-0000-4000-8000-000000000017'),
  ('ca7e0000-0000-4000-8000-000000000172', 'Bathrooms', 'bathrooms', 'ca7e0000-0000-4000-8000-000000000017'),
  ('ca7e0000-0000-4000-8000-000000000021', 'Gardening', 'gardening', 'ca7e0000-0000-4000-8000-000000000002'),
  ('ca7e0000-0000-4000-8000-000000000022', 'Fencing & paving', 'fencing-paving', 'ca7e0000-0000-4000-8000-000000000002'),
  ('ca7e0000-0000-4000-8000-000000000023', 'Roofing & gutters', 'roofing-gutters', 'ca7e0000-0000-4000-8000-000000000002'),
  ('ca7e0000-0000-4000-8000-000000000031', 'Home cleaning', 'home-cleaning', 'ca7e0000-0000-4000-8000-000000000003'),
  ('ca7e0000-0000-4000-8000-000000000032', 'Office cleaning', 'office-cleaning', 'ca7e0000-0000-4000-8000-000000000003'),
  ('ca7e0000-0000-4000-8000-000000000041', 'Removals', 'removals', 'ca7e0000-0000-4000-8000-000000000004'),
  ('ca7e0000-0000-4000-8000-000000000042', 'Delivery', 'delivery', 'ca7e0000-0000-4000-8000-000000000004')
ON CONFLICT DO NOTHING;

-- AlterTable
ALTER TABLE "services" ADD COLUMN "category_id" UUID;

-- The predefined services still in their original flat category go to their place in the tree.
UPDATE "services" s SET "category_id" = v.category_id
FROM (VALUES
  ('5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b'::uuid, 'Home repair', 'ca7e0000-0000-4000-8000-000000000011'::uuid),
  ('ea5f5f07-0f75-42e0-b8cb-7c071b040836'::uuid, 'Home repair', 'ca7e0000-0000-4000-8000-000000000012'::uuid),
  ('8b498e33-eae7-44a1-a9ef-198066ff1569'::uuid, 'Cleaning', 'ca7e0000-0000-4000-8000-000000000031'::uuid),
  ('aff330bd-5a35-486c-a53a-e616d4b8985d'::uuid, 'Moving', 'ca7e0000-0000-4000-8000-000000000041'::uuid),
  ('f040ae27-7b0f-4aba-8447-6eeae932aa60'::uuid, 'Home improvement', 'ca7e0000-0000-4000-8000-000000000015'::uuid),
  ('a46df205-dfa5-4fd7-9492-3f6e91847c56'::uuid, 'Home repair', 'ca7e0000-0000-4000-8000-000000000016'::uuid),
  ('0b64d749-35e8-4c06-8a7a-005af0fc3f0c'::uuid, 'Outdoor', 'ca7e0000-0000-4000-8000-000000000021'::uuid),
  ('9c2eeb7e-1b70-459d-84d8-e6e345e8223f'::uuid, 'Home repair', 'ca7e0000-0000-4000-8000-000000000014'::uuid)
) AS v(service_id, category, category_id)
WHERE s.id = v.service_id AND lower(btrim(s.category)) = lower(v.category);

-- Every other flat category string: the category of that name (any case) if there is one, else a new category of
-- that name under "Other" (slug "other-<name>"; a numbered hash suffix if two names give the same slug).
WITH legacy AS (
  SELECT DISTINCT ON (lower(btrim(category))) btrim(category) AS name
  FROM "services" WHERE "category_id" IS NULL
  ORDER BY lower(btrim(category)), category COLLATE "C"
), unmatched AS (
  SELECT l.name FROM legacy l WHERE NOT EXISTS (SELECT 1 FROM "categories" c WHERE lower(c.name) = lower(l.name))
), slugged AS (
  SELECT name, 'other-' || coalesce(nullif(btrim(regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g'), '-'), ''), 'category') AS base
  FROM unmatched
), numbered AS (
  SELECT name, base, row_number() OVER (PARTITION BY base ORDER BY name COLLATE "C") AS n FROM slugged
)
INSERT INTO "categories" ("id", "name", "slug", "parent_id")
SELECT gen_random_uuid(), name, CASE WHEN n = 1 THEN base ELSE base || '-' || left(md5(name), 8) END,
       'ca7e0000-0000-4000-8000-000000000005'
FROM numbered;

UPDATE "services" s SET "category_id" = (
  SELECT c.id FROM "categories" c WHERE lower(c.name) = lower(btrim(s.category)) ORDER BY c.created_at, c.id LIMIT 1
)
WHERE s."category_id" IS NULL;

ALTER TABLE "services" ALTER COLUMN "category_id" SET NOT NULL;

-- DropIndex
DROP INDEX "services_category_idx";

-- AlterTable
ALTER TABLE "services" DROP COLUMN "category";

-- CreateIndex
CREATE INDEX "services_category_id_idx" ON "services"("category_id");

-- CreateIndex
CREATE INDEX "services_name_trgm_idx" ON "services" USING GIN ("name" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "services" ADD CONSTRAINT "services_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

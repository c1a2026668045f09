import { randomBytes, randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from "@fixup/platform";
import { TEST_SERVER_URL } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { OTHER_CATEGORY_ID, SEEDED, SEEDED_CATEGORIES } from "../domain/category.js";
import { PREDEFINED_SERVICES } from "../domain/service.js";
import { createPrisma } from "./prisma.js";
import { PrismaServiceRepository } from "./service-repository.js";

// The category-tree migration on a database that has today's schema and data: flat `category` strings become
// categories of the tree, every service gets a category, and the column goes.
const TREE_MIGRATION = "20261201210000_category_tree";

let url: string;
let before: string;
let client: pg.Client;

const id = (name: string) => PREDEFINED_SERVICES.find((s) => s.name === name)!.id;
const ROOFING = randomUUID();
const DOG_WALKING = randomUUID();
const DOG_GROOMING = randomUUID();
const YARD = randomUUID();
const X = randomUUID();
const Y = randomUUID();
const PROVIDER = randomUUID();

beforeAll(async () => {
  // The migrations before this one, in their own directory.
  before = await mkdtemp(join(tmpdir(), "fixup-catalog-migrations-"));
  for (const name of (await readdir(migrationsDir)).filter((n) => n < TREE_MIGRATION)) {
    await cp(join(migrationsDir, name), join(before, name), { recursive: true });
  }
  url = withDatabase(TEST_SERVER_URL, `fixup_test_catalog_tree_migration_${randomBytes(5).toString("hex")}`);
  await ensureDatabase(url);
  expect(await applyMigrations(url, before)).not.toContain(TREE_MIGRATION);
  client = new pg.Client({ connectionString: url });
  await client.connect();
  // Today's rows: the predefined services as today's seed writes them (one recategorised by an admin), services
  // admins created with their own categories (in several spellings), an assignment and published events.
  const rows: Array<[string, string, string]> = [
    [id("Plumbing"), "Plumbing", "Home repair"],
    [id("Electrical"), "Electrical", "Water"],
    [id("Cleaning"), "Cleaning", "Cleaning"],
    [id("Gardening"), "Gardening", "Outdoor"],
    [ROOFING, "Roofing", "Home repair"],
    [DOG_WALKING, "Dog walking", "Pets"],
    [DOG_GROOMING, "Dog grooming", "PETS"],
    [YARD, "Yard work", "outdoor"],
    [X, "X", "Home & Garden!"],
    [Y, "Y", "home garden"],
  ];
  for (const [serviceId, name, category] of rows) {
    await client.query(`INSERT INTO services (id, name, description, category, updated_at) VALUES ($1, $2, NULL, $3, now())`, [serviceId, name, category]);
    await client.query(`INSERT INTO outbox_events (id, type, payload, published_at) VALUES ($1, 'ServiceCreated', $2, now())`, [randomUUID(), { serviceId }]);
  }
  await client.query(`INSERT INTO provider_services (provider_id, service_id) VALUES ($1, $2)`, [PROVIDER, id("Plumbing")]);
  expect(await applyMigrations(url, migrationsDir)).toEqual([TREE_MIGRATION]);
});

afterAll(async () => {
  await client?.end();
  if (url) await dropDatabase(url);
  if (before) await rm(before, { recursive: true, force: true });
});

const categoryOf = async (serviceId: string) =>
  (
    await client.query<{ name: string; slug: string; parent_id: string | null }>(
      `SELECT c.name, c.slug, c.parent_id FROM services s JOIN categories c ON c.id = s.category_id WHERE s.id = $1`,
      [serviceId],
    )
  ).rows[0];

describe(`migration ${TREE_MIGRATION} on today's data`, () => {
  test("seeds the taxonomy", async () => {
    const { rows } = await client.query<{ id: string; name: string; slug: string; parent_id: string | null }>(
      `SELECT id, name, slug, parent_id FROM categories WHERE id = ANY($1::uuid[])`,
      [SEEDED_CATEGORIES.map((c) => c.id)],
    );
    expect(rows).toHaveLength(SEEDED_CATEGORIES.length);
  });

  test.each<{ case: string; service: () => string; expected: { name: string; slug: string; parent_id: string | null } }>([
    { case: "a predefined service still in its original category goes to its place in the tree", service: () => id("Plumbing"), expected: { name: "Plumbing", slug: "plumbing", parent_id: SEEDED.home } },
    { case: "Cleaning (predefined) goes under Cleaning → Home cleaning", service: () => id("Cleaning"), expected: { name: "Home cleaning", slug: "home-cleaning", parent_id: SEEDED_CATEGORIES.find((c) => c.slug === "cleaning")!.id } },
    { case: "a predefined service an admin recategorised keeps the admin's category, under Other", service: () => id("Electrical"), expected: { name: "Water", slug: "other-water", parent_id: OTHER_CATEGORY_ID } },
    { case: "an unknown string becomes a category under Other", service: () => ROOFING, expected: { name: "Home repair", slug: "other-home-repair", parent_id: OTHER_CATEGORY_ID } },
    { case: "spellings that differ in case share one category", service: () => DOG_WALKING, expected: { name: "PETS", slug: "other-pets", parent_id: OTHER_CATEGORY_ID } },
    { case: "… the other spelling", service: () => DOG_GROOMING, expected: { name: "PETS", slug: "other-pets", parent_id: OTHER_CATEGORY_ID } },
    { case: "a string naming a seeded category (any case) is that category", service: () => YARD, expected: { name: "Outdoor", slug: "outdoor", parent_id: null } },
    { case: "a slug collision gets a hash suffix", service: () => Y, expected: { name: "home garden", slug: expect.stringMatching(/^other-home-garden-[0-9a-f]{8}$/) as unknown as string, parent_id: OTHER_CATEGORY_ID } },
    { case: "punctuation is dropped from slugs", service: () => X, expected: { name: "Home & Garden!", slug: "other-home-garden", parent_id: OTHER_CATEGORY_ID } },
  ])("$case", async ({ service, expected }) => {
    expect(await categoryOf(service())).toEqual(expected);
  });

  test("every service has a category; category_id is NOT NULL with a foreign key; the flat column is gone; assignments kept", async () => {
    const columns = await client.query<{ column_name: string; is_nullable: string }>(
      `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'services' AND column_name IN ('category', 'category_id')`,
    );
    expect(columns.rows).toEqual([{ column_name: "category_id", is_nullable: "NO" }]);
    await expect(client.query(`UPDATE services SET category_id = $1 WHERE id = $2`, [randomUUID(), ROOFING])).rejects.toThrow(/foreign key/);
    expect((await client.query(`SELECT count(*)::int AS n FROM provider_services`)).rows[0]).toEqual({ n: 1 });
    const ext = await client.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`);
    expect(ext.rowCount).toBe(1);
  });

  test("the start-up seed then adds the predefined services that are missing, announcing each once, without touching the rest", async () => {
    const prisma = createPrisma(url, 2);
    try {
      const repo = new PrismaServiceRepository(prisma);
      const inserted = await repo.seed(PREDEFINED_SERVICES);
      expect(inserted).toBe(PREDEFINED_SERVICES.length - 4);
      expect((await repo.findByIds([id("Electrical")]))[0]).toMatchObject({ category: "Water" });
      expect((await repo.list({ search: "plumbr" })).map((s) => s.name)).toContain("Leak repair");
      expect(await applyMigrations(url, migrationsDir)).toEqual([]);
    } finally {
      await prisma.$disconnect();
    }
  });
});

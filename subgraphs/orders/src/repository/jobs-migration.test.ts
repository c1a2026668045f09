import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { applyMigrations } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";

// 20261202030000_jobs_pause_offers_reviews on a database that has the previous schema and rows: existing orders,
// offers and reviews keep their meaning (no pause reason, no offer limit, reviews visible) and PAUSED becomes usable.
const MIGRATION = "20261202030000_jobs_pause_offers_reviews";

let db: TestDatabase;
let before: string;
beforeAll(async () => {
  before = await mkdtemp(join(tmpdir(), "orders-migrations-"));
  for (const name of await readdir(migrationsDir)) {
    if (name < MIGRATION) await cp(join(migrationsDir, name), join(before, name), { recursive: true });
  }
  db = await createTestDatabase("orders_jobs_migration", before);
});
afterAll(async () => {
  await db?.drop();
  await rm(before, { recursive: true, force: true });
});

test("applies over today's rows: defaults are neutral, the new status and tables work", async () => {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows: [order] } = await client.query<{ id: string }>(
      `INSERT INTO orders (id, customer_id, service_id, title, description, address, status, updated_at)
       VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'Fix', 'Drips', '1 Main St', 'IN_PROGRESS', now()) RETURNING id`,
    );
    await client.query(
      `INSERT INTO offers (id, order_id, provider_id, price_amount, price_currency, status, updated_at)
       VALUES (gen_random_uuid(), $1, gen_random_uuid(), 100, 'EUR', 'PENDING', now())`,
      [order!.id],
    );
    await client.query(
      `INSERT INTO reviews (id, order_id, author_id, provider_id, rating, comment) VALUES (gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 4.5, 'Good')`,
      [order!.id],
    );

    expect(await applyMigrations(db.url, migrationsDir)).toContain(MIGRATION);

    const { rows: [kept] } = await client.query(
      `SELECT o.status, o.pause_reason, f.valid_until, r.hidden_at, r.hidden_reason, r.comment
       FROM orders o JOIN offers f ON f.order_id = o.id JOIN reviews r ON r.order_id = o.id WHERE o.id = $1`,
      [order!.id],
    );
    expect(kept).toEqual({ status: "IN_PROGRESS", pause_reason: null, valid_until: null, hidden_at: null, hidden_reason: null, comment: "Good" });
    await client.query(`UPDATE orders SET status = 'PAUSED', pause_reason = 'Parts' WHERE id = $1`, [order!.id]);
    await client.query(`INSERT INTO suspended_accounts (user_id) VALUES (gen_random_uuid())`);
    await client.query(
      `INSERT INTO moderation_actions (id, actor_id, action, target_id, reason) VALUES (gen_random_uuid(), gen_random_uuid(), 'HIDE_REVIEW', gen_random_uuid(), 'x')`,
    );
    expect((await client.query(`SELECT count(*)::int AS n FROM orders WHERE status = 'PAUSED'`)).rows[0]).toEqual({ n: 1 });
  } finally {
    await client.end();
  }
});

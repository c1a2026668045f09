import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { applyMigrations } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { migrationsDir } from "../app.js";
import { PrismaFeedRepository } from "./feed-repository.js";
import { PrismaOrderRepository } from "./order-repository.js";
import { createPrisma, type OrdersPrisma } from "./prisma.js";

// The places migration on a database that has the schema and rows of before it: existing orders stay valid
// (no place, no window), are listed as before, and never show in a place-filtered feed; new orders get their
// earth point computed by the database.
const PLACES = "20261202040000_order_places";

let db: TestDatabase | undefined;
let prisma: OrdersPrisma | undefined;
let before: string | undefined;
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  if (before) await rm(before, { recursive: true, force: true });
});

test("orders made before places keep working after the migration; only located orders are in distance feeds", async () => {
  // Every migration before this one, as the database had them.
  before = await mkdtemp(join(tmpdir(), "orders-migrations-"));
  for (const name of (await readdir(migrationsDir)).filter((n) => n < PLACES && !n.endsWith(".toml"))) {
    await cp(join(migrationsDir, name), join(before, name), { recursive: true });
  }
  db = await createTestDatabase("orders_places_migration", before);
  const customer = randomUUID();
  const provider = randomUUID();
  const service = randomUUID();
  const old = [randomUUID(), randomUUID()];
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(`INSERT INTO provider_services (provider_id, service_id) VALUES ($1, $2)`, [provider, service]);
    await client.query(`INSERT INTO known_services (service_id) VALUES ($1)`, [service]);
    for (const [i, id] of old.entries()) {
      await client.query(
        `INSERT INTO orders (id, customer_id, service_id, title, description, address, status, budget_amount, budget_currency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'Drips', '1 Old St', 'OPEN', 5000, 'EUR', now() - make_interval(mins => $5), now())`,
        [id, customer, service, `Old job ${i}`, 10 - i],
      );
    }
    await client.query(`INSERT INTO offers (id, order_id, provider_id, price_amount, price_currency, updated_at) VALUES ($1, $2, $3, 4000, 'EUR', now())`, [randomUUID(), old[0], provider]);
  } finally {
    await client.end();
  }

  expect(await applyMigrations(db.url, migrationsDir)).toContain(PLACES);

  prisma = createPrisma(db.url, 2);
  const orders = new PrismaOrderRepository(prisma);
  const feed = new PrismaFeedRepository(prisma);
  const found = await orders.findOrders(old);
  expect(found.map((o) => [o.title, o.address, o.location, o.city, o.window, o.budget])).toEqual([
    ["Old job 0", "1 Old St", null, null, null, { amount: 5000, currency: "EUR" }],
    ["Old job 1", "1 Old St", null, null, null, { amount: 5000, currency: "EUR" }],
  ]);
  expect((await orders.offersOfOrders([old[0] as string])).length).toBe(1);
  // The feed without places (no near, no areas) is what it was.
  expect((await orders.listOpenOrdersForProvider(provider, { take: 10, after: null })).rows.map((o) => o.id)).toEqual(old);

  const located = await orders.createOrder(
    { customerId: customer, serviceId: service, title: "New job", description: "d", address: "2 New St", location: { lat: 52.52, lng: 13.405 },
      city: "Berlin", window: { from: new Date("2030-01-01T08:00:00Z"), to: new Date("2030-01-01T12:00:00Z") }, scheduledFor: null, budget: null },
    () => ({ id: randomUUID(), type: "OrderCreated", payload: {} }),
  );
  const nearby = await feed.listNearby(provider, { lat: 52.52, lng: 13.405 }, 200, { take: 10, after: null });
  expect(nearby.rows.map((r) => r.order.id)).toEqual([located.id]);
  await feed.replaceServiceAreas(provider, [{ center: { lat: 52.5, lng: 13.4 }, radiusKm: 200 }]);
  expect((await feed.listInServiceAreas(provider, { take: 10, after: null })).rows.map((o) => o.id)).toEqual([located.id]);
  expect((await orders.findOrders([located.id]))[0]).toMatchObject({ city: "Berlin", window: { from: new Date("2030-01-01T08:00:00Z") } });
});

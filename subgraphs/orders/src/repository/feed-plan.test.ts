import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { Prisma } from "../generated/prisma/client.js";
import { migrationsDir } from "../app.js";
import { nearbyQuery } from "./feed-repository.js";
import { createPrisma } from "./prisma.js";
import { usePrismaDatabase } from "../../../../test/support/database.js";

const database = usePrismaDatabase("orders_feed_plan", migrationsDir, (url) => createPrisma(url, 2));

// The distance feed must be answered through the GiST index on orders (service_id, earth), not by reading every order. On a small
// table the planner would rightly prefer a sequential scan, so it is told not to (enable_seqscan = off): what is
// checked is that the statement the repository sends CAN use the index (the operator, the column and the index
// match), which is what breaks if any of them drifts. `npm run bench:feed` shows the plan on 100,000 orders.
test("the nearby feed statement uses the GiST index on orders (service_id, earth)", async () => {
  const prisma = database.prisma;
  const provider = randomUUID();
  const services = [randomUUID(), randomUUID(), randomUUID()];
  await prisma.$executeRaw`INSERT INTO provider_services (provider_id, service_id) SELECT ${provider}::uuid, unnest(${services}::uuid[])`;
  await prisma.$executeRaw`
    INSERT INTO orders (id, customer_id, service_id, title, description, address, lat, lng, status, updated_at)
    SELECT gen_random_uuid(), gen_random_uuid(), (${services}::uuid[])[1 + i % 3], 'Job ' || i, 'd', 'a',
           50 + (i % 40) * 0.1, 10 + (i / 40) * 0.1, 'OPEN', now()
    FROM generate_series(0, 1999) AS i`;
  await prisma.$executeRaw`ANALYZE orders`;
  const query = nearbyQuery(provider, { lat: 51, lng: 12 }, 20, { take: 20, after: null });
  const plan = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
    const rows = await tx.$queryRaw<Array<{ "QUERY PLAN": string }>>(Prisma.sql`EXPLAIN ${query.rows}`);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
  expect(plan).toContain("orders_service_id_earth_idx");
  expect(plan).toMatch(/Index Cond: \(.*\(earth\)::cube <@ /);
});

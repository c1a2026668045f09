// `npm run bench:feed [-- --quick] [--orders 100000 --providers 1000 --requests 2000 --concurrency 1 --radius 50]`:
// the provider feed ("jobs near me") at the orders subgraph. Fills a fresh orders database with SQL (generate_series:
// seconds, not minutes) — open orders spread uniformly over a 1000 × 1000 km box, providers performing 3 of 30
// services with 1–3 service areas each — starts orders as its own process (production mode) with a stand-in JWKS,
// then sends `openOrders(near:, radiusKm:, first: 20)` straight to the subgraph over HTTP for random providers and
// points, and prints p50/p95/p99, plus the same for the feed without `near` (the provider's areas), and the
// EXPLAIN (ANALYZE, BUFFERS) of the distance query showing the GiST index. Needs DATABASE_URL's server (default the
// machine's 127.0.0.1:5432) with the cube and earthdistance extensions.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import pg from "pg";
import { applyMigrations, dropDatabase, ensureDatabase, withDatabase } from "@fixup/platform";
import { startTestIssuer } from "@fixup/platform/testing";
import { migrationsDir } from "../subgraphs/orders/src/app.js";
import { nearbyQuery } from "../subgraphs/orders/src/repository/feed-repository.js";
import { freePort } from "./free-port.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    orders: { type: "string" },
    providers: { type: "string" },
    requests: { type: "string" },
    concurrency: { type: "string", default: "1" },
    radius: { type: "string", default: "50" },
  },
});
const QUICK = values.quick;
const ORDERS = Number(values.orders ?? (QUICK ? 10_000 : 100_000));
const PROVIDERS = Number(values.providers ?? (QUICK ? 100 : 1_000));
const REQUESTS = Number(values.requests ?? (QUICK ? 300 : 2_000));
const CONCURRENCY = Number(values.concurrency);
const RADIUS_KM = Number(values.radius);
const SERVICES = 30;
const SERVICES_PER_PROVIDER = 3;
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

// The box: 1000 km north-south and east-west, centred on (51 N, 10 E) — about Germany's size.
const CENTER = { lat: 51, lng: 10 };
const HALF_LAT = 500 / 111.32;
const HALF_LNG = 500 / (111.32 * Math.cos((CENTER.lat * Math.PI) / 180));
const randomPoint = () => ({ lat: CENTER.lat + (Math.random() * 2 - 1) * HALF_LAT, lng: CENTER.lng + (Math.random() * 2 - 1) * HALF_LNG });

const FEED_NEAR = `query($near: GeoPointInput!, $r: Float) { openOrders(near: $near, radiusKm: $r, first: 20) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor distanceKm node { id title address city location { lat lng } status createdAt } } } }`;
const FEED_AREAS = `query { openOrders(first: 20) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title address city location { lat lng } status createdAt } } } }`;

async function seed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query(`CREATE TEMP TABLE bench_services AS SELECT gen_random_uuid() AS id, n FROM generate_series(0, ${SERVICES - 1}) AS n`);
    await client.query(`INSERT INTO known_services (service_id) SELECT id FROM bench_services`);
    await client.query(`CREATE TEMP TABLE bench_providers AS SELECT gen_random_uuid() AS id, n FROM generate_series(0, ${PROVIDERS - 1}) AS n`);
    // Provider n performs services n, n+7, n+14 (mod 30): every service has about the same number of providers.
    await client.query(`
      INSERT INTO provider_services (provider_id, service_id)
      SELECT p.id, s.id FROM bench_providers p
      JOIN generate_series(0, ${SERVICES_PER_PROVIDER - 1}) AS k ON true
      JOIN bench_services s ON s.n = (p.n + k * 7) % ${SERVICES}`);
    // 1–3 areas per provider, 20–60 km, anywhere in the box.
    await client.query(`
      INSERT INTO service_areas (id, provider_id, position, lat, lng, radius_km)
      SELECT gen_random_uuid(), p.id, k, ${CENTER.lat} + (random() * 2 - 1) * ${HALF_LAT}, ${CENTER.lng} + (random() * 2 - 1) * ${HALF_LNG}, 20 + random() * 40
      FROM bench_providers p JOIN generate_series(0, 2) AS k ON k <= p.n % 3`);
    await client.query(`
      INSERT INTO orders (id, customer_id, service_id, title, description, address, city, lat, lng, status, budget_amount, budget_currency, created_at, updated_at)
      SELECT gen_random_uuid(), gen_random_uuid(), s.id, 'Job ' || i, 'Bench order', i || ' Bench Street', 'Bench City',
             ${CENTER.lat} + (random() * 2 - 1) * ${HALF_LAT}, ${CENTER.lng} + (random() * 2 - 1) * ${HALF_LNG},
             'OPEN', 10000, 'EUR', now() - make_interval(secs => i), now()
      FROM generate_series(1, ${ORDERS}) AS i JOIN bench_services s ON s.n = i % ${SERVICES}`);
    await client.query("ANALYZE");
    console.log(`seeded ${ORDERS} open orders, ${PROVIDERS} providers (${SERVICES_PER_PROVIDER} of ${SERVICES} services, 1–3 areas each) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return (await client.query<{ id: string }>("SELECT id FROM bench_providers ORDER BY n")).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

async function explain(url: string, providerId: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const query = nearbyQuery(providerId, CENTER, RADIUS_KM, { take: 20, after: null }).rows;
    // Once before, so the plan shows a warm backend (cube/btree_gist loaded, catalog cached) as the service's pool has.
    await client.query(query.text, query.values);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  } finally {
    await client.end();
  }
}

/** The distance feed's two statements alone (rows and count, as the repository sends them), on one warm connection. */
async function sqlOnly(url: string, providers: string[], requests: number): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const latencies: number[] = [];
    for (let i = 0; i < requests + 100; i++) {
      const providerId = providers[Math.floor(Math.random() * providers.length)] as string;
      const q = nearbyQuery(providerId, randomPoint(), RADIUS_KM, { take: 20, after: null });
      const started = performance.now();
      await client.query(q.rows.text, q.rows.values);
      await client.query(q.count.text, q.count.values);
      if (i >= 100) latencies.push(performance.now() - started); // the first 100 warm the backend up
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    await client.end();
  }
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function run(
  ordersUrl: string,
  tokens: string[],
  body: () => { query: string; variables?: Record<string, unknown> },
  requests: number,
): Promise<{ latencies: number[]; rows: number; errors: number }> {
  const latencies: number[] = [];
  let rows = 0;
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      const token = tokens[Math.floor(Math.random() * tokens.length)];
      const payload = JSON.stringify(body());
      const started = performance.now();
      const res = await fetch(`${ordersUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: payload,
      });
      const json = (await res.json()) as { data?: { openOrders?: { edges: unknown[] } }; errors?: unknown[] };
      latencies.push(performance.now() - started);
      if (json.errors?.length || !json.data?.openOrders) {
        errors++;
        if (errors === 1) console.error("first error:", JSON.stringify(json.errors ?? json).slice(0, 500));
      } else {
        rows += json.data.openOrders.edges.length;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies: latencies.sort((a, b) => a - b), rows, errors };
}

const databaseUrl = withDatabase(DATABASE_URL, `fixup_benchfeed_${Date.now().toString(36)}_orders`);
await ensureDatabase(databaseUrl);
const issuer = await startTestIssuer();
let child: ReturnType<typeof spawn> | undefined;
try {
  await applyMigrations(databaseUrl, migrationsDir);
  const providers = await seed(databaseUrl);
  const port = await freePort();
  const ordersUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ["--import", "tsx", "subgraphs/orders/src/main.ts"], {
    // No REDIS_URL: in-process event bus and pub/sub — the feed reads only Postgres.
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", ORDERS_PORT: String(port), ORDERS_DATABASE_URL: databaseUrl, USERS_URL: issuer.usersUrl, REDIS_URL: "" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitReady(ordersUrl);
  const sample = providers.filter((_, i) => i % Math.max(1, Math.floor(providers.length / 200)) === 0);
  const tokens = await Promise.all(sample.map((sub) => issuer.token({ sub, roles: ["PROVIDER"], expiresIn: "2h" })));
  const near = () => ({ query: FEED_NEAR, variables: { near: randomPoint(), r: RADIUS_KM } });
  const areas = () => ({ query: FEED_AREAS });

  await run(ordersUrl, tokens, near, Math.min(200, REQUESTS)); // warm-up: JIT, token cache, pool, plan cache
  await run(ordersUrl, tokens, areas, Math.min(100, REQUESTS));
  const results = [
    { name: `near (radiusKm ${RADIUS_KM}, first 20)`, ...(await run(ordersUrl, tokens, near, REQUESTS)) },
    { name: "service areas (no near, first 20)", ...(await run(ordersUrl, tokens, areas, REQUESTS)) },
  ];
  console.log(`\n${ORDERS} orders, ${PROVIDERS} providers, ${REQUESTS} requests per feed, concurrency ${CONCURRENCY}, HTTP straight to the orders subgraph`);
  console.log("| feed | p50 ms | p95 ms | p99 ms | max ms | rows/request | errors |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results) {
    const f = (p: number) => percentile(r.latencies, p).toFixed(1);
    console.log(`| ${r.name} | ${f(50)} | ${f(95)} | ${f(99)} | ${(r.latencies.at(-1) ?? Number.NaN).toFixed(1)} | ${(r.rows / REQUESTS).toFixed(1)} | ${r.errors} |`);
  }
  const sql = await sqlOnly(databaseUrl, providers, REQUESTS);
  const g = (p: number) => percentile(sql, p).toFixed(1);
  console.log(`| near: its SQL alone (rows + count, one connection, no HTTP/GraphQL) | ${g(50)} | ${g(95)} | ${g(99)} | ${(sql.at(-1) ?? Number.NaN).toFixed(1)} | | |`);
  const p99 = percentile(results[0]?.latencies ?? [], 99);
  console.log(`\ngoal: near feed p99 ≤ 20 ms — ${p99 <= 20 ? "met" : "MISSED"} (${p99.toFixed(1)} ms)`);
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the distance query (provider ${sample[0]}, near ${JSON.stringify(CENTER)}, ${RADIUS_KM} km):\n`);
  console.log(await explain(databaseUrl, sample[0] as string));
} finally {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await issuer.close();
  await dropDatabase(databaseUrl).catch(() => undefined);
}

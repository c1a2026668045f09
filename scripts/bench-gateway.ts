// `npm run bench:gateway [-- --quick] [--rounds 5] [--seconds 10] [--connections 32] [--only catalog,orders,mix]
//  [--profile <dir>]` (--profile: V8 CPU profiles of the gateways and subgraphs, written there when they stop)
// Fixup's gateway against Hive Gateway on the very same subgraphs: users, catalog, orders and chat as separate
// processes on the Postgres at DATABASE_URL and the Redis at REDIS_URL, Fixup's gateway as its own process, Hive
// Gateway (`hive-gateway supergraph`, one process, Authorization forwarded) as another. Interleaved autocannon
// rounds (Fixup, Hive, Fixup, Hive…) per workload; medians are reported. `--quick` runs a few seconds per workload
// and exits 1 only on a gross regression: a ratio below half of its goal.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createRedis } from "@fixup/platform";
import { eventually, gql, gqlOk, registerUser, type TestUser } from "../test/support/federation.js";
import { freePort } from "./free-port.js";
import { SUBGRAPH_NAMES, startProcesses, type RunningProcesses } from "./processes.js";
import { median } from "./bench-stats.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    seconds: { type: "string" },
    connections: { type: "string", default: "32" },
    only: { type: "string" },
    profile: { type: "string" },
  },
});
const QUICK = values.quick;
const ROUNDS = Number(values.rounds ?? (QUICK ? 3 : 5));
const SECONDS = Number(values.seconds ?? (QUICK ? 3 : 10));
const CONNECTIONS = Number(values.connections);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const root = new URL("..", import.meta.url).pathname;
const profileArgs = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [];

// --- the workloads ------------------------------------------------------------------------------------------------

const CATALOG_QUERY = "{ services { id name category providers(first: 10) { edges { node { id name services { name } } } } } }";
const MY_ORDERS_QUERY = `{ myOrders(first: 20) { edges { node { id title status customer { name } service { name }
  offers { price { amount } provider { name rating { average } } } } } } }`;
const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";
const SUBMIT_OFFER = "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }";

interface Seed {
  serviceIds: string[];
  providers: TestUser[];
  readers: TestUser[];
  writers: TestUser[];
}

interface Workload {
  name: string;
  goal: number;
  describe: string;
  /** One cycle of requests a connection repeats; each request is built with that connection's number. */
  requests: (seed: Seed) => autocannon.Request[];
  /** A request whose answer both gateways must give identically before the workload is timed. */
  probe: (seed: Seed) => { query: string; token?: string };
}

const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify(variables ? { query, variables } : { query });
const headers = (token?: string) => ({ "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) });

interface ConnectionContext {
  connection?: number;
  created?: boolean;
}
/** A request built per connection: `build` sees the connection's number (0…connections-1). */
const perConnection = (
  build: (connection: number, ctx: ConnectionContext) => { headers: Record<string, string>; body: string },
  onResponse?: autocannon.Request["onResponse"],
): autocannon.Request => ({
  method: "POST",
  path: "/graphql",
  setupRequest: (req, context) => ({ ...req, ...build((context as ConnectionContext).connection ?? 0, context as ConnectionContext) }),
  ...(onResponse ? { onResponse } : {}),
});

/**
 * autocannon resets a connection's context to a copy of `initialContext` at the end of every request cycle:
 * give each connection its own initial context with its number, so connection i is always customer i.
 */
let connectionCounter = 0;
function numberConnection(client: autocannon.Client): void {
  const iterator = (client as unknown as { requestIterator: { initialContext: ConnectionContext; context: ConnectionContext; rebuildRequest(): void } }).requestIterator;
  const connection = connectionCounter++;
  iterator.initialContext = { connection };
  iterator.context = { connection };
  iterator.rebuildRequest(); // the first request was built before the connection had its number
}

/** Orders created during the mix, each waiting for two providers' offers. */
const offerSlots: string[] = [];
let providerTurn = 0;
let writerTurn = 0;
const mutationsSent = { createOrder: 0, submitOffer: 0 };

const readMyOrders = (seed: Seed) => perConnection((i) => ({ headers: headers(seed.readers[i % seed.readers.length]?.token), body: json(MY_ORDERS_QUERY) }));

const WORKLOADS: Workload[] = [
  {
    name: "catalog",
    goal: 1.5,
    describe: "public catalog: services → providers → services",
    requests: () => [{ method: "POST", path: "/graphql", headers: headers(), body: json(CATALOG_QUERY) }],
    probe: () => ({ query: CATALOG_QUERY }),
  },
  {
    name: "orders",
    goal: 1.0,
    describe: `myOrders(first: 20) with offers, one customer's token per connection`,
    requests: (seed) => [readMyOrders(seed)],
    probe: (seed) => ({ query: MY_ORDERS_QUERY, token: seed.readers[0]?.token }),
  },
  {
    name: "mix",
    goal: 1.0,
    describe: "the orders workload with 10% mutations (createOrder; submitOffer on orders created in the run)",
    requests: (seed) => [
      // Each request is a mutation with probability 10% (half createOrder, half submitOffer on an order created
      // earlier in the run, by another customer, so the readers' own pages keep their size).
      perConnection(
        (i, ctx) => {
          const dice = Math.random();
          ctx.created = dice < 0.05;
          const orderId = dice >= 0.05 && dice < 0.1 ? offerSlots.shift() : undefined;
          if (ctx.created) {
            mutationsSent.createOrder++;
            const input = { serviceId: seed.serviceIds[i % seed.serviceIds.length], title: `Bench ${i}`, description: "Mix", address: "1 Bench St", location: { lat: 52.52, lng: 13.405 } };
            return { headers: headers(seed.writers[writerTurn++ % seed.writers.length]?.token), body: json(CREATE_ORDER, { i: input }) };
          }
          if (orderId) {
            mutationsSent.submitOffer++;
            const provider = seed.providers[providerTurn++ % seed.providers.length];
            return { headers: headers(provider?.token), body: json(SUBMIT_OFFER, { i: { orderId, price: { amount: 9000 + i, currency: "EUR" } } }) };
          }
          return { headers: headers(seed.readers[i % seed.readers.length]?.token), body: json(MY_ORDERS_QUERY) };
        },
        (_status, body, context) => {
          if (!(context as ConnectionContext).created) return;
          const id = /"id":"([^"]+)"/.exec(body)?.[1];
          if (id) offerSlots.push(id, id); // two offers each, from two different providers (taken in turn)
        },
      ),
    ],
    probe: (seed) => ({ query: MY_ORDERS_QUERY, token: seed.readers[1]?.token }),
  },
];

// --- measuring ----------------------------------------------------------------------------------------------------

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS; // utime, stime (fields 14 and 15)
}

/** HTTP requests a subgraph has answered on /graphql so far (its own /metrics; a batch is one). */
async function operationsServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^http_request_duration_seconds_count\{[^}]*route="\/graphql"[^}]*\} (\d+)/gm)) total += Number(m[1]);
  return total;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  cpuPerRequest: Record<string, number>;
  callsPerRequest: Record<string, number>;
}

async function measure(gatewayUrl: string, gatewayPid: number, stack: RunningProcesses, requests: autocannon.Request[], seconds: number): Promise<Sample> {
  const pids = { gateway: gatewayPid, ...Object.fromEntries(SUBGRAPH_NAMES.map((s) => [s, stack.pids[s] as number])) };
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuMs(pid)]));
  const callsBefore = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (s) => [s, await operationsServed(stack.urls[s])] as const)));
  connectionCounter = 0;
  const result = await autocannon({ url: gatewayUrl, connections: CONNECTIONS, duration: seconds, requests, setupClient: numberConnection });
  // Requests cut off when the run stops are not counted, though they cost CPU and subgraph calls: at most one
  // per connection, which is why the figures need rounds of several seconds.
  const done = Math.max(1, result.requests.total);
  const cpuPerRequest = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, (cpuMs(pid) - (cpuBefore[n] ?? 0)) / done]));
  const callsPerRequest = Object.fromEntries(
    await Promise.all(SUBGRAPH_NAMES.map(async (s) => [s, ((await operationsServed(stack.urls[s])) - (callsBefore[s] ?? 0)) / done] as const)),
  );
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: done, failed: result.non2xx + result.errors + result.timeouts, cpuPerRequest, callsPerRequest };
}

// --- Hive Gateway -------------------------------------------------------------------------------------------------

/** Hive Gateway on the supergraph with our subgraphs' real URLs, forwarding Authorization like Fixup's gateway. */
async function startHive(urls: RunningProcesses["urls"]): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "fixup-hive-"));
  let supergraph = readFileSync(join(root, "schema/supergraph.graphql"), "utf8");
  SUBGRAPH_NAMES.forEach((name, i) => {
    supergraph = supergraph.replaceAll(`http://127.0.0.1:${4001 + i}/graphql`, `${urls[name]}/graphql`);
  });
  writeFileSync(join(dir, "supergraph.graphql"), supergraph);
  writeFileSync(
    join(dir, "gateway.config.mjs"),
    `export const gatewayConfig = {
  logging: "warn",
  propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? undefined }) },
};\n`,
  );
  const port = await freePort();
  const bin = realpathSync(join(root, "node_modules/.bin/hive-gateway"));
  const child = spawn(
    process.execPath,
    [...profileArgs, bin, "supergraph", join(dir, "supergraph.graphql"), "--port", String(port), "--host", "127.0.0.1", "--fork", "1", "-c", join(dir, "gateway.config.mjs")],
    { cwd: dir, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "ignore", "inherit"] },
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`hive-gateway exited with ${child.exitCode}`);
    await gqlOk(url, "{ __typename }");
  }, 60_000);
  return {
    url,
    child,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Hive's CLI may run the gateway in a worker process; CPU is counted where the work is done. */
function busiestPid(child: ChildProcess): number {
  const pid = child.pid as number;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.length === 1 ? (kids[0] as number) : pid;
  } catch {
    return pid;
  }
}

// --- seeding ------------------------------------------------------------------------------------------------------

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** 10 providers on 3 services; 32 customers with 20 orders each, every order with two offers; 4 mix customers. */
async function seed(gatewayUrl: string): Promise<Seed> {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(gatewayUrl, "{ services { id } }");
  const serviceIds = services.slice(0, 3).map((s) => s.id);
  const providers = await Promise.all(Array.from({ length: 10 }, (_, i) => registerUser(gatewayUrl, ["PROVIDER"], `Provider ${i}`)));
  await inBatches(providers, 10, async (p) => {
    for (const s of serviceIds) await gqlOk(gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s }, p.token);
  });
  const readers = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => registerUser(gatewayUrl, ["CUSTOMER"], `Customer ${i}`)));
  const writers = await Promise.all(Array.from({ length: 4 }, (_, i) => registerUser(gatewayUrl, ["CUSTOMER"], `Mix customer ${i}`)));
  const create = (customer: TestUser, n: number) =>
    gqlOk<{ createOrder: { id: string } }>(gatewayUrl, CREATE_ORDER, { i: { serviceId: serviceIds[n % 3], title: `Order ${n}`, description: "Seed", address: `${n} Seed St`, location: { lat: 52.52, lng: 13.405 } } }, customer.token);
  // Orders learns about catalog's services through events: wait until it accepts an order for each.
  await Promise.all(serviceIds.map((_, n) => eventually(() => create(writers[0] as TestUser, n), 20_000)));
  const jobs = readers.flatMap((customer) => Array.from({ length: 20 }, (_, n) => ({ customer, n })));
  let offer = 0;
  await inBatches(jobs, 16, async ({ customer, n }) => {
    const { createOrder } = await create(customer, n);
    for (const provider of [providers[offer++ % 10], providers[offer++ % 10]]) {
      // Orders learns who offers what from catalog's events: a provider's first offer may have to wait for them.
      const input = { orderId: createOrder.id, price: { amount: 10000 + n, currency: "EUR" } };
      await eventually(() => gqlOk(gatewayUrl, SUBMIT_OFFER, { i: input }, provider?.token), 20_000);
    }
  });
  return { serviceIds, providers, readers, writers };
}

async function forgetStreams(url: string): Promise<void> {
  const redis = createRedis(url);
  if (!redis) return;
  const keys = await redis.keys("fixup:*");
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

// --- the run ------------------------------------------------------------------------------------------------------

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

// Event streams and consumer groups have fixed names (fixup:events:<service>): on Redis database 0 this stack's
// orders would compete with any other stack's orders (tests, other benches) for catalog's events. A database of
// its own keeps them apart; its fixup:* keys are deleted at the end.
const redisUrl = new URL(REDIS_URL);
redisUrl.pathname = `/${1 + (process.pid % 15)}`;
const stack = await startProcesses({ databaseUrl: DATABASE_URL, redisUrl: redisUrl.toString(), databasePrefix: `fixup_benchgw_${Date.now().toString(36)}`, quiet: true, nodeArgs: profileArgs });
let hive: Awaited<ReturnType<typeof startHive>> | undefined;
let exitCode = 0;
try {
  const started = Date.now();
  const data = await seed(stack.gatewayUrl);
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  hive = await startHive(stack.urls);
  const gateways = [
    { name: "fixup", url: stack.gatewayUrl, pid: stack.pids.gateway as number },
    { name: "hive", url: hive.url, pid: busiestPid(hive.child) },
  ];
  const only = values.only?.split(",");
  const summary: string[] = [];
  for (const workload of WORKLOADS.filter((w) => !only || only.includes(w.name))) {
    const probe = workload.probe(data);
    const [ours, theirs] = await Promise.all(gateways.map((g) => gql(g.url, probe.query, {}, probe.token)));
    if (ours?.errors || JSON.stringify(ours) !== JSON.stringify(theirs)) {
      throw new Error(`${workload.name}: the gateways disagree: ${JSON.stringify(ours).slice(0, 300)} vs ${JSON.stringify(theirs).slice(0, 300)}`);
    }
    const requests = workload.requests(data);
    for (const g of gateways) await measure(g.url, g.pid, stack, requests, QUICK ? 1 : 3); // warm-up: JIT, plan caches
    const samples: Record<string, Sample[]> = { fixup: [], hive: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const g of gateways) samples[g.name]?.push(await measure(g.url, g.pid, stack, requests, SECONDS));
    }
    const ratio = median(samples.fixup?.map((s) => s.rps) ?? []) / median(samples.hive?.map((s) => s.rps) ?? []);
    console.log(`\n(${workload.name}) ${workload.describe} — ${ROUNDS} interleaved rounds × ${SECONDS} s, ${CONNECTIONS} connections`);
    console.log("  gateway  RPS      p50 ms  p99 ms  failed  CPU ms/request: gateway users catalog orders chat   subgraph HTTP calls/request: users catalog orders chat");
    for (const g of gateways) {
      const s = samples[g.name] ?? [];
      const m = (f: (x: Sample) => number) => median(s.map(f));
      console.log(
        `  ${g.name.padEnd(7)}  ${fmt(m((x) => x.rps), 0).padEnd(7)}  ${fmt(m((x) => x.p50), 0).padEnd(6)}  ${fmt(m((x) => x.p99), 0).padEnd(6)}  ${String(s.reduce((n, x) => n + x.failed, 0)).padEnd(6)}  ` +
          `${["gateway", ...SUBGRAPH_NAMES].map((p) => fmt(m((x) => x.cpuPerRequest[p] ?? NaN))).join(" ").padEnd(39)}  ` +
          SUBGRAPH_NAMES.map((p) => fmt(m((x) => x.callsPerRequest[p] ?? NaN), 3)).join(" "),
      );
      console.log(`           rounds RPS: ${s.map((x) => x.rps.toFixed(0)).join(", ")}`);
      if (s.some((x) => x.requests < 10 * CONNECTIONS)) {
        console.log("           (few requests per connection: requests cut off at the end of a round inflate the per-request figures)");
      }
    }
    const verdict = ratio >= workload.goal ? "goal met" : ratio >= workload.goal / 2 ? "below goal" : "GROSS REGRESSION";
    console.log(`  ratio fixup/hive (median RPS): ${fmt(ratio)} — goal ≥ ${workload.goal} — ${verdict}`);
    if (workload.name === "mix") console.log(`  mutations sent (both gateways, warm-up included): ${JSON.stringify(mutationsSent)}`);
    summary.push(`${workload.name}: ${fmt(ratio)} (goal ${workload.goal})`);
    if (ratio < workload.goal / 2) exitCode = 1;
  }
  console.log(`\nbench:gateway ratios — ${summary.join(", ")}`);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await hive?.close();
  await stack.stop();
  await forgetStreams(redisUrl.toString());
}
process.exit(exitCode);

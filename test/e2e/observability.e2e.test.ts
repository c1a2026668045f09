import { expect, test } from "vitest";
import { alertQueries, dashboardQueries, metricNames } from "../../scripts/infra/promql.js";
import { liveSubscriptions, subscribe, untilLive, wsClient, useLiveFederation } from "../support/live.js";
import { orderWithConversation } from "../support/marketplace.js";

const stack = useLiveFederation();

/** Every series name a /metrics page declares (`# TYPE` lines: a labelled counter has no sample until first used). */
const exported = async (url: string): Promise<Set<string>> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
};

test("the gateway reports its client subscriptions, the subgraph its (shared) upstream ones", async () => {
  const { customer, conversationId } = await orderWithConversation(stack.fed.gatewayUrl, "Gauge check");
  const query = "subscription($c: ID!) { messageAdded(conversationId: $c) { body } }";
  const feeds = [0, 1].map(() => {
    const client = wsClient(stack.fed.gatewayUrl, customer.token);
    stack.track(client);
    return subscribe(client, query, { c: conversationId });
  });
  await untilLive(stack.fed.chatUrls, 1);
  // Two clients with the same credentials and selection share one upstream subscription.
  await expect.poll(() => liveSubscriptions([stack.fed.gatewayUrl]), { timeout: 10_000 }).toBe(2);
  await Promise.all(feeds.map((f) => f.close()));
  await expect.poll(() => liveSubscriptions([stack.fed.gatewayUrl]), { timeout: 10_000 }).toBe(0);
});

test("each subgraph reports its Postgres client pool: in use, idle, waiting and its size", async () => {
  const pool = async (url: string, service: string, state: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("db_pool_connections{") && l.includes(`pool="${service}"`) && l.includes(`state="${state}"`));
    return line === undefined ? undefined : Number(line.split(" ").at(-1));
  };
  for (const [service, url] of [["users", stack.fed.usersUrl], ["catalog", stack.fed.catalogUrl], ["orders", stack.fed.ordersUrl], ["chat", stack.fed.chatUrls[0]!]] as const) {
    expect(await pool(url, service, "max"), service).toBe(10);
    expect(await pool(url, service, "waiting"), service).toBe(0);
    expect(await pool(url, service, "in_use"), service).toBeGreaterThanOrEqual(0);
  }
});

// Exporter metrics come from the exporters in docker-compose.yml, not from the services: nginx (nginxlog-exporter),
// cAdvisor (container_), node-exporter (node_), postgres-exporter (pg_, fixup_outbox_ from its custom queries),
// redis_exporter (redis_), and Prometheus itself (up).
const EXPORTER_METRIC = /^(nginx_|container_|node_|pg_|fixup_outbox_|redis_|up$)/;

test("every metric a Grafana panel or an alert reads is one the services export (or an exporter's)", async () => {
  const queries = [...dashboardQueries(), ...alertQueries()];
  expect(queries.length).toBeGreaterThan(30);
  const urls = [stack.fed.gatewayUrl, stack.fed.usersUrl, stack.fed.catalogUrl, stack.fed.ordersUrl, ...stack.fed.chatUrls];
  const names = new Set<string>();
  for (const url of urls) for (const name of await exported(url)) names.add(name);
  const missing = queries.flatMap((q) =>
    metricNames(q.expr)
      .filter((m) => !EXPORTER_METRIC.test(m) && !names.has(m))
      .map((m) => `${q.where}: ${m}`),
  );
  expect(missing).toEqual([]);
});

test("the metric-name lexer finds selectors, not functions, keywords, labels or durations", () => {
  expect(
    metricNames('histogram_quantile(0.99, sum by (le, operation) (rate(graphql_request_duration_seconds_bucket{service="$service",type!="x"}[$__rate_interval])))'),
  ).toEqual(["graphql_request_duration_seconds_bucket"]);
  expect(metricNames("sum(a_total) / clamp_min(sum(b_total), 1e-9) > 0.02 and on (x) c offset 5m")).toEqual(["a_total", "b_total", "c"]);
});

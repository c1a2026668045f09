import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger, createPubSub, createRedis, type PubSub, type Redis } from "@fixup/platform";
import { TEST_REDIS_URL } from "@fixup/platform/testing";
import { freePort } from "../../scripts/free-port.js";
import { eventually, gqlOk, registerUser, startFederation, type Federation, type TestUser } from "../support/federation.js";

// Orders' live events go through a pub/sub the test can point at a Redis that is gone, without touching the shared
// Redis server other tests use: a port nobody listens on (refused, ioredis reconnecting) and a "server" that accepts
// connections and never answers (a hung or partitioned Redis).
const logger = createLogger("test", "silent");
const healthyRedis = createRedis(TEST_REDIS_URL) as Redis;
const healthy = createPubSub(healthyRedis, logger);
let current: PubSub = healthy;
const switchable: PubSub = {
  publish: (topic, payload) => current.publish(topic, payload),
  subscribe: (topic) => current.subscribe(topic),
  close: async () => undefined,
};

let fed: Federation;
let silent: Server;
const silentSockets: Socket[] = [];
const deadClients: Redis[] = [];
beforeAll(async () => {
  fed = await startFederation({ ordersPubSub: switchable });
  silent = createServer((socket) => void silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await fed?.stop();
  for (const client of deadClients) client.disconnect();
  await healthy.close();
  await healthyRedis.quit();
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
});

/** The production client (platform createRedis) for a Redis at `url`, its errors expected and silenced. */
function deadPubSub(url: string): PubSub {
  const client = createRedis(url) as Redis;
  client.on("error", () => undefined);
  deadClients.push(client);
  return createPubSub(client, logger);
}

async function setup(orders: number): Promise<{ provider: TestUser; orderIds: string[] }> {
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(fed.gatewayUrl, '{ services(search: "clean") { id } }');
  const serviceId = services[0]?.id as string;
  const customer = await registerUser(fed.gatewayUrl, ["CUSTOMER"], "Latency Customer");
  const provider = await registerUser(fed.gatewayUrl, ["PROVIDER"], "Latency Provider");
  await gqlOk(fed.gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.token);
  const orderIds: string[] = [];
  for (let i = 0; i < orders; i++) {
    const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(
      fed.gatewayUrl,
      "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
      { i: { serviceId, title: `Job ${i}`, description: "Some work", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } } },
      customer.token,
    );
    orderIds.push(createOrder.id);
  }
  // The provider's assignment reaches orders through catalog's events.
  const first = orderIds.shift() as string;
  await eventually(() => submitOffer(provider, first));
  return { provider, orderIds };
}

const submitOffer = (provider: TestUser, orderId: string) =>
  gqlOk(fed.gatewayUrl, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", { i: { orderId, price: { amount: 5000, currency: "EUR" } } }, provider.token);

/** Median wall time of submitOffer (which publishes two live events) over the given orders. */
async function medianSubmitMs(provider: TestUser, orderIds: string[]): Promise<number> {
  const times: number[] = [];
  for (const orderId of orderIds) {
    const started = performance.now();
    await submitOffer(provider, orderId);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const droppedCount = async () =>
  Number(/^live_events_dropped_total\{[^}]*event="orderUpdated"[^}]*\} (\d+)/m.exec(await (await fetch(`${fed.ordersUrl}/metrics`)).text())?.[1] ?? 0);

test("with Redis gone, mutations do not wait for live events: they are dropped, counted and the mutation answers", async () => {
  const { provider, orderIds } = await setup(1 + 5 * 3);
  const normal = await medianSubmitMs(provider, orderIds.splice(0, 5));

  current = deadPubSub(`redis://127.0.0.1:${await freePort()}`);
  const refused = await medianSubmitMs(provider, orderIds.splice(0, 5));
  console.info(`submitOffer median: ${normal.toFixed(1)} ms normal, ${refused.toFixed(1)} ms with Redis refusing connections`);
  // Generous bounds (this machine is shared): before, each request waited out ioredis' reconnect retries (seconds).
  expect(refused).toBeLessThan(normal + 1_000);
  await eventually(async () => expect(await droppedCount()).toBeGreaterThanOrEqual(5));

  current = deadPubSub(`redis://127.0.0.1:${(silent.address() as { port: number }).port}`);
  const hung = await medianSubmitMs(provider, orderIds.splice(0, 5));
  console.info(`submitOffer median: ${hung.toFixed(1)} ms with a Redis that never answers`);
  expect(hung).toBeLessThan(normal + 1_000); // before: the request hung for good
  await eventually(async () => expect(await droppedCount()).toBeGreaterThanOrEqual(10));
  current = healthy;
}, 60_000);

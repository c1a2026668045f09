import { createServer, type Socket } from "node:net";
import { afterAll, expect, test, vi } from "vitest";
import { bestEffortPublisher } from "./live-publisher.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { redisPubSub, type PubSub } from "./pubsub.js";
import { createRedis, type Redis } from "./redis.js";

const logger = createLogger("test", "silent");
const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

/** The production Redis client for a server that never answers (accepts, then silence): it never becomes ready. */
async function hungRedis(): Promise<{ redis: Redis; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const redis = createRedis(`redis://127.0.0.1:${(server.address() as { port: number }).port}`) as Redis;
  redis.on("error", () => undefined);
  clients.push(redis);
  return {
    redis,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test("redisPubSub refuses a publish at once while its connection is not ready, instead of queueing it", async () => {
  const { redis, close } = await hungRedis();
  const pubsub = redisPubSub(redis, logger);
  expect(redis.status).not.toBe("ready");
  // Before: the publish sat in ioredis' offline queue, here for good (the server never answers).
  await expect(pubsub.publish("topic", { id: "1" })).rejects.toThrow(/not connected/);
  await pubsub.close();
  await close();
});

test("bestEffortPublisher returns at once, never throws, and counts and logs each dropped event", async () => {
  const failing: PubSub = {
    publish: () => Promise.reject(new Error("Redis not connected (reconnecting): live event not published")),
    subscribe: () => Promise.reject(new Error("unused")),
    close: async () => undefined,
  };
  const metrics = createMetrics("test");
  const warn = vi.spyOn(logger, "warn");
  const publish = bestEffortPublisher(failing, logger, metrics.liveEventsDropped);
  expect(publish("orderUpdated", "orders:orderUpdated:1", { id: "1" })).toBeUndefined();
  publish("orderUpdated", "orders:orderUpdated:2", { id: "2" });
  await vi.waitFor(async () => {
    const { values } = await metrics.liveEventsDropped.get();
    expect(values.find((v) => v.labels.event === "orderUpdated")?.value).toBe(2);
  });
  expect(warn).toHaveBeenCalledWith(expect.objectContaining({ event: "orderUpdated", topic: "orders:orderUpdated:1" }), "live event dropped");
});

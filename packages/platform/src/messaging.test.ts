import { describe, expect, test, vi } from "vitest";
import { memoryEventBus } from "./events.js";
import { createLogger } from "./logger.js";
import { connectMessaging } from "./messaging.js";
import { memoryPubSub } from "./pubsub.js";
import { TEST_REDIS_URL } from "./testing.js";

const logger = createLogger("test", "silent");

describe("connectMessaging", () => {
  test("uses what the caller passes and never closes it", async () => {
    const bus = memoryEventBus(logger);
    const pubsub = memoryPubSub();
    const closeBus = vi.spyOn(bus, "close");
    const closePubSub = vi.spyOn(pubsub, "close");
    const messaging = connectMessaging(TEST_REDIS_URL, logger, { redis: null, bus, pubsub });
    expect(messaging.bus).toBe(bus);
    expect(messaging.pubsub).toBe(pubsub);
    expect(messaging.redis).toBeNull();
    expect(messaging.readiness).toEqual([]);
    await messaging.close();
    expect(closeBus).not.toHaveBeenCalled();
    expect(closePubSub).not.toHaveBeenCalled();
  });

  test("without Redis builds in-process stand-ins on first use, and closes them", async () => {
    const messaging = connectMessaging(undefined, logger);
    const bus = messaging.bus;
    expect(messaging.bus).toBe(bus); // created once
    const closeBus = vi.spyOn(bus, "close");
    await messaging.close();
    expect(closeBus).toHaveBeenCalledOnce();
  });

  test("with REDIS_URL opens its own client (readiness pings it) and quits it on close", async () => {
    const messaging = connectMessaging(TEST_REDIS_URL, logger);
    expect(messaging.redis).not.toBeNull();
    expect(messaging.readiness.map((r) => r.name)).toEqual(["redis"]);
    await expect(messaging.readiness[0]?.check()).resolves.toBe("PONG");
    await messaging.close();
    await vi.waitFor(() => expect(messaging.redis?.status).toMatch(/^(close|end)$/));
  });
});

import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { memoryEventBus, redisEventBus, type EventBus, type IntegrationEvent, type RedisEventBusOptions } from "./events.js";
import { deadLetteredEvents } from "./event-metrics.js";
import { createLogger, type Logger } from "./logger.js";
import { TEST_REDIS_URL } from "./testing.js";

/** A logger whose error lines the test can read (handler failures, consumer loop errors). */
function captureLogger(): { logger: Logger; lines: Array<{ msg: string }> } {
  const lines: Array<{ msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { msg: string });
      callback();
    },
  });
  return { logger: createLogger("events-test", "error", sink), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeout = 5_000): Promise<void> =>
  vi.waitFor(async () => {
    if (!(await condition())) throw new Error(`timed out waiting for ${what}`);
  }, { timeout, interval: 10 });

const makeEvent = (i: number): IntegrationEvent => ({
  id: randomUUID(),
  type: "test.happened",
  source: "events-test",
  occurredAt: new Date().toISOString(),
  payload: { i },
});
const indexOf = (event: IntegrationEvent) => event.payload.i as number;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let redis: Redis;
const streams: string[] = [];
const buses: EventBus[] = [];

const newStream = () => {
  const stream = `test:${randomUUID()}`;
  streams.push(stream);
  return stream;
};

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
});

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  const names = streams.splice(0);
  if (names.length) await redis.del(...names.flatMap((n) => [n, `${n}:intact`, `${n}:dead-letters`]));
});

afterAll(async () => {
  await redis.quit();
});

type BusOptions = Partial<Omit<RedisEventBusOptions, "logger">> & { logger?: Logger };

const implementations: Array<{ name: string; create: (options?: BusOptions) => EventBus }> = [
  {
    name: "redisEventBus",
    create: ({ logger = captureLogger().logger, ...options } = {}) => {
      const bus = redisEventBus(redis, { logger, blockMs: 200, ...options });
      buses.push(bus);
      return bus;
    },
  },
  {
    name: "memoryEventBus",
    create: ({ logger = captureLogger().logger } = {}) => {
      const bus = memoryEventBus(logger);
      buses.push(bus);
      return bus;
    },
  },
];

describe.each(implementations)("$name", ({ name, create }) => {
  test("one consumer of a group gets every event once, in order", async () => {
    const bus = create();
    const stream = newStream();
    const events = range(25).map(makeEvent);
    for (const event of events.slice(0, 10)) await bus.publish(stream, event);
    const seen: IntegrationEvent[] = [];
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      seen.push(event);
    });
    // Some before the subscription, some while it is waiting.
    await waitFor(() => seen.length === 10, "the backlog");
    for (const event of events.slice(10)) await bus.publish(stream, event);
    await waitFor(() => seen.length >= 25, "every event");
    expect(await subscription.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await subscription.stop();
    expect(seen).toEqual(events);
  });

  test("caughtUp() resolves once the group has applied everything published before the call, false on timeout", async () => {
    const bus = create();
    const stream = newStream();
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      await gate;
      seen.push(indexOf(event));
    });
    // Nothing published yet: nothing to wait for.
    expect(await subscription.caughtUp(1_000)).toBe(true);
    for (const event of range(5).map(makeEvent)) await bus.publish(stream, event);
    expect(await subscription.caughtUp(50)).toBe(false);
    const waiting = subscription.caughtUp(5_000).then((ok) => ({ ok, seenThen: [...seen] }));
    release();
    expect(await waiting).toEqual({ ok: true, seenThen: range(5) });
    await subscription.stop();
  });

  test("caughtUp() waits for a failing handler's retry, and does not wait for events published after the call", async () => {
    const bus = create();
    const stream = newStream();
    const seen: number[] = [];
    let failures = 0;
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      if (indexOf(event) === 1 && failures++ === 0) throw new Error("transient");
      seen.push(indexOf(event));
    });
    for (const event of range(3).map(makeEvent)) await bus.publish(stream, event);
    expect(await subscription.caughtUp(5_000)).toBe(true);
    expect(seen).toEqual(range(3));
    await subscription.stop();
  });

  test("an event that keeps failing goes to the dead letters after bounded retries; the rest flow; replay brings it back", async () => {
    const bus = name === "redisEventBus" ? redisEventBus(redis, { logger: captureLogger().logger, blockMs: 200, maxAttempts: 3 }) : memoryEventBus(captureLogger().logger, { maxAttempts: 3 });
    buses.push(bus);
    const stream = newStream();
    const events = range(3).map(makeEvent);
    let broken = true;
    const seen: number[] = [];
    const tries = new Map<number, number>();
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      tries.set(indexOf(event), (tries.get(indexOf(event)) ?? 0) + 1);
      if (broken && indexOf(event) === 1) throw new Error("cannot apply 1");
      seen.push(indexOf(event));
    });
    for (const event of events) await bus.publish(stream, event);
    await waitFor(() => seen.includes(2), "the events after the poison one");
    expect(seen).toEqual([0, 2]);
    expect(tries.get(1)).toBe(3);
    const letters = await bus.deadLetters(stream);
    expect(letters).toEqual([expect.objectContaining({ group: "g", error: "cannot apply 1", attempts: 3, event: events[1] })]);
    expect((await deadLetteredEvents.get()).values.find((v) => v.labels.stream === stream)?.value).toBe(1);
    broken = false;
    expect(await bus.replayDeadLetters(stream, "other-group")).toBe(0);
    expect(await bus.replayDeadLetters(stream, "g")).toBe(1);
    await waitFor(() => seen.includes(1), "the replayed event");
    expect(seen).toEqual([0, 2, 1]);
    expect(await bus.deadLetters(stream)).toEqual([]);
    await subscription.stop();
  });

  test("two groups each get every event", async () => {
    const bus = create();
    const stream = newStream();
    const events = range(10).map(makeEvent);
    const byGroup: Record<string, number[]> = { a: [], b: [] };
    const subscriptions = ["a", "b"].map((group) =>
      bus.subscribe(stream, group, `${group}-1`, async (event) => {
        byGroup[group]!.push(indexOf(event));
      }),
    );
    for (const event of events) await bus.publish(stream, event);
    await waitFor(() => byGroup.a!.length >= 10 && byGroup.b!.length >= 10, "both groups");
    expect(await Promise.all(subscriptions.map((s) => s.caughtUp(2_000)))).toEqual(subscriptions.map(() => true));
    await Promise.all(subscriptions.map((s) => s.stop()));
    expect(byGroup).toEqual({ a: range(10), b: range(10) });
  });

  test("two consumers of one group never both handle an event", async () => {
    const bus = create();
    const stream = newStream();
    const byConsumer: Record<string, number[]> = { c1: [], c2: [] };
    const subscriptions = ["c1", "c2"].map((consumer) =>
      bus.subscribe(stream, "g", consumer, async (event) => {
        byConsumer[consumer]!.push(indexOf(event));
        await sleep(5);
      }),
    );
    for (const event of range(20).map(makeEvent)) await bus.publish(stream, event);
    await waitFor(() => byConsumer.c1!.length + byConsumer.c2!.length >= 20, "every event");
    expect(await Promise.all(subscriptions.map((s) => s.caughtUp(2_000)))).toEqual(subscriptions.map(() => true));
    await Promise.all(subscriptions.map((s) => s.stop()));
    expect([...byConsumer.c1!, ...byConsumer.c2!].sort((a, b) => a - b)).toEqual(range(20));
  });

  test("a failed event is redelivered before the ones after it, none skipped or reordered", async () => {
    const { logger, lines } = captureLogger();
    const bus = create({ logger });
    const stream = newStream();
    const events = range(6).map(makeEvent);
    for (const event of events) await bus.publish(stream, event);
    const attempts = new Map<number, number>();
    const handled: number[] = [];
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      const i = indexOf(event);
      attempts.set(i, (attempts.get(i) ?? 0) + 1);
      if (i === 2 && attempts.get(i)! <= 2) throw new Error("transient failure");
      handled.push(i);
    });
    await waitFor(() => handled.length >= 6, "every event handled");
    expect(await subscription.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await subscription.stop();
    expect(handled).toEqual(range(6));
    expect(Object.fromEntries(attempts)).toEqual({ 0: 1, 1: 1, 2: 3, 3: 1, 4: 1, 5: 1 });
    expect(lines.filter((l) => l.msg === "event handler failed; will retry")).toHaveLength(2);
    if (name === "redisEventBus") {
      const [count] = (await redis.xpending(stream, "g")) as [number];
      expect(count).toBe(0);
    }
  });

  test("an acknowledged event is not redelivered after stop() and a new subscribe", async () => {
    const bus = create();
    const stream = newStream();
    const events = range(4).map(makeEvent);
    for (const event of events.slice(0, 3)) await bus.publish(stream, event);
    const handled: number[] = [];
    const handler = async (event: IntegrationEvent) => {
      handled.push(indexOf(event));
    };
    const first = bus.subscribe(stream, "g", "c1", handler);
    await waitFor(() => handled.length >= 3, "the first three");
    await first.stop();

    const second = bus.subscribe(stream, "g", "c1", handler);
    await bus.publish(stream, events[3]!);
    await waitFor(() => handled.length >= 4, "the fourth");
    expect(await second.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await second.stop();
    expect(handled).toEqual([0, 1, 2, 3]);
  });

  test("stop() lets the in-flight handler finish and acknowledges its event", async () => {
    const bus = create();
    const stream = newStream();
    for (const event of range(3).map(makeEvent)) await bus.publish(stream, event);
    const started: number[] = [];
    const finished: number[] = [];
    const first = bus.subscribe(stream, "g", "c1", async (event) => {
      started.push(indexOf(event));
      await sleep(150);
      finished.push(indexOf(event));
    });
    await waitFor(() => started.length === 1, "the first handler to start");
    await first.stop();
    // stop() waited for the handler, and no handler started after it.
    expect(finished).toEqual([0]);
    expect(started).toEqual([0]);

    const redelivered: number[] = [];
    const second = bus.subscribe(stream, "g", "c1", async (event) => {
      redelivered.push(indexOf(event));
    });
    await waitFor(() => redelivered.length >= 2, "the rest");
    expect(await second.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await second.stop();
    expect(redelivered).toEqual([1, 2]);
  });

  test("stop() resolves promptly while the consumer is waiting for events", async () => {
    // Default blockMs for Redis (1 s): stop() must interrupt the blocking read rather than wait it out.
    const bus = name === "redisEventBus" ? create({ blockMs: 1_000 }) : create();
    const stream = newStream();
    const subscription = bus.subscribe(stream, "g", "c1", async () => undefined);
    await sleep(150);
    const started = performance.now();
    await subscription.stop();
    expect(performance.now() - started).toBeLessThan(100);
  });

  test("close() stops every subscription: nothing is handled and nothing keeps retrying after it", async () => {
    const { logger, lines } = captureLogger();
    const bus = create({ logger });
    const stream = newStream();
    const handled: number[] = [];
    bus.subscribe(stream, "g", "c1", async (event) => {
      handled.push(indexOf(event));
    });
    await bus.publish(stream, makeEvent(0));
    await waitFor(() => handled.length === 1, "the first event");
    await bus.close();
    await bus.publish(stream, makeEvent(1));
    await sleep(200);
    expect(handled).toEqual([0]);
    expect(lines).toEqual([]);
  });
});

describe("redisEventBus only", () => {
  const create = implementations[0]!.create;

  test("two consumers of one group split the events without duplicates", async () => {
    const bus = create();
    const stream = newStream();
    const byConsumer: Record<string, number[]> = { c1: [], c2: [] };
    // Whoever gets the first event holds it until the other consumer got one, so both must take part.
    const subscriptions = ["c1", "c2"].map((consumer) =>
      bus.subscribe(stream, "g", consumer, async (event) => {
        byConsumer[consumer]!.push(indexOf(event));
        const other = byConsumer[consumer === "c1" ? "c2" : "c1"]!;
        await waitFor(() => other.length > 0, "the other consumer", 2_000).catch(() => undefined);
      }),
    );
    await waitFor(async () => ((await redis.xinfo("CONSUMERS", stream, "g").catch(() => [])) as unknown[]).length === 2, "both consumers");
    for (const event of range(20).map(makeEvent)) await bus.publish(stream, event);
    await waitFor(() => byConsumer.c1!.length + byConsumer.c2!.length >= 20, "every event");
    expect(await Promise.all(subscriptions.map((s) => s.caughtUp(2_000)))).toEqual(subscriptions.map(() => true));
    await Promise.all(subscriptions.map((s) => s.stop()));
    expect(byConsumer.c1!.length).toBeGreaterThan(0);
    expect(byConsumer.c2!.length).toBeGreaterThan(0);
    expect([...byConsumer.c1!, ...byConsumer.c2!].sort((a, b) => a - b)).toEqual(range(20));
    // Each consumer still sees its share in stream order.
    for (const share of Object.values(byConsumer)) expect(share).toEqual([...share].sort((a, b) => a - b));
  });

  /** A consumer that read every entry but dies inside the first handler: nothing acknowledged. */
  async function crashedConsumer(stream: string, consumer: string) {
    const bus = create({ claimIdleMs: 100 });
    const events = range(3).map(makeEvent);
    for (const event of events) await bus.publish(stream, event);
    let called = 0;
    const subscription = bus.subscribe(stream, "g", consumer, () => {
      called += 1;
      return new Promise<void>(() => undefined); // never resolves
    });
    await waitFor(() => called === 1, "the hanging handler");
    const started = performance.now();
    await subscription.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    const [pending] = (await redis.xpending(stream, "g")) as [number];
    expect(pending).toBe(3);
    return events;
  }

  test("a restarted consumer with the same name gets its pending entries again", async () => {
    const stream = newStream();
    const events = await crashedConsumer(stream, "c1");
    const bus = create({ claimIdleMs: 100 });
    const seen: IntegrationEvent[] = [];
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      seen.push(event);
    });
    await waitFor(() => seen.length >= 3, "the pending entries");
    expect(await subscription.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await subscription.stop();
    expect(seen).toEqual(events);
    const [pending] = (await redis.xpending(stream, "g")) as [number];
    expect(pending).toBe(0);
  });

  test("another consumer claims a dead consumer's pending entries (XAUTOCLAIM)", async () => {
    const stream = newStream();
    const events = await crashedConsumer(stream, "dead");
    const bus = create({ claimIdleMs: 100, blockMs: 100 });
    const seen: IntegrationEvent[] = [];
    const subscription = bus.subscribe(stream, "g", "alive", async (event) => {
      seen.push(event);
    });
    await waitFor(() => seen.length >= 3, "the claimed entries");
    expect(await subscription.caughtUp(2_000)).toBe(true); // everything up to the head handled and acknowledged
    await subscription.stop();
    expect(seen).toEqual(events);
    const [pending] = (await redis.xpending(stream, "g")) as [number];
    expect(pending).toBe(0);
  });

  test("an entry trimmed from the stream while pending is acknowledged, not left pending forever", async () => {
    const stream = newStream();
    await crashedConsumer(stream, "c1");
    const ids = ((await redis.xrange(stream, "-", "+")) as Array<[string, string[]]>).map(([id]) => id);
    await redis.xdel(stream, ids[1]!);
    const bus = create();
    const seen: number[] = [];
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      seen.push(indexOf(event));
    });
    await waitFor(async () => seen.length >= 2 && ((await redis.xpending(stream, "g")) as [number])[0] === 0, "an empty PEL");
    await subscription.stop();
    expect(seen).toEqual([0, 2]);
  });

  test("a consumer whose stream (and group) was deleted recreates the group and keeps consuming", async () => {
    const { logger } = captureLogger();
    const bus = create({ logger });
    const stream = newStream();
    const seen: number[] = [];
    const subscription = bus.subscribe(stream, "g", "c1", async (event) => {
      seen.push(indexOf(event));
    });
    await bus.publish(stream, makeEvent(0));
    await waitFor(() => seen.length === 1, "the first event");
    await redis.del(stream);
    await bus.publish(stream, makeEvent(1));
    await waitFor(() => seen.length === 2, "an event published after the stream was recreated", 3_000);
    await subscription.stop();
    expect(seen).toEqual([0, 1]);
  });
});

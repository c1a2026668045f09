import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { deadLetterStream, eventStream } from "@fixup/platform";
import { TEST_REDIS_URL } from "@fixup/platform/testing";

const exec = promisify(execFile);
const redis = new Redis(TEST_REDIS_URL);
const service = `dl-${randomUUID()}`;
const stream = eventStream(service);

afterAll(async () => {
  await redis.del(stream, deadLetterStream(stream));
  await redis.quit();
});

const cli = (...args: string[]) =>
  exec(process.execPath, ["--import", "tsx", "scripts/dead-letters.ts", "--service", service, ...args], { env: { ...process.env, REDIS_URL: TEST_REDIS_URL } });

test("lists the dead letters, then --replay puts them back on the stream and empties the list", async () => {
  const event = { id: randomUUID(), type: "OfferSubmitted", source: service, occurredAt: new Date().toISOString(), payload: {} };
  const letter = { group: "chat", error: "no such order", attempts: 8, failedAt: new Date().toISOString(), event };
  await redis.xadd(deadLetterStream(stream), "*", "letter", JSON.stringify(letter));
  const listed = await cli();
  expect(listed.stdout).toContain(`group=chat  OfferSubmitted ${event.id}  after 8 attempts: no such order`);
  expect(listed.stdout).toContain("1 dead letter(s)");
  expect((await cli("--group", "chat", "--replay")).stdout).toContain("replayed 1 event(s)");
  const entries = (await redis.xrange(stream, "-", "+")) as Array<[string, string[]]>;
  expect(entries.map(([, fields]) => JSON.parse(fields[1] as string))).toEqual([event]);
  expect(await redis.xlen(deadLetterStream(stream))).toBe(0);
}, 30_000);

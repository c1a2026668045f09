// `npm run events:dead-letters -- --service orders [--group chat] [--replay]`
// Lists the integration events a consumer group gave up on (after its bounded retries), with the last error; with
// --replay puts them back on the service's stream, where that group meets them again (other groups skip them: every
// handler applies an event id once). Fix the cause first (a deploy, missing data), then replay. Needs REDIS_URL.
import { parseArgs } from "node:util";
import { createLogger, createRedis, eventStream, redisEventBus } from "@fixup/platform";

const { values } = parseArgs({
  options: { service: { type: "string" }, group: { type: "string" }, replay: { type: "boolean", default: false } },
});
const redis = createRedis(process.env.REDIS_URL);
if (!values.service || !redis) {
  console.error("usage: REDIS_URL=redis://… npm run events:dead-letters -- --service <users|catalog|orders|chat> [--group <consumer>] [--replay]");
  process.exit(2);
}
const bus = redisEventBus(redis, { logger: createLogger("dead-letters", "warn") });
const stream = eventStream(values.service);
try {
  const letters = (await bus.deadLetters(stream)).filter((l) => !values.group || l.group === values.group);
  for (const l of letters) {
    console.log(`${l.failedAt}  group=${l.group}  ${l.event.type} ${l.event.id}  after ${l.attempts} attempts: ${l.error}`);
  }
  if (values.replay) console.log(`replayed ${await bus.replayDeadLetters(stream, values.group)} event(s) onto ${stream}`);
  else console.log(`${letters.length} dead letter(s) on ${stream}${letters.length ? " (--replay to put them back)" : ""}`);
} finally {
  await bus.close();
  await redis.quit();
}

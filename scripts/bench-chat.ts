// `npm run bench:chat [-- --subscribers 1000 --messages 50 --interval 50 --rounds 1 --client-workers 1 --connecting 200 --without-floor --profile <dir>]`
// Starts users, catalog, orders, chat and the gateway as separate processes on the Postgres at DATABASE_URL and
// the Redis at REDIS_URL, opens N graphql-ws subscribers to one conversation through the gateway and has one
// sender post messages. Prints delivery latency percentiles, delivered messages/s and each process's peak RSS.
// Each round is followed by the same subscribers and messages on the floor (bench-chat-floor.ts): a bare graphql-ws
// broadcaster writing the same frames and nothing else, so the gateway's figures stand beside what the machine's
// sockets allow in the same run (--without-floor skips it). With several rounds the summary gives medians.
// --connecting caps the connections being set up at once (default 200: a fleet connects over time, not in one tick);
// --client-workers spreads the subscribers over child processes (the load generator is then not one event loop);
// --profile writes a V8 CPU profile of every service process into that directory (open it in Chrome DevTools).
import { parseArgs } from "node:util";
import { fork, type ChildProcess } from "node:child_process";
import { gqlOk } from "../test/support/federation.js";
import { orderWithConversation } from "../test/support/marketplace.js";
import { openSubscribers, type SubscriberJob, type SubscriberTally } from "./bench-chat-subscribers.js";
import { median } from "./bench-stats.js";
import { peakRssMb, startProcesses } from "./processes.js";

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000" },
    messages: { type: "string", default: "50" },
    interval: { type: "string", default: "50" },
    "client-workers": { type: "string", default: "1" },
    connecting: { type: "string", default: "200" },
    rounds: { type: "string", default: "1" },
    "without-floor": { type: "boolean", default: false },
    profile: { type: "string" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const MESSAGES = Number(values.messages);
const INTERVAL_MS = Number(values.interval);
const WORKERS = Math.max(1, Number(values["client-workers"]));
const CONNECTING = Math.max(1, Number(values.connecting));
const ROUNDS = Math.max(1, Number(values.rounds));
const ROUNDS_WITH_FLOOR = !values["without-floor"];
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

interface Progress {
  delivered: number;
  connected: number;
  errors: number;
}

/** The subscribers, in this process (one group) or spread over child processes. */
class SubscriberGroups {
  private readonly local?: ReturnType<typeof openSubscribers>;
  private readonly workers: ChildProcess[] = [];
  constructor(total: number, workers: number, job: (count: number) => SubscriberJob) {
    if (workers === 1) {
      this.local = openSubscribers(job(total));
      return;
    }
    for (let w = 0; w < workers; w++) {
      const count = Math.floor(total / workers) + (w < total % workers ? 1 : 0);
      const worker = fork(new URL("./bench-chat-subscribers.ts", import.meta.url), [JSON.stringify(job(count))], { execArgv: ["--import", "tsx"] });
      worker.on("exit", (code, signal) => console.error(`subscriber process ${w} exited with ${code ?? signal}`));
      this.workers.push(worker);
    }
  }
  private ask<T>(worker: ChildProcess, message: string, key: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const listen = (reply: Record<string, T>) => {
        if (!(key in reply)) return;
        worker.off("message", listen);
        resolve(reply[key] as T);
      };
      worker.on("message", listen);
      if (!worker.connected) return reject(new Error(`subscriber process ${worker.pid} is gone (exit ${worker.exitCode})`));
      worker.send(message);
    });
  }
  async progress(): Promise<Progress> {
    if (this.local) {
      const { delivered, connected, errors } = this.local.tally;
      return { delivered, connected, errors: Object.values(errors).reduce((a, b) => a + b, 0) };
    }
    const each = await Promise.all(this.workers.map((w) => this.ask<Progress>(w, "tally", "progress")));
    return each.reduce((a, p) => ({ delivered: a.delivered + p.delivered, connected: a.connected + p.connected, errors: a.errors + p.errors }));
  }
  async stop(): Promise<SubscriberTally> {
    if (this.local) {
      await this.local.dispose();
      return this.local.tally;
    }
    const tallies = await Promise.all(this.workers.map((w) => this.ask<SubscriberTally>(w, "stop", "final")));
    const errors: Record<string, number> = {};
    for (const t of tallies) for (const [k, n] of Object.entries(t.errors)) errors[k] = (errors[k] ?? 0) + n;
    return {
      latencies: tallies.flatMap((t) => t.latencies),
      delivered: tallies.reduce((a, t) => a + t.delivered, 0),
      connected: tallies.reduce((a, t) => a + t.connected, 0),
      errors,
    };
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

type Target = "gateway" | "floor";
interface Round {
  target: Target;
  connected: number;
  connectSeconds: number;
  delivered: number;
  expected: number;
  errors: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  deliveredPerSecond: number;
}

/** The reference broadcaster (bench-chat-floor.ts) as its own process. */
async function startFloor() {
  const child = fork(new URL("./bench-chat-floor.ts", import.meta.url), [], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve(m.port));
    child.once("exit", (code) => reject(new Error(`floor broadcaster exited with ${code}`)));
  });
  return {
    wsUrl: `ws://127.0.0.1:${port}/`,
    broadcast: (event: unknown) => child.send({ event }),
    peakRssMb: () => peakRssMb(child.pid),
    stop: () => child.disconnect(),
  };
}

const stack = await startProcesses({
  databaseUrl: DATABASE_URL,
  redisUrl: REDIS_URL,
  databasePrefix: `fixup_bench_${Date.now().toString(36)}`,
  ...(values.profile ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] } : {}),
});
const { gatewayUrl } = stack;
const floor = ROUNDS_WITH_FLOOR ? await startFloor() : undefined;

try {
  const { customer, provider, conversationId } = await orderWithConversation(gatewayUrl, "Benchmark");
  console.log(`federation up; ${ROUNDS} round(s) of ${SUBSCRIBERS} subscribers on ${gatewayUrl}${floor ? `, each followed by the same on the reference broadcaster` : ""}`);
  const senderName = "Chat Customer";

  /** One round: open the subscribers on the target, send the messages, collect the latencies, close the subscribers. */
  async function round(target: Target): Promise<Round> {
    const job = (count: number): SubscriberJob => ({
      wsUrl: target === "gateway" ? `${gatewayUrl.replace("http", "ws")}/graphql` : floor!.wsUrl,
      authorizations: [`Bearer ${provider.token}`, `Bearer ${customer.token}`],
      conversationId,
      count,
      connecting: Math.max(1, Math.round(CONNECTING / WORKERS)),
    });
    const groups = new SubscriberGroups(SUBSCRIBERS, WORKERS, job);
    let sent = 0;
    const send = async (body: string) => {
      if (target === "gateway") {
        await gqlOk(gatewayUrl, "mutation($c: ID!, $b: String!) { sendMessage(conversationId: $c, body: $b) { id } }", { c: conversationId, b: body }, customer.token);
      } else {
        floor!.broadcast({ messageAdded: { id: `floor-${sent++}`, body, createdAt: new Date().toISOString(), sender: { name: senderName } } });
      }
    };
    const connectStarted = Date.now();
    // Until every subscriber is acknowledged or has failed; a socket that does neither for 15 s is reported, not waited on.
    let settled = 0;
    for (let lastChange = Date.now(); settled < SUBSCRIBERS && Date.now() - lastChange < 15_000; ) {
      await new Promise((r) => setTimeout(r, 200));
      const p = await groups.progress();
      if (p.connected + p.errors !== settled) lastChange = Date.now();
      settled = p.connected + p.errors;
    }
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    // An acknowledged client has sent its subscribe; give the server a moment to have joined every one upstream.
    await new Promise((r) => setTimeout(r, 2_000));
    // One untimed message first: the first event of a subscription plans its refetch query and warms the JIT; a
    // running gateway has done that long before, so the figures are of a warm one.
    await send("warm-up");
    await new Promise((r) => setTimeout(r, 2_000));

    const started = Date.now();
    for (let m = 0; m < MESSAGES; m++) {
      await send(`t ${performance.timeOrigin + performance.now()} #${m}`);
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    const expected = SUBSCRIBERS * MESSAGES;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && (await groups.progress()).delivered < expected; ) await new Promise((r) => setTimeout(r, 100));
    const elapsed = (Date.now() - started) / 1000;
    const { latencies, delivered, connected, errors } = await groups.stop();
    const sorted = latencies.sort((a, b) => a - b);
    const result: Round = {
      target,
      connected,
      connectSeconds,
      delivered,
      expected,
      errors,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      deliveredPerSecond: delivered / elapsed,
    };
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    console.log(
      `  ${target.padEnd(8)} connected ${connected}/${SUBSCRIBERS} in ${connectSeconds.toFixed(1)} s; delivered ${delivered}/${expected}` +
        `${errorCount ? ` (${errorCount} errors: ${JSON.stringify(errors)})` : ""}; p50/p95/p99 ${result.p50.toFixed(1)} / ${result.p95.toFixed(1)} / ${result.p99.toFixed(1)} ms`,
    );
    // Sockets closing on both sides settle before the next round starts connecting.
    await new Promise((r) => setTimeout(r, 3_000));
    return result;
  }

  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await round("gateway"));
    if (floor) rounds.push(await round("floor"));
  }

  const summary = (target: Target) => {
    const of = rounds.filter((r) => r.target === target);
    return {
      p50: median(of.map((r) => r.p50)),
      p95: median(of.map((r) => r.p95)),
      p99: median(of.map((r) => r.p99)),
      delivered: of.reduce((a, r) => a + r.delivered, 0),
      expected: of.reduce((a, r) => a + r.expected, 0),
      perSecond: median(of.map((r) => r.deliveredPerSecond)),
    };
  };
  const gateway = summary("gateway");
  console.log("\nbench:chat (medians of rounds)");
  console.log(`  subscribers        ${SUBSCRIBERS} on one conversation (alternating two users; ${WORKERS} subscriber process(es), at most ${CONNECTING} connecting at once)`);
  console.log(`  messages           ${MESSAGES} per round, one every ${INTERVAL_MS} ms; ${ROUNDS} round(s)`);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    console.log(`  ${name.padEnd(18)} delivered ${s.delivered} of ${s.expected}; latency p50/p95/p99 ${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.p99.toFixed(1)} ms; ${Math.round(s.perSecond)} messages/s delivered`);
  row("gateway", gateway);
  if (floor) {
    const reference = summary("floor");
    row("floor (bare ws)", reference);
    console.log(`  p99 gateway/floor  ${(gateway.p99 / reference.p99).toFixed(2)} (the floor writes the same frames and does nothing else)`);
  }
  console.log(`  peak RSS           gateway ${stack.peakRssMb("gateway")} MiB, chat ${stack.peakRssMb("chat")} MiB${floor ? `, floor ${floor.peakRssMb()} MiB` : ""}`);
} finally {
  floor?.stop();
  await stack.stop(); // gateway first: no upstream-failure noise
}

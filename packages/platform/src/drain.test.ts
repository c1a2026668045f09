import { Agent, request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "graphql";
import { expect, test } from "vitest";
import { createDrainableServer } from "./drain.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { subgraphSchema } from "./schema.js";
import { startSubgraphServer, type RunningServer } from "./server.js";

/** A subgraph whose one mutation "commits" a key (after a little work) and answers it. */
async function keyStore(): Promise<{ server: RunningServer; committed: Set<string> }> {
  const committed = new Set<string>();
  const typeDefs = parse("type Query { ok: Boolean } type Mutation { put(key: String!): String! }");
  const resolvers = {
    Mutation: {
      put: async (_: unknown, { key }: { key: string }) => {
        await sleep(Math.random() * 15);
        committed.add(key);
        return key;
      },
    },
  };
  const server = await startSubgraphServer({
    name: "drain-test",
    port: 0,
    production: true,
    logger: createLogger("drain-test", "silent"),
    metrics: createMetrics("drain-test"),
    schema: subgraphSchema(typeDefs, resolvers),
    verifier: { verify: () => Promise.reject(new Error("no tokens here")) },
    readiness: [],
    context: (base) => base,
  });
  return { server, committed };
}

/** POSTs one mutation over a shared keep-alive pool (like the gateway's); true only for a full, correct answer. */
function put(url: string, agent: Agent, key: string): Promise<boolean> {
  const body = JSON.stringify({ query: "mutation($k: String!) { put(key: $k) }", variables: { k: key } });
  return new Promise((resolve) => {
    const req = request(`${url}/graphql`, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(text) as { data?: { put?: string } }).data?.put === key);
        } catch {
          resolve(false);
        }
      });
      res.on("error", () => resolve(false));
    });
    req.on("error", () => resolve(false));
    req.end(body);
  });
}

test("close() under a burst of mutations on kept-alive connections: answered success ⇔ committed, over 10 rounds", async () => {
  let mismatches = 0;
  let answered = 0;
  let refused = 0;
  for (let round = 0; round < 10; round++) {
    const { server, committed } = await keyStore();
    // Few sockets, many requests: each socket carries request after request, as the gateway's pool does.
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const keys = Array.from({ length: 40 }, (_, i) => `r${round}-${i}`);
    const outcomes = keys.map((key) => put(server.url, agent, key));
    await sleep(10 + round * 3); // close at a different point of the burst each round
    await server.close();
    const results = await Promise.all(outcomes);
    agent.destroy();
    results.forEach((ok, i) => {
      const stored = committed.has(keys[i] as string);
      if (ok !== stored) mismatches++;
      if (ok) answered++;
      else refused++;
    });
  }
  console.info(`drain: ${answered} answered, ${refused} refused, ${mismatches} mismatches over 10 rounds`);
  expect(mismatches).toBe(0);
  expect(answered).toBeGreaterThan(0);
}, 60_000);

test("a request read while draining is refused before the handler sees it (readiness: 503); the one in flight is answered", async () => {
  const seen: string[] = [];
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const inHandler = new Promise<void>((resolve) => (started = resolve));
  const http = createDrainableServer((req, res) => {
    seen.push(req.url ?? "");
    if (req.url !== "/slow") return void res.end("fast");
    res.flushHeaders(); // headers already out: this response cannot say `Connection: close` any more
    started();
    new Promise<void>((resolve) => (release = resolve)).then(() => res.end("slow done"), () => undefined);
  });
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
  const socket = connect((http.server.address() as { port: number }).port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  const readyzRead = new Promise<void>((resolve) => http.server.on("request", (req: { url?: string }) => req.url === "/readyz" && resolve()));
  socket.write("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  await inHandler;
  const drained = http.drain();
  socket.write("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n"); // the next request on the kept-alive connection
  await readyzRead;
  release();
  await Promise.all([drained, ended]);
  expect(seen).toEqual(["/slow"]);
  expect(received).toMatch(/^HTTP\/1\.1 200[\s\S]*slow done[\s\S]*HTTP\/1\.1 503[\s\S]*"status":"draining"/);
});

import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "graphql";
import { expect, test } from "vitest";
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
